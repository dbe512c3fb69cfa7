// patchbay exec <type> [command] --param k=v --connection k=v [--mock name]:
// runs one command of a built-in through the dispatcher and prints the
// ConnectorResult as JSON on stdout.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"
#include "connectors/registry.hpp"
#include "core/json.hpp"
#include "dispatch/dispatch.hpp"
#include "script/script.hpp"

namespace patchbay::cli {
namespace {

namespace json = boost::json;

struct ExecOptions {
  std::string type;
  std::string command;
  std::string script_file;
  std::string schema_file;
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

core::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::Error{core::ErrorCode::InvalidArgument, "cannot read '" + path + "'", {}};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A script connector from --script (and --schema, when given: a full definition or
// just its configSchema). Without a schema every top-level function is a command.
core::Result<core::ConnectorDefinition> load_script_connector(const ExecOptions& options) {
  auto source = read_file(options.script_file);
  if (!source) return source.error();
  std::string name = std::filesystem::path(options.script_file).stem().string();
  if (auto checked = script::check_script(*source, name + ".js"); !checked) return checked.error();

  json::object definition;
  if (!options.schema_file.empty()) {
    auto text = read_file(options.schema_file);
    if (!text) return text.error();
    auto parsed = core::parse_json(*text);
    if (!parsed) {
      return core::Error{
          parsed.error().code, options.schema_file + ": " + parsed.error().message, {}};
    }
    if (!parsed->is_object()) {
      return core::Error{
          core::ErrorCode::InvalidArgument, options.schema_file + ": must be a JSON object", {}};
    }
    if (parsed->get_object().contains("configSchema")) {
      definition = parsed->get_object();
    } else {
      definition["configSchema"] = *parsed;
    }
  } else {
    auto functions = script::script_functions(*source);
    if (!functions) return functions.error();
    json::object commands;
    for (const auto& f : *functions) commands[f] = json::object{{"params", json::array{}}};
    definition["configSchema"] = json::object{{"commands", std::move(commands)}};
  }
  if (!definition.contains("name")) definition["name"] = name;
  if (!definition.contains("executionModel")) definition["executionModel"] = "script";
  definition["scriptSource"] = *source;
  auto def = core::parse_connector_definition(definition);
  if (!def) return def.error();
  script::attach_script_handlers(*def);
  return def;
}

int run_exec(const ExecOptions& given, core::Logger& logger) {
  ExecOptions options = given;
  std::optional<core::ConnectorDefinition> loaded;
  const core::ConnectorDefinition* def = nullptr;
  if (!options.script_file.empty()) {
    // `exec --script FILE <command>`: the first positional is the command.
    if (!options.command.empty()) {
      std::cerr << "patchbay exec: with --script, give only the command (got '" << options.type
                << "' and '" << options.command << "')\n";
      return kExitUsage;
    }
    options.command = options.type;
    auto script_def = load_script_connector(options);
    if (!script_def) {
      std::cerr << "patchbay exec: " << script_def.error().message << "\n";
      return kExitUsage;
    }
    loaded = std::move(*script_def);
    def = &*loaded;
  } else if (!options.schema_file.empty()) {
    std::cerr << "patchbay exec: --schema goes with --script\n";
    return kExitUsage;
  } else {
    def = connectors::find_builtin(options.type);
    if (def == nullptr) {
      std::cerr << "patchbay exec: unknown connector type '" << options.type
                << "'; built-in types: " << connectors::builtin_names() << "\n";
      return kExitUsage;
    }
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
  cmd->add_option("type", options->type,
                  "Connector type, e.g. http or delay (with --script: the command)")
      ->required();
  cmd->add_option("--script", options->script_file,
                  "Run a script connector from this JavaScript file instead of a built-in");
  cmd->add_option("--schema", options->schema_file,
                  "The script connector's definition or configSchema (JSON); default: every "
                  "top-level function is a command");
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
