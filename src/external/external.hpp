#pragma once
// External connectors (seed 001 "Creating External Connectors"): a separate HTTP
// service speaking protocol 2.0 runs the commands.
//
//   POST {endpointUrl}/execute  {protocolVersion: "2.0", command, config, params,
//                                variables, metadata: {stepId, runId, timeout}}
//   GET  {endpointUrl}/schema   the connector's configSchema (optional)
//   GET  {endpointUrl}/health   the service's health (optional)
//
// Every request goes through the outbound HTTP client (SSRF policy, DNS pinning,
// timeouts, size caps) and is signed, so the service can tell it came from this
// server: X-Patchbay-Timestamp carries unix seconds and X-Patchbay-Signature
// "v1=" + hex(HMAC-SHA256(signing secret, timestamp + "." + body)). See
// docs/external-connectors.md for the verification a service does.
//
// Answers are validated before they become results; each way an answer can be
// wrong is its own failure with diagnostics.reason (see read_execute_response).
//
// Thread-safety: every function may be called concurrently.

#include <chrono>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/connector_definition.hpp"
#include "core/connector_result.hpp"
#include "core/result.hpp"

namespace patchbay::http {
struct Response;
}

namespace patchbay::external {

inline constexpr std::string_view kProtocolVersion = "2.0";
inline constexpr std::string_view kTimestampHeader = "X-Patchbay-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-Patchbay-Signature";
// How long /execute may take when the connector's limits.wallTimeMs does not say.
inline constexpr std::chrono::milliseconds kDefaultTimeout{30'000};
// /schema and /health answer faster than that or not at all.
inline constexpr std::chrono::milliseconds kProbeTimeout{10'000};
// How much of a bad answer's body diagnostics quote.
inline constexpr std::size_t kExcerptBytes = 512;

// Where a connector's service is and how to sign for it.
struct Endpoint {
  std::string url;  // endpointUrl, without the trailing "/execute"
  std::string signing_secret;
  // Rate limits and circuit breakers of the outbound client are kept per instance.
  std::string instance;
};

// "v1=" + lowercase hex of HMAC-SHA256(secret, timestamp + "." + body).
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

// At most kExcerptBytes of a body, not cutting a UTF-8 sequence in half, for
// diagnostics.
std::string body_excerpt(std::string_view text);

// A fresh signing secret: "pbs_" + 43 characters of base64url (32 random bytes).
std::string generate_signing_secret();

// Reads an /execute answer. Failures, by diagnostics.reason:
//   "status"           a non-2xx status (statusCode, bodyExcerpt; a protocol
//                      failure body's error is quoted in the message)
//   "invalid_json"     the body is not JSON (the parser's message, bodyExcerpt)
//   "invalid_response" not an object, `success` missing or not boolean, or a slot of
//                      the wrong type (variables not an object, error not a string)
//   "legacy_protocol"  protocol 1.x keys (data, outputVariables): the upgrade message
// Anything else follows core::outcome_to_result's slot rules.
core::ConnectorResult read_execute_response(const http::Response& response,
                                            std::string_view endpoint);

// Gives every command of an external definition a handler that calls
// {endpoint}/execute. Transport failures become failures whose diagnostics.reason
// is the outbound client's error code (timeout, too_large, policy_denied,
// connect_failed, ...). Only requests that cannot have reached the service (DNS
// or connect failures) and 429 answers are sent again; the timeout is the
// definition's limits.wallTimeMs or kDefaultTimeout, retries included.
void attach_external_handlers(core::ConnectorDefinition& definition, Endpoint endpoint);

// GET {endpoint}/schema: the configSchema it serves (an object with
// connectionConfig and/or commands). NotFound when the service has no /schema
// (404), UpstreamFailed when it cannot be reached or answers badly.
core::Result<boost::json::object> fetch_schema(const Endpoint& endpoint);

// GET {endpoint}/health, for GET /api/connectors/:id/health: {healthy, status?,
// body?, error?, durationMs, endpoint}. Never fails: an unreachable service is
// {healthy: false, error}.
boost::json::object check_health(const Endpoint& endpoint);

}  // namespace patchbay::external
