#pragma once
// ConnectorResult and CommandOutcome: the seed's protocol 2.0 result with three
// slots. `payload` is the domain result (success), `variables` are flat-merged
// into the run's variable bag (success or failure), `diagnostics` is structured
// failure context (failure only). outcome_to_result() is the one place any
// handler's, script's or external service's return value becomes a result.

#include <optional>
#include <string>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace patchbay::core {

struct ConnectorResult {
  bool success = true;
  std::optional<boost::json::value> payload;
  std::optional<boost::json::object> variables;
  std::optional<boost::json::value> diagnostics;
  std::optional<std::string> error;

  bool operator==(const ConnectorResult&) const = default;
};

// A failure result with a message and optional diagnostics.
ConnectorResult failure_result(std::string error,
                               std::optional<boost::json::value> diagnostics = std::nullopt);

// {success, payload?, variables?, diagnostics?, error?}; absent slots are omitted.
boost::json::object to_json(const ConnectorResult& result);
// The same, moving the slots out of `result` instead of copying them (a large
// payload is a tree of allocations).
boost::json::object to_json(ConnectorResult&& result);

// What succeed() builds: a success with optional payload and variables.
struct Success {
  std::optional<boost::json::value> payload;
  std::optional<boost::json::object> variables;
};

// What fail() builds: a failure with a human-readable message. A failure may
// write variables (e.g. an error flag for downstream steps).
struct Failure {
  std::string error;
  std::optional<boost::json::value> diagnostics;
  std::optional<boost::json::object> variables;
};

inline Success succeed(Success outcome = {}) { return outcome; }
inline Failure fail(Failure outcome) { return outcome; }

// Everything a handler may return: nothing (side-effect-only commands), one of the
// builders, a full ConnectorResult (returned verbatim, diagnostics dropped on
// success), or raw JSON from a script or an external service, normalized by the
// seed's rules.
using CommandOutcome =
    std::variant<std::monostate, Success, Failure, ConnectorResult, boost::json::value>;

// Normalizes an outcome:
// - nothing, a non-object or an empty object -> {success: true}
// - an object with legacy protocol 1.x keys (data, outputVariables) -> a failure
//   whose error explains the upgrade to protocol 2.0
// - an object: `success` decides (when absent, a string `error` means failure);
//   payload/variables/diagnostics/error are taken from their slots; diagnostics only
//   on failure; a non-object `variables` or a non-boolean `success` is a failure.
ConnectorResult outcome_to_result(CommandOutcome outcome);

// The message the legacy-key rejection uses, shared with scripts and external services.
inline constexpr const char* kLegacyProtocolMessage =
    "The result uses protocol 1.x keys (data, outputVariables), which patchbay rejects. "
    "Upgrade to protocol 2.0: return {success, payload, variables} on success and "
    "{success: false, error, diagnostics} on failure (see docs/connector-results.md).";

}  // namespace patchbay::core
