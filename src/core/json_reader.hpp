#pragma once
// Reading a JSON document field by field while collecting every problem as
// {path, message}, so a user sees all mistakes at once. Internal to core: the
// definition and field-spec parsers share it.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/error.hpp"

namespace patchbay::core {

// "a.b" (or "b" at the root) and "a[3]".
std::string child_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, std::size_t index);

// Each reader returns the default (false, "", nullopt, {}) for an absent or null
// member, and records a problem at path.key when the member has the wrong kind.
bool read_bool(const boost::json::object& object, std::string_view key, const std::string& path,
               std::vector<FieldError>& errors);
std::string read_string(const boost::json::object& object, std::string_view key,
                        const std::string& path, std::vector<FieldError>& errors);
std::optional<double> read_number(const boost::json::object& object, std::string_view key,
                                  const std::string& path, std::vector<FieldError>& errors);
// `value` itself must be an array of strings.
std::vector<std::string> read_string_list(const boost::json::value& value, const std::string& path,
                                          std::vector<FieldError>& errors);

// Records "unknown key; allowed keys are ..." for every member not in `known`.
void reject_unknown_keys(const boost::json::object& object, std::span<const char* const> known,
                         const std::string& path, std::vector<FieldError>& errors);

}  // namespace patchbay::core
