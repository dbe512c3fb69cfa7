#pragma once
// `patchbay scaffold <name>`: writes a new built-in connector and registers it.
//
// For name "acme-crm" it writes src/connectors/builtin/acme_crm.cpp (a
// define_connector block, a typed AcmeCrmConnection struct, an errorMap for
// http::HttpError, a `test` command and a `listItems` command with succeed(),
// fail() and mock scenarios) and test/connectors/builtin/acme_crm_test.cpp, and
// inserts PATCHBAY_BUILTIN(acme_crm) into builtins.def in alphabetical order.
//
// Idempotent: when the handler file exists nothing is written unless `force`;
// the registry line is added only when missing. Files are written whole to a
// temporary name and renamed, so an interrupted run leaves no half file.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace patchbay::cli {

struct ScaffoldOptions {
  std::string name;                  // kebab-case, e.g. acme-crm
  std::string description;           // one line; generated from the name when empty
  bool force = false;                // overwrite the handler and test files
  std::filesystem::path root = ".";  // the patchbay source tree
};

struct ScaffoldReport {
  std::vector<std::string> written;  // paths relative to root
  std::vector<std::string> kept;     // existing files left alone
  bool registry_updated = false;
};

core::Result<ScaffoldReport> scaffold_builtin(const ScaffoldOptions& options);

// Kebab-case check: lowercase letters and digits in hyphen-separated words,
// starting with a letter, at most 64 characters.
bool is_kebab_case(std::string_view name);

// Inserts `PATCHBAY_BUILTIN(id)` into the text of builtins.def, keeping the
// PATCHBAY_BUILTIN lines sorted. Returns the text unchanged when the line exists.
std::string insert_registry_line(const std::string& registry_text, const std::string& id);

// The generated files' text (scaffold_templates.cpp).
struct ScaffoldNames {
  std::string name;        // acme-crm
  std::string identifier;  // acme_crm
  std::string pascal;      // AcmeCrm
  std::string title;       // Acme Crm
  std::string description;
};
ScaffoldNames scaffold_names(const std::string& name, const std::string& description);
std::string render_connector_source(const ScaffoldNames& names);
std::string render_connector_test(const ScaffoldNames& names);

}  // namespace patchbay::cli
