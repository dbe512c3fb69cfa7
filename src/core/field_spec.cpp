#include "core/field_spec.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <boost/json/serialize.hpp>

#include "core/json.hpp"
#include "core/json_reader.hpp"

namespace patchbay::core {
namespace {

constexpr std::array kFieldKeys = {"type",  "required",    "secret",  "description",
                                   "label", "placeholder", "default", "options",
                                   "enum",  "minimum",     "maximum"};

struct TypeName {
  FieldType type;
  std::string_view name;
};
constexpr std::array kTypeNames = {
    TypeName{FieldType::String, "string"},   TypeName{FieldType::Number, "number"},
    TypeName{FieldType::Integer, "integer"}, TypeName{FieldType::Boolean, "boolean"},
    TypeName{FieldType::Date, "date"},       TypeName{FieldType::Select, "select"},
    TypeName{FieldType::Array, "array"},     TypeName{FieldType::Object, "object"},
    TypeName{FieldType::Raw, "raw"}};

std::string allowed_list() {
  std::string out;
  for (const auto& t : kTypeNames) {
    if (!out.empty()) out += ", ";
    out += t.name;
  }
  return out;
}

std::vector<json::value> read_values(const json::object& obj, std::string_view key,
                                     const std::string& path, std::vector<FieldError>& errors) {
  const auto* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_array()) {
    errors.push_back({child_path(path, key), "must be an array of allowed values"});
    return {};
  }
  return {v->get_array().begin(), v->get_array().end()};
}

// The comparable value of a select option: its "value" member, or the option itself.
const json::value& option_value(const json::value& option) {
  if (const auto* obj = option.if_object()) {
    if (const auto* v = obj->if_contains("value")) return *v;
  }
  return option;
}

bool number_text(std::string_view text, double& out) {
  if (text.empty() || text.size() > 64) return false;
  std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && std::isfinite(out) &&
         copy.find_first_of(" \t\n") == std::string::npos;
}

bool digits_at(std::string_view s, std::size_t at, std::size_t count, int& out) {
  if (at + count > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// YYYY-MM-DD, optionally followed by THH:MM[:SS[.fraction]] and Z or +HH:MM.
bool is_iso_date(std::string_view s) {
  int year = 0, month = 0, day = 0;
  if (s.size() < 10 || !digits_at(s, 0, 4, year) || s[4] != '-' || !digits_at(s, 5, 2, month) ||
      s[7] != '-' || !digits_at(s, 8, 2, day)) {
    return false;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return false;
  if (s.size() == 10) return true;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  int hour = 0, minute = 0, second = 0;
  if (!digits_at(s, 11, 2, hour) || s.size() < 16 || s[13] != ':' || !digits_at(s, 14, 2, minute) ||
      hour > 23 || minute > 59) {
    return false;
  }
  std::size_t at = 16;
  if (at < s.size() && s[at] == ':') {
    if (!digits_at(s, at + 1, 2, second) || second > 60) return false;
    at += 3;
    if (at < s.size() && s[at] == '.') {
      std::size_t start = ++at;
      while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
      if (at == start) return false;
    }
  }
  if (at == s.size()) return true;
  if ((s[at] == 'Z' || s[at] == 'z') && at + 1 == s.size()) return true;
  int oh = 0, om = 0;
  return (s[at] == '+' || s[at] == '-') && at + 6 == s.size() && digits_at(s, at + 1, 2, oh) &&
         s[at + 3] == ':' && digits_at(s, at + 4, 2, om) && oh <= 23 && om <= 59;
}

std::string mismatch(std::string_view expected, const json::value& got) {
  return "expected " + std::string(expected) + ", got " + json_preview(got);
}

// The allowed value `value` stands for, or null when it is not allowed.
const json::value* find_allowed(const std::vector<json::value>& allowed, const json::value& value) {
  for (const auto& a : allowed) {
    const auto& candidate = option_value(a);
    if (candidate == value) return &candidate;
    // "5" from a template stands for the option 5.
    if (value.is_string() && !candidate.is_string() && !candidate.is_structured() &&
        json::serialize(candidate) == value.get_string()) {
      return &candidate;
    }
  }
  return nullptr;
}

std::string allowed_values_text(const std::vector<json::value>& allowed) {
  std::string out;
  for (const auto& a : allowed) {
    if (!out.empty()) out += ", ";
    out += json::serialize(option_value(a));
  }
  return out;
}

// The coerced value, or an error phrase, for the field's type alone.
Result<json::value> check_type(const FieldSpec& field, const json::value& value) {
  auto fail = [&](std::string_view expected) {
    return Error{ErrorCode::InvalidArgument, mismatch(expected, value), {}};
  };
  switch (field.effective_type()) {
    case FieldType::Raw:
    case FieldType::Select:
      return value;
    case FieldType::String:
      if (value.is_string()) return value;
      if (value.is_number() || value.is_bool()) return json::value(json::serialize(value));
      return fail("string");
    case FieldType::Number:
    case FieldType::Integer: {
      bool integer = field.effective_type() == FieldType::Integer;
      std::string_view expected = integer ? "integer" : "number";
      json::value number;
      if (value.is_number()) {
        if (!std::isfinite(value.to_number<double>()))
          return fail("finite " + std::string(expected));
        number = value;
      } else if (value.is_string()) {
        double parsed = 0;
        if (!number_text(value.get_string(), parsed)) return fail(expected);
        number = number_value(parsed);
      } else {
        return fail(expected);
      }
      double d = number.to_number<double>();
      if (integer && d != std::trunc(d)) return fail("integer");
      if (field.minimum && d < *field.minimum) {
        return Error{ErrorCode::InvalidArgument,
                     "must be at least " + json::serialize(number_value(*field.minimum)) +
                         ", got " + json::serialize(number),
                     {}};
      }
      if (field.maximum && d > *field.maximum) {
        return Error{ErrorCode::InvalidArgument,
                     "must be at most " + json::serialize(number_value(*field.maximum)) + ", got " +
                         json::serialize(number),
                     {}};
      }
      return number;
    }
    case FieldType::Boolean:
      if (value.is_bool()) return value;
      if (value.is_string() && value.get_string() == "true") return json::value(true);
      if (value.is_string() && value.get_string() == "false") return json::value(false);
      return fail("boolean");
    case FieldType::Date:
      if (value.is_string() && is_iso_date(value.get_string())) return value;
      return fail("date (YYYY-MM-DD or RFC 3339 date-time)");
    case FieldType::Array:
      if (value.is_array()) return value;
      return fail("array");
    case FieldType::Object:
      if (value.is_object()) return value;
      return fail("object");
  }
  return value;
}

}  // namespace

std::string_view to_string(FieldType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "raw";
}

std::optional<FieldType> parse_field_type(std::string_view text) {
  for (const auto& t : kTypeNames) {
    if (t.name == text) return t.type;
  }
  return std::nullopt;
}

FieldSpec parse_field_spec(std::string name, const json::value& json, const std::string& path,
                           std::vector<FieldError>& errors) {
  FieldSpec field;
  field.name = std::move(name);
  const auto* obj = json.if_object();
  if (obj == nullptr) {
    errors.push_back({path, "must be an object like {\"type\": \"string\"}, got " +
                                std::string(json_kind_name(json))});
    return field;
  }
  reject_unknown_keys(*obj, kFieldKeys, path, errors);
  if (const auto* t = obj->if_contains("type"); t != nullptr && !t->is_null()) {
    if (!t->is_string()) {
      errors.push_back({child_path(path, "type"), "must be one of " + allowed_list()});
    } else if (auto parsed = parse_field_type(t->get_string())) {
      field.type = parsed;
    } else {
      errors.push_back({child_path(path, "type"), "unknown type '" + std::string(t->get_string()) +
                                                      "'; use one of " + allowed_list()});
    }
  }
  field.required = read_bool(*obj, "required", path, errors);
  field.secret = read_bool(*obj, "secret", path, errors);
  field.description = read_string(*obj, "description", path, errors);
  field.label = read_string(*obj, "label", path, errors);
  field.placeholder = read_string(*obj, "placeholder", path, errors);
  if (const auto* d = obj->if_contains("default"); d != nullptr && !d->is_null()) {
    field.default_value = *d;
  }
  field.options = read_values(*obj, "options", path, errors);
  field.enum_values = read_values(*obj, "enum", path, errors);
  field.minimum = read_number(*obj, "minimum", path, errors);
  field.maximum = read_number(*obj, "maximum", path, errors);
  validate_field_spec(field, path, errors);
  return field;
}

void validate_field_spec(const FieldSpec& field, const std::string& path,
                         std::vector<FieldError>& errors) {
  auto type = field.effective_type();
  if (type == FieldType::Select && field.options.empty()) {
    errors.push_back({child_path(path, "options"), "a select field needs at least one option"});
  }
  if (type != FieldType::Select && !field.options.empty()) {
    errors.push_back({child_path(path, "options"), "only select fields have options; use enum"});
  }
  if ((field.minimum || field.maximum) && type != FieldType::Number && type != FieldType::Integer) {
    errors.push_back({path, "minimum and maximum apply to number and integer fields only"});
  }
  if (field.minimum && field.maximum && *field.minimum > *field.maximum) {
    errors.push_back({child_path(path, "minimum"), "is greater than maximum"});
  }
  if (field.default_value) {
    auto checked = check_field_value(field, *field.default_value);
    if (!checked) errors.push_back({child_path(path, "default"), checked.error().message});
  }
}

json::object to_json(const FieldSpec& field) {
  json::object out;
  if (field.type) out["type"] = to_string(*field.type);
  if (field.required) out["required"] = true;
  if (field.secret) out["secret"] = true;
  if (!field.description.empty()) out["description"] = field.description;
  if (!field.label.empty()) out["label"] = field.label;
  if (!field.placeholder.empty()) out["placeholder"] = field.placeholder;
  if (field.default_value) out["default"] = *field.default_value;
  if (!field.options.empty())
    out["options"] = json::array(field.options.begin(), field.options.end());
  if (!field.enum_values.empty()) {
    out["enum"] = json::array(field.enum_values.begin(), field.enum_values.end());
  }
  if (field.minimum) out["minimum"] = number_value(*field.minimum);
  if (field.maximum) out["maximum"] = number_value(*field.maximum);
  return out;
}

Result<json::value> check_field_value(const FieldSpec& field, const json::value& value) {
  auto typed = check_type(field, value);
  if (!typed) return typed;
  json::value result = std::move(*typed);
  auto restrict_to = [&](const std::vector<json::value>& allowed) -> std::optional<Error> {
    const json::value* match = find_allowed(allowed, result);
    if (match == nullptr) {
      return Error{
          ErrorCode::InvalidArgument,
          "must be one of " + allowed_values_text(allowed) + ", got " + json_preview(result),
          {}};
    }
    result = *match;
    return std::nullopt;
  };
  if (field.effective_type() == FieldType::Select) {
    if (auto error = restrict_to(field.options)) return *error;
  }
  if (!field.enum_values.empty()) {
    if (auto error = restrict_to(field.enum_values)) return *error;
  }
  return result;
}

bool is_missing_value(const json::value* value) {
  return value == nullptr || value->is_null() ||
         (value->is_string() && value->get_string().empty());
}

}  // namespace patchbay::core
