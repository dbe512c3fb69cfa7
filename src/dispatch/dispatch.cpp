#include "dispatch/dispatch.hpp"

#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include "core/field_spec.hpp"
#include "core/json.hpp"

namespace patchbay::dispatch {
namespace {

namespace json = boost::json;
using core::ConnectorResult;

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

json::array to_array(const std::vector<std::string>& names) {
  json::array out;
  for (const auto& n : names) out.emplace_back(n);
  return out;
}

// Resolves the command to run, or explains why there is none.
const core::CommandSpec* route(const core::ConnectorDefinition& def, const json::object& config,
                               ConnectorResult& refusal) {
  const json::value* requested = config.if_contains("command");
  std::string name;
  if (requested != nullptr && !requested->is_null()) {
    if (!requested->is_string() || requested->get_string().empty()) {
      refusal = core::failure_result("The step's 'command' must be a non-empty string, got " +
                                     core::json_preview(*requested));
      return nullptr;
    }
    name = std::string(requested->get_string());
  } else if (!def.default_command.empty()) {
    name = def.default_command;
  } else {
    refusal =
        core::failure_result("No command given for connector '" + def.name +
                                 "'. Available commands: " + def.command_list(),
                             json::object{{"availableCommands", json::string(def.command_list())}});
    return nullptr;
  }
  const auto* command = def.config_schema.find_command(name);
  if (command == nullptr) {
    refusal = core::failure_result("Unknown command '" + name + "' for connector '" + def.name +
                                   "'. Available commands: " + def.command_list());
  }
  return command;
}

struct CheckedFields {
  std::vector<std::string> missing;
  json::array invalid;  // [{field, message}]
};

// Checks `values` against `specs` in place: defaults, required, types.
void check_fields(const std::vector<core::FieldSpec>& specs, json::object& values,
                  bool enforce_required, std::string_view kind, CheckedFields& out) {
  for (const auto& spec : specs) {
    json::value* value = values.if_contains(spec.name);
    if ((value == nullptr || value->is_null()) && spec.default_value) {
      values[spec.name] = *spec.default_value;
      value = values.if_contains(spec.name);
    }
    if (core::is_missing_value(value)) {
      if (spec.required && enforce_required) out.missing.push_back(spec.name);
      if (value != nullptr && value->is_null()) values.erase(spec.name);
      continue;
    }
    auto checked = core::check_field_value(spec, *value);
    if (!checked) {
      out.invalid.push_back(
          json::object{{"field", spec.name}, {"kind", kind}, {"message", checked.error().message}});
      continue;
    }
    *value = std::move(*checked);
  }
}

// "Invalid param 'limit': expected number, got string "x"; invalid connection field ..."
std::string invalid_message(const json::array& invalid) {
  std::string out;
  for (const auto& item : invalid) {
    const auto& obj = item.get_object();
    out += out.empty() ? "Invalid " : "; invalid ";
    out += std::string(obj.at("kind").get_string()) + " '" +
           std::string(obj.at("field").get_string()) +
           "': " + std::string(obj.at("message").get_string());
  }
  return out;
}

core::CommandOutcome run_guarded(const core::ConnectorDefinition& def,
                                 const core::CommandHandler& handler,
                                 const core::CommandCall& call) {
  try {
    return handler(call);
  } catch (const std::exception& error) {
    if (def.error_map) {
      try {
        if (auto mapped = def.error_map(error)) return std::move(*mapped);
      } catch (const std::exception& map_error) {
        return core::fail({.error = std::string(error.what()) +
                                    " (and errorMap threw: " + map_error.what() + ")"});
      } catch (...) {
        return core::fail({.error = std::string(error.what()) + " (and errorMap threw)"});
      }
    }
    return core::fail({.error = error.what()});
  } catch (...) {
    return core::fail({.error = "Command '" + std::string(call.command) +
                                "' threw an exception that is not a std::exception"});
  }
}

}  // namespace

ConnectorResult execute_definition(const core::ConnectorDefinition& def,
                                   const core::ConnectorContext& context, core::Logger& logger) {
  ConnectorResult refusal;
  const core::CommandSpec* command = route(def, context.config, refusal);
  if (command == nullptr) return refusal;

  bool mocked = !context.mock.empty();
  json::object params = context.config;
  params.erase("command");
  json::object connection = context.connector_config;

  CheckedFields checked;
  check_fields(command->param_schema, params, true, "param", checked);
  check_fields(def.config_schema.connection_config, connection, !mocked, "connection field",
               checked);
  if (!checked.missing.empty()) {
    return core::failure_result("Missing required field(s): " + joined(checked.missing),
                                json::object{{"missingFields", to_array(checked.missing)}});
  }
  if (!checked.invalid.empty()) {
    std::string message = invalid_message(checked.invalid);
    return core::failure_result(std::move(message),
                                json::object{{"invalidFields", std::move(checked.invalid)}});
  }

  json::object base_fields{{"connector", def.name},
                           {"command", command->name},
                           {"stepId", context.step_id},
                           {"runId", context.run_id}};
  if (command->deprecated) {
    json::object fields = base_fields;
    fields["event"] = "deprecated_command";
    fields["deprecatedMessage"] = command->deprecated_message;
    logger.warn("deprecated connector command executed", fields);
  }

  const core::CommandHandler* handler = nullptr;
  if (mocked) {
    const auto* scenario = command->find_mock(context.mock);
    if (scenario == nullptr) scenario = command->find_mock("default");
    if (scenario == nullptr) {
      return core::failure_result("Command '" + command->name + "' of connector '" + def.name +
                                  "' has no in-code mock scenario '" + context.mock +
                                  "' and no 'default'");
    }
    handler = &scenario->run;
  } else {
    if (!command->handler) {
      return core::failure_result(
          "Connector '" + def.name + "' (" + std::string(core::to_string(def.execution_model)) +
          ") cannot run command '" + command->name + "' in this process: no handler is attached");
    }
    handler = &command->handler;
  }

  core::CommandCall call{def.name, command->name, params, connection, context, logger};
  auto started = std::chrono::steady_clock::now();
  ConnectorResult result = core::outcome_to_result(run_guarded(def, *handler, call));
  if (logger.enabled(core::LogLevel::Debug)) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    json::object fields = std::move(base_fields);
    fields["success"] = result.success;
    fields["durationMs"] = elapsed.count();
    if (mocked) fields["mock"] = context.mock;
    logger.debug("connector command finished", fields);
  }
  return result;
}

}  // namespace patchbay::dispatch
