#pragma once
// oas: an OpenAPI description (Swagger 2.0, OpenAPI 3.0.x or 3.1.x; JSON or YAML)
// to a draft connector definition, as seed 001's POST /api/connectors/parse-oas
// returns it: one command per operation, a connectionConfig derived from the
// servers and security schemes, and a generated script (executionModel "oas") that
// implements every command with the floh.* API.
//
// The importer never dereferences the whole document: it follows local $refs only
// where the draft needs them (parameters, request bodies, responses, path items and
// the top level of schemas), with cycle detection, which is what keeps it fast on
// 10+ MB descriptions. Everything it skips or degrades is reported as a warning.
//
// Thread-safety: every function is reentrant; nothing is shared between calls.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace patchbay::oas {

// What input may cost before it is refused with InvalidArgument.
struct ImportLimits {
  std::size_t max_bytes = 64 * 1024 * 1024;  // the description's text
  std::size_t max_depth = 256;               // nesting of objects and arrays
  std::size_t max_ref_chain = 64;            // $ref -> $ref -> ... hops
  // Values an alias may copy in a YAML document, beyond the document's own
  // (a "billion laughs" document is refused rather than expanded).
  std::size_t max_alias_nodes = 1'000'000;
};

struct ImportOptions {
  // Keep only these operations, by command name or operationId (the seed UI's
  // "select/deselect commands" step). Empty keeps all. An unknown name is an error.
  std::vector<std::string> select;
  // The draft's name and type; empty derives a slug from info.title.
  std::string name;
  // Reads the document an external $ref names ("common.yaml" of
  // "common.yaml#/components/schemas/Id"). Unset: external refs are reported as
  // warnings and what they describe is left untyped.
  std::function<core::Result<std::string>(std::string_view ref)> load_external;
  ImportLimits limits;
};

enum class WarningKind {
  Skipped,   // the operation has no command
  Degraded,  // the command exists but does less than the description says
  Note,      // about the document as a whole (no test command, webhooks, ...)
};
std::string_view to_string(WarningKind kind);

struct ImportWarning {
  WarningKind kind = WarningKind::Note;
  // JSON pointer into the description ("#/paths/~1pets/get"), or "" for the document.
  std::string pointer;
  std::string message;
};

struct Draft {
  // A connector definition in seed 001's shape, ready for POST /api/connectors.
  boost::json::object definition;
  std::vector<ImportWarning> warnings;
  std::size_t operations = 0;  // operations in the description (before `select`)
  std::string spec_version;    // "2.0", "3.0.3", "3.1.0", ...
};

// Reads a description from text (JSON or YAML, told apart by content).
// InvalidArgument names what is wrong (with line:column for syntax errors).
core::Result<Draft> import_text(std::string_view text, const ImportOptions& options = {});
// The same for a description already parsed as JSON.
core::Result<Draft> import_document(const boost::json::value& document,
                                    const ImportOptions& options = {});

// The parse-oas answer: the definition's members plus "warnings" (each
// {kind, pointer, message}) — POST /api/connectors ignores "warnings", so the draft
// can be posted unchanged.
boost::json::object to_json(const Draft& draft);

}  // namespace patchbay::oas
