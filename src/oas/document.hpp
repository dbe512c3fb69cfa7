#pragma once
// Reads a description's text into JSON values: JSON when it starts with '{' or
// '[', YAML (libyaml's event parser; scalars typed by the YAML 1.2 core schema) otherwise. Both
// parsers build iteratively, so nesting is bounded by ImportLimits::max_depth
// rather than by the stack, and YAML aliases are bounded by max_alias_nodes.

#include <memory>
#include <string_view>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "oas/oas.hpp"

namespace patchbay::oas {

// A parsed document. Its values live in one arena, freed at once.
struct Document {
  std::unique_ptr<boost::json::monotonic_resource> arena;
  boost::json::value root;
};

// InvalidArgument for text over the limits, empty text and syntax errors (with
// line:column and which syntax was tried).
core::Result<Document> load_document(std::string_view text, const ImportLimits& limits);

}  // namespace patchbay::oas
