#pragma once
// FieldSpec: one connection-config field or one command parameter, as the
// seed's JSON writes it: {"type": "number", "required": true, "default": 50, ...}.
// The dispatcher checks values against it with check_field_value().

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "core/result.hpp"

namespace patchbay::core {

enum class FieldType { String, Number, Integer, Boolean, Date, Select, Array, Object, Raw };

// Wire spelling: "string", "number", "integer", "boolean", "date", "select",
// "array", "object", "raw".
std::string_view to_string(FieldType type);
std::optional<FieldType> parse_field_type(std::string_view text);

struct FieldSpec {
  std::string name;
  // Absent in the JSON means untyped: any value is accepted (like kind Raw).
  std::optional<FieldType> type;
  bool required = false;
  // Secret values are encrypted at rest, masked in API output and redacted in logs.
  bool secret = false;
  std::string description;
  std::string label;                                // UI hint
  std::string placeholder;                          // UI hint
  std::optional<boost::json::value> default_value;  // "default"
  // Allowed values of a select ("options"): scalars or {"value", "label"} objects.
  std::vector<boost::json::value> options;
  // Allowed values of any type ("enum").
  std::vector<boost::json::value> enum_values;
  std::optional<double> minimum;  // numbers and integers only
  std::optional<double> maximum;  // numbers and integers only

  FieldType effective_type() const { return type.value_or(FieldType::Raw); }
};

// Reads one field spec. `path` prefixes the paths of any problems added to `errors`.
FieldSpec parse_field_spec(std::string name, const boost::json::value& json,
                           const std::string& path, std::vector<FieldError>& errors);
boost::json::object to_json(const FieldSpec& field);

// Problems with the spec itself (default outside the enum, min above max, ...),
// for definitions built in C++ rather than parsed.
void validate_field_spec(const FieldSpec& field, const std::string& path,
                         std::vector<FieldError>& errors);

// Checks a value against a field and returns the value to use. Lossless string
// forms are coerced, because step configs often arrive as text from templates and
// the CLI: "10" for a number, "true"/"false" for a boolean, and numbers or booleans
// for a string. The error is a phrase like `expected number, got string "abc"`.
Result<boost::json::value> check_field_value(const FieldSpec& field,
                                             const boost::json::value& value);

// True when a value counts as not provided for a required field: absent, null or "".
bool is_missing_value(const boost::json::value* value);

}  // namespace patchbay::core
