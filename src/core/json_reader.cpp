#include "core/json_reader.hpp"

#include <algorithm>
#include <cmath>

#include "core/json.hpp"

namespace patchbay::core {

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

bool read_bool(const json::object& object, std::string_view key, const std::string& path,
               std::vector<FieldError>& errors) {
  const auto* v = object.if_contains(key);
  if (v == nullptr || v->is_null()) return false;
  if (!v->is_bool()) {
    errors.push_back({child_path(path, key), "must be true or false"});
    return false;
  }
  return v->get_bool();
}

std::string read_string(const json::object& object, std::string_view key, const std::string& path,
                        std::vector<FieldError>& errors) {
  const auto* v = object.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_string()) {
    errors.push_back(
        {child_path(path, key), "must be a string, got " + std::string(json_kind_name(*v))});
    return {};
  }
  return std::string(v->get_string());
}

std::optional<double> read_number(const json::object& object, std::string_view key,
                                  const std::string& path, std::vector<FieldError>& errors) {
  const auto* v = object.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  // JSON allows exponents no double holds (1e400, and 0e400 which some parsers
  // read as NaN); such bounds would make every comparison false.
  if (!v->is_number() || !std::isfinite(v->to_number<double>())) {
    errors.push_back({child_path(path, key), "must be a finite number"});
    return std::nullopt;
  }
  return v->to_number<double>();
}

std::vector<std::string> read_string_list(const json::value& value, const std::string& path,
                                          std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  const auto* array = value.if_array();
  if (array == nullptr) {
    errors.push_back(
        {path, "must be an array of strings, got " + std::string(json_kind_name(value))});
    return out;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& item = (*array)[i];
    if (!item.is_string()) {
      errors.push_back({index_path(path, i), "must be a string, got " + json_preview(item)});
      continue;
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

void reject_unknown_keys(const json::object& object, std::span<const char* const> known,
                         const std::string& path, std::vector<FieldError>& errors) {
  for (const auto& entry : object) {
    bool found =
        std::any_of(known.begin(), known.end(), [&](const char* k) { return entry.key() == k; });
    if (found) continue;
    std::string allowed;
    for (const auto* k : known) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
    errors.push_back({child_path(path, entry.key()), "unknown key; allowed keys are " + allowed});
  }
}

}  // namespace patchbay::core
