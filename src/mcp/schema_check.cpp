#include "mcp/schema_check.hpp"

#include <cmath>

#include <boost/json/serialize.hpp>

#include "core/json.hpp"

namespace patchbay::mcp {
namespace {

namespace json = boost::json;

bool has_type(const json::value& value, std::string_view type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_bool();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_int64() || value.is_uint64()) return true;
    return value.is_double() && std::isfinite(value.get_double()) &&
           value.get_double() == std::floor(value.get_double());
  }
  return false;
}

std::string join(const json::array& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item.is_string() ? std::string(item.get_string()) : json::serialize(item);
  }
  return out;
}

std::optional<std::uint64_t> bound(const json::object& schema, std::string_view key) {
  const auto* value = schema.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_uint64()) return value->get_uint64();
  if (value->is_int64() && value->get_int64() >= 0) return static_cast<std::uint64_t>(value->get_int64());
  return std::nullopt;
}

std::optional<std::string> check(const json::object& schema, const json::value& value,
                                 const std::string& path) {
  auto problem = [&](const std::string& what) { return path + ": " + what; };

  if (const auto* type = schema.if_contains("type")) {
    bool ok = false;
    std::string wanted;
    if (type->is_string()) {
      ok = has_type(value, type->get_string());
      wanted = type->get_string();
    } else if (type->is_array()) {
      for (const auto& each : type->get_array()) {
        if (each.is_string() && has_type(value, each.get_string())) ok = true;
      }
      wanted = join(type->get_array());
      if (auto last = wanted.rfind(", "); last != std::string::npos) {
        wanted.replace(last, 2, " or ");
      }
    }
    if (!ok) {
      return problem("must be " + wanted + ", not " + std::string(core::json_kind_name(value)));
    }
  }
  if (const auto* allowed = schema.if_contains("enum"); allowed != nullptr && allowed->is_array()) {
    bool found = false;
    for (const auto& each : allowed->get_array()) found = found || each == value;
    if (!found) return problem("must be one of " + join(allowed->get_array()));
  }

  if (const auto* text = value.if_string()) {
    if (auto min = bound(schema, "minLength"); min && text->size() < *min) {
      return problem("must have at least " + std::to_string(*min) + " characters");
    }
    if (auto max = bound(schema, "maxLength"); max && text->size() > *max) {
      return problem("must have at most " + std::to_string(*max) + " characters");
    }
  }

  if (const auto* array = value.if_array()) {
    if (auto min = bound(schema, "minItems"); min && array->size() < *min) {
      return problem("must have at least " + std::to_string(*min) + " items");
    }
    if (auto max = bound(schema, "maxItems"); max && array->size() > *max) {
      return problem("must have at most " + std::to_string(*max) + " items");
    }
    if (const auto* items = schema.if_contains("items"); items != nullptr && items->is_object()) {
      for (std::size_t i = 0; i < array->size(); ++i) {
        auto found = check(items->get_object(), (*array)[i], path + "[" + std::to_string(i) + "]");
        if (found) return found;
      }
    }
  }

  if (const auto* object = value.if_object()) {
    const auto* properties = schema.if_contains("properties");
    const json::object* known = properties != nullptr ? properties->if_object() : nullptr;
    if (const auto* required = schema.if_contains("required"); required && required->is_array()) {
      for (const auto& name : required->get_array()) {
        if (name.is_string() && !object->contains(name.get_string())) {
          return problem("\"" + std::string(name.get_string()) + "\" is required");
        }
      }
    }
    const auto* additional = schema.if_contains("additionalProperties");
    bool closed = additional != nullptr && additional->is_bool() && !additional->get_bool();
    for (const auto& [key, member] : *object) {
      const json::value* sub = known != nullptr ? known->if_contains(key) : nullptr;
      std::string member_path = path + "." + std::string(key);
      if (sub == nullptr) {
        if (closed) {
          std::string names;
          if (known != nullptr) {
            for (const auto& [name, unused] : *known) names += (names.empty() ? "" : ", ") + std::string(name);
          }
          return problem("unknown member \"" + std::string(key) + "\"" +
                         (names.empty() ? std::string() : " (known: " + names + ")"));
        }
        continue;
      }
      if (sub->is_object()) {
        if (auto found = check(sub->get_object(), member, member_path)) return found;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_against_schema(const json::object& schema, const json::value& value) {
  return check(schema, value, "arguments");
}

}  // namespace patchbay::mcp
