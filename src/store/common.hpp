#pragma once
// What the store implementations share: the contract's error messages (both
// stores word every error the same way, and test/store/store_test.cpp compares
// them), the defaults a store assigns, and decoding of JSON columns. Internal to
// store/.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/json.hpp"
#include "store/store.hpp"

namespace patchbay::store {

inline core::Error connector_name_taken(std::string_view name) {
  return {core::ErrorCode::Conflict,
          "a connector named '" + std::string(name) + "' already exists",
          {}};
}
inline core::Error connector_not_found(std::string_view key) {
  return {core::ErrorCode::NotFound, "connector '" + std::string(key) + "' not found", {}};
}
inline core::Error connector_changed(std::string_view name, std::int64_t stored,
                                     std::int64_t given) {
  return {core::ErrorCode::Conflict,
          "connector '" + std::string(name) + "' was changed by someone else (revision " +
              std::to_string(stored) + ", not " + std::to_string(given) +
              "); read it again and retry",
          {}};
}
inline core::Error connector_type_not_found(std::string_view name) {
  return {core::ErrorCode::NotFound, "connector type '" + std::string(name) + "' not found", {}};
}
inline core::Error execution_not_found(std::string_view id) {
  return {core::ErrorCode::NotFound, "execution '" + std::string(id) + "' not found", {}};
}
inline core::Error execution_exists(std::string_view id) {
  return {core::ErrorCode::Conflict, "execution '" + std::string(id) + "' already exists", {}};
}
inline core::Error token_name_taken(std::string_view name) {
  return {
      core::ErrorCode::Conflict, "a token named '" + std::string(name) + "' already exists", {}};
}
inline core::Error unknown_token() {
  return {core::ErrorCode::Unauthenticated, "unknown token", {}};
}
inline core::Error no_active_token(std::string_view key) {
  return {core::ErrorCode::NotFound, "no active token '" + std::string(key) + "'", {}};
}

// Gives an execution the id and start time a store assigns when they are empty.
inline void assign_execution_defaults(ExecutionRecord& record) {
  if (record.id.empty()) record.id = new_id("x_");
  if (record.started_at.empty()) record.started_at = now_rfc3339();
}

// A JSON column's object; {} for anything else (the store only ever writes objects).
inline boost::json::object object_from(const std::string& text) {
  auto parsed = core::parse_json(text);
  return parsed && parsed->is_object() ? parsed->get_object() : boost::json::object{};
}

}  // namespace patchbay::store
