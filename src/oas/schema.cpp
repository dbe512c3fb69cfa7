#include "oas/schema.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <boost/json/object.hpp>

#include "core/json.hpp"

namespace patchbay::oas {
namespace {

namespace json = boost::json;

// allOf inside allOf inside ...: deeper than this is not merged.
constexpr int kMaxAllOfDepth = 16;

std::optional<core::FieldType> type_named(std::string_view name) {
  if (name == "string") return core::FieldType::String;
  if (name == "number") return core::FieldType::Number;
  if (name == "integer") return core::FieldType::Integer;
  if (name == "boolean") return core::FieldType::Boolean;
  if (name == "array") return core::FieldType::Array;
  if (name == "object") return core::FieldType::Object;
  return std::nullopt;
}

// "type": "string" or (3.1) "type": ["string", "null"].
std::optional<core::FieldType> read_type(const json::value* type, bool& known) {
  known = false;
  if (type == nullptr) return std::nullopt;
  if (type->is_string()) {
    known = true;
    return type_named(type->get_string());
  }
  if (const auto* names = type->if_array()) {
    std::optional<core::FieldType> only;
    int non_null = 0;
    for (const auto& name : *names) {
      if (!name.is_string() || name.get_string() == "null") continue;
      ++non_null;
      only = type_named(name.get_string());
    }
    known = true;
    return non_null == 1 ? only : std::nullopt;
  }
  return std::nullopt;
}

void merge(Resolver& resolver, Located schema, SchemaTop& top, std::set<const json::value*>& seen,
           int depth, std::string& problem) {
  Located target = resolver.follow(schema, problem);
  if (!target || !target.value->is_object() || depth > kMaxAllOfDepth) return;
  if (!seen.insert(target.value).second) return;  // a cycle through allOf
  const auto& object = target.value->get_object();

  bool type_known = false;
  auto type = read_type(object.if_contains("type"), type_known);
  if (type_known && !top.type) top.type = type;
  if (auto format = core::string_member(object, "format"); format && top.format.empty()) {
    top.format = std::string(*format);
  }
  if (auto text = core::string_member(object, "description"); text && top.description.empty()) {
    top.description = std::string(*text);
  }
  auto first = [&](const json::value*& slot, std::string_view key) {
    if (slot == nullptr) slot = object.if_contains(key);
  };
  first(top.enum_values, "enum");
  first(top.default_value, "default");
  first(top.minimum, "minimum");
  first(top.maximum, "maximum");
  if (object.contains("oneOf") || object.contains("anyOf")) top.alternatives = true;

  if (const auto* properties = object.if_contains("properties"); properties && properties->is_object()) {
    for (const auto& member : properties->get_object()) {
      std::string_view key = member.key();
      bool present = std::any_of(top.properties.begin(), top.properties.end(),
                                 [key](const auto& p) { return p.first == key; });
      if (!present) {
        top.properties.emplace_back(std::string(key), Located{&member.value(), target.document});
      }
    }
  }
  if (const auto* required = object.if_contains("required"); required && required->is_array()) {
    for (const auto& name : required->get_array()) {
      if (name.is_string()) top.required.emplace_back(name.get_string());
    }
  }
  if (const auto* all_of = object.if_contains("allOf"); all_of && all_of->is_array()) {
    for (const auto& member : all_of->get_array()) {
      merge(resolver, Located{&member, target.document}, top, seen, depth + 1, problem);
    }
  }
  if (!top.type && !top.properties.empty()) top.type = core::FieldType::Object;
  if (!top.type && object.contains("items")) top.type = core::FieldType::Array;
}

std::optional<double> number_of(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  if (value->is_uint64()) return static_cast<double>(value->get_uint64());
  if (value->is_double() && std::isfinite(value->get_double())) return value->get_double();
  return std::nullopt;
}

// Whether a value from the description can go into the draft as it is: JSON has
// no Infinity or NaN (YAML's .inf, JSON's 1e400), and a draft must stay within
// the nesting an ordinary request body may have.
bool portable(const json::value& value, int depth = 0) {
  constexpr int kMaxDepth = 8;
  if (depth > kMaxDepth) return false;
  if (value.is_double()) return std::isfinite(value.get_double());
  if (const auto* array = value.if_array()) {
    return std::all_of(array->begin(), array->end(),
                       [depth](const json::value& item) { return portable(item, depth + 1); });
  }
  if (const auto* object = value.if_object()) {
    return std::all_of(object->begin(), object->end(), [depth](const json::key_value_pair& item) {
      return portable(item.value(), depth + 1);
    });
  }
  return true;
}

}  // namespace

SchemaTop read_schema(Resolver& resolver, Located schema, std::string& problem) {
  SchemaTop top;
  std::set<const json::value*> seen;
  merge(resolver, schema, top, seen, 0, problem);
  if (top.alternatives && top.properties.empty()) top.type.reset();
  return top;
}

core::FieldSpec field_from_schema(std::string name, const SchemaTop& schema,
                                  std::string_view description, bool required,
                                  std::string& dropped) {
  core::FieldSpec field;
  field.name = std::move(name);
  field.type = schema.type;
  field.required = required;
  field.description =
      short_description(description.empty() ? std::string_view(schema.description) : description);
  bool numeric = schema.type == core::FieldType::Number || schema.type == core::FieldType::Integer;
  if (numeric) {
    field.minimum = number_of(schema.minimum);
    field.maximum = number_of(schema.maximum);
  }
  if (schema.enum_values && schema.enum_values->is_array()) {
    for (const auto& value : schema.enum_values->get_array()) {
      if (!value.is_null() && !value.is_object() && !value.is_array() && portable(value)) {
        // Copied out of the document's arena, which the draft outlives.
        field.enum_values.emplace_back(value, json::storage_ptr());
      }
    }
  }
  if (schema.default_value && !schema.default_value->is_null()) {
    if (portable(*schema.default_value)) {
      field.default_value = json::value(*schema.default_value, json::storage_ptr());
    } else {
      dropped = "default " + core::json_preview(*schema.default_value);
    }
  }
  // What the description says may not hold together (a default outside the enum,
  // minimum above maximum); keep what validates.
  std::vector<core::FieldError> errors;
  core::validate_field_spec(field, field.name, errors);
  if (!errors.empty() && field.default_value) {
    dropped = "default " + core::json_preview(*field.default_value);
    field.default_value.reset();
    errors.clear();
    core::validate_field_spec(field, field.name, errors);
  }
  if (!errors.empty()) {
    field.minimum.reset();
    field.maximum.reset();
    if (!dropped.empty()) dropped += ", ";
    dropped += "bounds";
  }
  return field;
}

std::string short_description(std::string_view text, std::size_t limit) {
  auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  text.remove_prefix(start);
  auto paragraph = text.find("\n\n");
  if (paragraph != std::string_view::npos) text = text.substr(0, paragraph);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  std::string out;
  out.reserve(std::min(text.size(), limit));
  for (char c : text) {
    if (out.size() >= limit) break;
    out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  if (text.size() > limit) {
    // Do not end inside a UTF-8 sequence.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "…";
  }
  return out;
}

}  // namespace patchbay::oas
