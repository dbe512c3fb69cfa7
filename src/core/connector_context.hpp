#pragma once
// What a command runs with: the caller's context (seed 001's ConnectorContext)
// and the validated call a handler receives.

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/connector_result.hpp"
#include "core/logger.hpp"

namespace patchbay::core {

// The caller's side of one execution, as seed 001 names it.
struct ConnectorContext {
  // The step's config: "command" (optional when the connector has a
  // defaultCommand) plus the command's params as sibling keys.
  boost::json::object config;
  // Decrypted connection fields of the connector instance.
  boost::json::object connector_config;
  // The run's variable bag as it is before this step.
  boost::json::object variables;
  std::string step_id;
  std::string run_id;
  // When set, the command's in-code mock scenario of this name runs instead of the
  // handler (falling back to "default"); connection fields are then not required.
  std::string mock;
};

// A validated call, as a handler sees it. References stay valid for the call only.
struct CommandCall {
  std::string_view connector;
  std::string_view command;
  // Params with defaults applied and values coerced to their declared types.
  const boost::json::object& params;
  // Connection fields, checked against connectionConfig.
  const boost::json::object& connection;
  const ConnectorContext& context;
  Logger& logger;
};

// Runs one command. May throw; the dispatcher routes exceptions through the
// connector's ErrorMap.
using CommandHandler = std::function<CommandOutcome(const CommandCall&)>;

// Translates an exception a handler threw into a failure, or nullopt to fall back
// to the exception's message.
using ErrorMap = std::function<std::optional<Failure>(const std::exception&)>;

}  // namespace patchbay::core
