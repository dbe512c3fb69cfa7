#pragma once
// The top of a JSON Schema as the draft needs it: its type, enum, default and
// bounds for a param's FieldSpec, and its top-level properties (allOf merged) to
// flatten a request body into params or to list a response's outputs. Nested
// schemas are never walked, so recursive schemas cost nothing.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/field_spec.hpp"
#include "oas/refs.hpp"

namespace patchbay::oas {

struct SchemaTop {
  std::optional<core::FieldType> type;  // nullopt: any value (oneOf, anyOf, no type)
  std::string format;
  std::string description;
  const boost::json::value* enum_values = nullptr;
  const boost::json::value* default_value = nullptr;
  const boost::json::value* minimum = nullptr;
  const boost::json::value* maximum = nullptr;
  // Top-level properties in declaration order, allOf members merged.
  std::vector<std::pair<std::string, Located>> properties;
  std::vector<std::string> required;
  bool alternatives = false;  // oneOf/anyOf at the top: not flattened
};

// Reads `schema` (following $refs and allOf). Problems (broken refs) go to
// `problem`; what could be read is still returned.
SchemaTop read_schema(Resolver& resolver, Located schema, std::string& problem);

// A field for a param or connection value: type, enum, default, bounds and the
// description (`description` wins over the schema's). Defaults and enums that
// would not validate are dropped and named in `dropped`.
core::FieldSpec field_from_schema(std::string name, const SchemaTop& schema,
                                  std::string_view description, bool required,
                                  std::string& dropped);

// The first paragraph of a description, at most `limit` characters.
std::string short_description(std::string_view text, std::size_t limit = 300);

}  // namespace patchbay::oas
