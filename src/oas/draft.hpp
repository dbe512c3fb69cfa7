#pragma once
// draft_of(): the one place a Model becomes a draft connector definition — the
// configSchema (baseUrl, the security schemes' fields, one command per operation
// and `test`) and the generated script. Imported OpenAPI descriptions
// (import.cpp) and connector descriptions (describe.cpp) both end here, so their
// drafts are written by the same code. Internal to oas/.

#include <cstddef>
#include <string>
#include <vector>

#include "core/connector_definition.hpp"
#include "core/result.hpp"
#include "oas/model.hpp"
#include "oas/oas.hpp"

namespace patchbay::oas {

// Script connectors are refused above this size (script::ScriptLimits'
// max_source_bytes); a draft over it still imports, with a note.
inline constexpr std::size_t kScriptSizeLimit = 1024 * 1024;

struct DraftOptions {
  // Keep only these operations, by command name or operationId (ImportOptions).
  std::vector<std::string> select;
  // The draft's name and type; empty derives a slug from the model's title.
  std::string name;
  std::string version = "1.0.0";
  core::ExecutionModel execution_model = core::ExecutionModel::Oas;
  // The command whose operation backs `test`; empty picks the cheapest GET (no
  // required params, no path variables, shortest path) or none, with a note. A
  // command no kept operation has is InvalidArgument.
  std::string test_command;
};

// Operations whose `command` is empty are named from their operationId (or method
// and path); named ones keep their names, which must be distinct identifiers that
// are not reserved (naming.hpp). InvalidArgument for a `select` or `test_command`
// naming no operation; Internal if the draft does not validate (a bug).
core::Result<Draft> draft_of(Model& model, const DraftOptions& options);

}  // namespace patchbay::oas
