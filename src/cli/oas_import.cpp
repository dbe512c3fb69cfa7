// patchbay oas import FILE|- [--select op1,op2] [--name NAME] [--out draft.json]:
// an OpenAPI description to the draft connector POST /api/connectors/parse-oas
// returns (the same JSON), with warnings summarized on stderr. External $refs to
// relative files are read from beside FILE (or the working directory for stdin).

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"
#include "core/json.hpp"
#include "oas/oas.hpp"

namespace patchbay::cli {
namespace {

namespace fs = std::filesystem;

struct OasImportOptions {
  std::string file;
  std::vector<std::string> select;
  std::string name;
  std::string out;
};

core::Result<std::string> read_all(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    return core::Error{core::ErrorCode::NotFound, "cannot read '" + path + "'", {}};
  }
  std::string text(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    return core::Error{core::ErrorCode::Unavailable, "cannot read '" + path + "'", {}};
  }
  return text;
}

int run(const OasImportOptions& options) {
  auto started = std::chrono::steady_clock::now();
  auto text = read_all(options.file);
  if (!text) {
    std::cerr << "patchbay oas import: " << text.error().message << "\n";
    return kExitFailure;
  }
  fs::path base = options.file == "-" ? fs::current_path() : fs::path(options.file).parent_path();
  oas::ImportOptions import;
  import.select = options.select;
  import.name = options.name;
  import.load_external = [base](std::string_view ref) -> core::Result<std::string> {
    return read_all((base / fs::path(ref)).lexically_normal().string());
  };
  auto draft = oas::import_text(*text, import);
  if (!draft) {
    std::cerr << "patchbay oas import: " << draft.error().message << "\n";
    return kExitFailure;
  }
  std::string json = core::json_pretty(oas::to_json(*draft)) + "\n";
  if (options.out.empty()) {
    std::cout << json;
  } else {
    std::ofstream out(options.out, std::ios::binary | std::ios::trunc);
    out << json;
    if (!out.flush()) {
      std::cerr << "patchbay oas import: cannot write '" << options.out << "'\n";
      return kExitFailure;
    }
  }

  std::size_t skipped = 0;
  for (const auto& warning : draft->warnings) {
    std::cerr << "  " << oas::to_string(warning.kind) << ": "
              << (warning.pointer.empty() ? "" : warning.pointer + ": ") << warning.message << "\n";
    if (warning.kind == oas::WarningKind::Skipped) ++skipped;
  }
  std::size_t commands = 0;
  if (const auto* schema = draft->definition.if_contains("configSchema")) {
    if (const auto* list = schema->as_object().if_contains("commands")) {
      commands = list->as_object().size();
    }
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::cerr << "imported \"" << draft->definition.at("name").as_string().c_str() << "\" ("
            << (draft->spec_version == "2.0" ? "Swagger " : "OpenAPI ") << draft->spec_version
            << "): " << draft->operations << " operations, " << commands << " commands, "
            << skipped << " skipped, " << draft->warnings.size() << " warnings, in "
            << elapsed.count() << " ms"
            << (options.out.empty() ? "" : "; draft written to " + options.out) << "\n";
  return kExitOk;
}

}  // namespace

Action add_oas(CLI::App& app) {
  auto options = std::make_shared<OasImportOptions>();
  auto* oas = app.add_subcommand("oas", "OpenAPI descriptions to connectors");
  oas->require_subcommand(1);
  auto* import = oas->add_subcommand(
      "import",
      "Turn an OpenAPI description (2.0, 3.0, 3.1; JSON or YAML) into a draft connector "
      "for POST /api/connectors");
  import->add_option("file", options->file, "The description, or - for standard input")
      ->required();
  import->add_option("--select", options->select,
                     "Keep only these operations (command names or operationIds)")
      ->delimiter(',');
  import->add_option("--name", options->name, "The connector's name (default: from info.title)");
  import->add_option("--out", options->out, "Write the draft here instead of standard output");
  return [options](core::Logger&) { return run(*options); };
}

}  // namespace patchbay::cli
