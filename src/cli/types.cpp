// patchbay types [--json]: the registered connector types and their commands.

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "cli/subcommands.hpp"
#include "connectors/registry.hpp"
#include "core/json.hpp"

namespace patchbay::cli {
namespace {

std::string describe_field(const core::FieldSpec& field) {
  std::string out = field.name;
  if (field.required) out += "*";
  out += ": " + std::string(core::to_string(field.effective_type()));
  if (field.default_value) out += " = " + boost::json::serialize(*field.default_value);
  return out;
}

void print_text(const core::ConnectorDefinition& def) {
  std::cout << def.name << " " << def.version;
  if (!def.status.empty()) std::cout << " (" << def.status << ")";
  std::cout << "\n  " << def.description << "\n";
  if (!def.config_schema.connection_config.empty()) {
    std::cout << "  connection:";
    for (const auto& field : def.config_schema.connection_config) {
      std::cout << " " << describe_field(field) << (field.secret ? " [secret]" : "") << ";";
    }
    std::cout << "\n";
  }
  for (const auto& command : def.config_schema.commands) {
    std::cout << "  " << command.name;
    if (command.name == def.default_command) std::cout << " (default)";
    if (command.deprecated) std::cout << " [deprecated]";
    std::cout << ":";
    for (const auto& param : command.params) {
      const auto* spec = command.find_param_spec(param);
      std::cout << " " << (spec ? describe_field(*spec) : param) << ";";
    }
    std::cout << "\n";
  }
}

}  // namespace

Action add_types(CLI::App& app) {
  auto as_json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("types", "List the registered connector types and their commands");
  cmd->add_flag("--json", *as_json, "Print the definitions as a JSON array");
  return [as_json](core::Logger&) {
    const auto& all = connectors::builtin_definitions();
    if (*as_json) {
      boost::json::array out;
      for (const auto& def : all) out.push_back(core::to_json(def));
      std::cout << core::json_pretty(out) << "\n";
      return kExitOk;
    }
    std::cout << all.size() << " connector types (* = required)\n";
    for (const auto& def : all) print_text(def);
    return kExitOk;
  };
}

}  // namespace patchbay::cli
