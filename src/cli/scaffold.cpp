#include "cli/scaffold.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>

#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"

namespace patchbay::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxNameLength = 64;
constexpr std::string_view kRegistryMacro = "PATCHBAY_BUILTIN(";

core::Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::Error{core::ErrorCode::Unavailable, "cannot read " + path.string(), {}};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes to a sibling temporary file, then renames it over `path`.
core::Result<void> write_file(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return core::Error{core::ErrorCode::Unavailable,
                       "cannot create " + path.parent_path().string() + ": " + ec.message(),
                       {}};
  }
  fs::path temporary = path;
  temporary += ".scaffold-tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      return core::Error{core::ErrorCode::Unavailable, "cannot write " + temporary.string(), {}};
    }
  }
  fs::rename(temporary, path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return core::Error{core::ErrorCode::Unavailable, "cannot write " + path.string(), {}};
  }
  return {};
}

// The identifier inside a PATCHBAY_BUILTIN(...) line, or empty for other lines.
std::string registry_id(std::string_view line) {
  auto start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos ||
      line.substr(start, kRegistryMacro.size()) != kRegistryMacro) {
    return {};
  }
  auto open = start + kRegistryMacro.size();
  auto close = line.find(')', open);
  if (close == std::string_view::npos) return {};
  return std::string(line.substr(open, close - open));
}

int run_scaffold(const ScaffoldOptions& options) {
  auto report = scaffold_builtin(options);
  if (!report) {
    std::cerr << "patchbay scaffold: " << report.error().message << "\n";
    return report.error().code == core::ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
  }
  for (const auto& path : report->written) std::cout << "wrote   " << path << "\n";
  for (const auto& path : report->kept) std::cout << "kept    " << path << " (exists)\n";
  std::cout << (report->registry_updated ? "added   " : "present ") << "PATCHBAY_BUILTIN("
            << scaffold_names(options.name, "").identifier
            << ") in src/connectors/builtin/builtins.def\n"
            << "next: edit the generated commands, then `make test` rebuilds and registers '"
            << options.name << "'\n";
  return kExitOk;
}

}  // namespace

bool is_kebab_case(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (name.front() < 'a' || name.front() > 'z') return false;
  char previous = '\0';
  for (char c : name) {
    bool word_char = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!word_char && c != '-') return false;
    if (c == '-' && previous == '-') return false;
    previous = c;
  }
  return name.back() != '-';
}

std::string insert_registry_line(const std::string& text, const std::string& id) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  // The list is kept sorted: insert before the first larger entry, else after the last.
  std::optional<std::size_t> insert_at;
  std::optional<std::size_t> last_entry;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string existing = registry_id(lines[i]);
    if (existing.empty()) continue;
    if (existing == id) return text;
    if (existing > id && !insert_at) insert_at = i;
    last_entry = i;
  }
  if (!insert_at) insert_at = last_entry ? *last_entry + 1 : lines.size();
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(*insert_at),
               std::string(kRegistryMacro) + id + ")");
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

core::Result<ScaffoldReport> scaffold_builtin(const ScaffoldOptions& options) {
  if (!is_kebab_case(options.name)) {
    return core::Error{core::ErrorCode::InvalidArgument,
                       "connector name '" + options.name +
                           "' is not kebab-case: use lowercase letters and digits in words "
                           "joined by single hyphens, starting with a letter, at most 64 "
                           "characters (e.g. acme-crm)",
                       {}};
  }
  const fs::path registry = options.root / "src/connectors/builtin/builtins.def";
  if (!fs::exists(registry)) {
    return core::Error{core::ErrorCode::InvalidArgument,
                       "not a patchbay source tree: " + registry.string() +
                           " not found (run from the repository root or pass --root)",
                       {}};
  }
  ScaffoldNames names = scaffold_names(options.name, options.description);
  const std::string handler_rel = "src/connectors/builtin/" + names.identifier + ".cpp";
  const std::string test_rel = "test/connectors/builtin/" + names.identifier + "_test.cpp";
  if (fs::exists(options.root / handler_rel) && !options.force) {
    return core::Error{core::ErrorCode::Conflict,
                       handler_rel +
                           " already exists; nothing was changed (pass --force to "
                           "overwrite it)",
                       {}};
  }

  auto registry_text = read_file(registry);
  if (!registry_text) return registry_text.error();

  ScaffoldReport report;
  if (auto w = write_file(options.root / handler_rel, render_connector_source(names)); !w) {
    return w.error();
  }
  report.written.push_back(handler_rel);
  if (fs::exists(options.root / test_rel) && !options.force) {
    report.kept.push_back(test_rel);
  } else {
    if (auto w = write_file(options.root / test_rel, render_connector_test(names)); !w) {
      return w.error();
    }
    report.written.push_back(test_rel);
  }
  std::string updated = insert_registry_line(*registry_text, names.identifier);
  if (updated != *registry_text) {
    if (auto w = write_file(registry, updated); !w) return w.error();
    report.registry_updated = true;
  }
  return report;
}

Action add_scaffold(CLI::App& app) {
  auto options = std::make_shared<ScaffoldOptions>();
  auto* cmd = app.add_subcommand("scaffold",
                                 "Write a new built-in connector (handler, test, registry line)");
  cmd->add_option("name", options->name, "Connector name in kebab-case, e.g. acme-crm")->required();
  cmd->add_option("-d,--description", options->description, "One-line description");
  cmd->add_flag("-f,--force", options->force, "Overwrite the handler and test files if they exist");
  cmd->add_option("--root", options->root, "The patchbay source tree")->capture_default_str();
  return [options](core::Logger&) { return run_scaffold(*options); };
}

}  // namespace patchbay::cli
