#include "cli/config_file.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

namespace patchbay::cli {
namespace {

core::Error config_error(const std::string& path, const std::string& message) {
  return core::Error{core::ErrorCode::InvalidArgument, path + ": " + message, {}};
}

// The option's text for a TOML scalar; nullopt for tables and arrays.
std::optional<std::string> scalar_text(const toml::node& node) {
  if (auto text = node.value<std::string>()) return *text;
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_floating_point()) return std::to_string(*node.value<double>());
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  return std::nullopt;
}

}  // namespace

core::Result<void> apply_config_file(CLI::App& command, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    return config_error(path, "line " + std::to_string(where.line) + ", column " +
                                  std::to_string(where.column) + ": " +
                                  std::string(error.description()));
  }
  for (const auto& [raw_key, node] : table) {
    std::string key(raw_key.str());
    std::replace(key.begin(), key.end(), '_', '-');
    CLI::Option* option = key == "config" ? nullptr : command.get_option_no_throw("--" + key);
    if (option == nullptr) return config_error(path, "unknown key '" + key + "'");
    auto text = scalar_text(node);
    if (!text) return config_error(path, "'" + key + "' must be a string, number or boolean");
    if (option->count() > 0) continue;  // given on the command line or in the environment
    try {
      option->add_result(*text);
      option->run_callback();
    } catch (const CLI::Error& error) {
      return config_error(path, "'" + key + "': " + error.what());
    }
  }
  return {};
}

}  // namespace patchbay::cli
