// patchbay exec <type> [command] --param k=v --connection k=v [--mock name]:
// runs one command of a built-in through the dispatcher and prints the
// ConnectorResult as JSON on stdout.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"
#include "connectors/registry.hpp"
#include "core/json.hpp"
#include "dispatch/dispatch.hpp"

namespace patchbay::cli {
namespace {

namespace json = boost::json;

struct ExecOptions {
  std::string type;
  std::string command;
  std::vector<std::string> params;
  std::vector<std::string> connection;
  std::vector<std::string> variables;
  std::string params_json;
  std::string connection_json;
  std::string mock;
  std::string step_id = "cli";
  std::string run_id = "cli";
};

// "k=v" values are text, except where the field's spec wants structured JSON
// (object, array, raw): there the text is parsed as JSON when it is JSON.
json::value value_for(const core::FieldSpec* spec, const std::string& text) {
  if (spec != nullptr) {
    auto type = spec->effective_type();
    if (type == core::FieldType::Object || type == core::FieldType::Array ||
        type == core::FieldType::Raw) {
      if (auto parsed = core::parse_json(text)) return std::move(*parsed);
    }
  }
  return json::value(text);
}

template <class FindSpec>
core::Result<void> add_pairs(const std::vector<std::string>& pairs, std::string_view option,
                             FindSpec find_spec, json::object& into) {
  for (const auto& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return core::Error{core::ErrorCode::InvalidArgument,
                         std::string(option) + " '" + pair + "' must look like key=value",
                         {}};
    }
    std::string key = pair.substr(0, eq);
    into[key] = value_for(find_spec(key), pair.substr(eq + 1));
  }
  return {};
}

core::Result<void> merge_json(const std::string& text, std::string_view option,
                              json::object& into) {
  if (text.empty()) return {};
  auto parsed = core::parse_json(text);
  if (!parsed)
    return core::Error{
        parsed.error().code, std::string(option) + ": " + parsed.error().message, {}};
  if (!parsed->is_object()) {
    return core::Error{
        core::ErrorCode::InvalidArgument, std::string(option) + " must be a JSON object", {}};
  }
  for (const auto& entry : parsed->get_object()) into[entry.key()] = entry.value();
  return {};
}

int run_exec(const ExecOptions& options, core::Logger& logger) {
  const auto* def = connectors::find_builtin(options.type);
  if (def == nullptr) {
    std::cerr << "patchbay exec: unknown connector type '" << options.type
              << "'; built-in types: " << connectors::builtin_names() << "\n";
    return kExitUsage;
  }
  core::ConnectorContext context;
  context.step_id = options.step_id;
  context.run_id = options.run_id;
  context.mock = options.mock;
  std::string command_name = options.command.empty() ? def->default_command : options.command;
  if (!options.command.empty()) context.config["command"] = options.command;
  const auto* command = def->config_schema.find_command(command_name);
  auto param_spec = [&](const std::string& key) {
    return command ? command->find_param_spec(key) : nullptr;
  };
  auto connection_spec = [&](const std::string& key) {
    return def->config_schema.find_connection_field(key);
  };
  auto no_spec = [](const std::string&) -> const core::FieldSpec* { return nullptr; };

  for (auto step :
       {merge_json(options.params_json, "--params-json", context.config),
        add_pairs(options.params, "--param", param_spec, context.config),
        merge_json(options.connection_json, "--connection-json", context.connector_config),
        add_pairs(options.connection, "--connection", connection_spec, context.connector_config),
        add_pairs(options.variables, "--variable", no_spec, context.variables)}) {
    if (!step) {
      std::cerr << "patchbay exec: " << step.error().message << "\n";
      return kExitUsage;
    }
  }

  core::ConnectorResult result = dispatch::execute_definition(*def, context, logger);
  std::cout << core::json_pretty(core::to_json(result)) << "\n";
  return result.success ? kExitOk : kExitFailure;
}

}  // namespace

Action add_exec(CLI::App& app) {
  auto options = std::make_shared<ExecOptions>();
  auto* cmd = app.add_subcommand("exec",
                                 "Run one command of a built-in connector and print the "
                                 "result as JSON (exit 0 success, 1 failure result)");
  cmd->add_option("type", options->type, "Connector type, e.g. http or delay")->required();
  cmd->add_option("command", options->command,
                  "Command to run (default: the connector's defaultCommand)");
  cmd->add_option("-p,--param", options->params, "A param as key=value (repeatable)");
  cmd->add_option("-c,--connection", options->connection,
                  "A connection field as key=value (repeatable)");
  cmd->add_option("--variable", options->variables, "A run variable as key=value (repeatable)");
  cmd->add_option("--params-json", options->params_json, "All params as one JSON object");
  cmd->add_option("--connection-json", options->connection_json,
                  "All connection fields as one JSON object");
  cmd->add_option("--mock", options->mock,
                  "Run the command's in-code mock scenario of this name instead of the handler");
  cmd->add_option("--step-id", options->step_id, "Step id recorded in logs")->capture_default_str();
  cmd->add_option("--run-id", options->run_id, "Run id recorded in logs")->capture_default_str();
  return [options](core::Logger& logger) { return run_exec(*options, logger); };
}

}  // namespace patchbay::cli
