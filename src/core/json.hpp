#pragma once
// JSON helpers on top of Boost.JSON, the one JSON library in patchbay.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include "core/result.hpp"

namespace patchbay::core {

namespace json = boost::json;

// "string", "number", "boolean", "null", "object" or "array": the words error
// messages use for a value's kind.
std::string_view json_kind_name(const json::value& value);

// The value serialized and cut to at most `max_chars`, for error messages:
// `string "abc"`, `number 42`, `object {"a":1,...}`.
std::string json_preview(const json::value& value, std::size_t max_chars = 60);

// Parses `text` as one JSON document; the error names line and column. Nesting
// deeper than `max_depth` (objects and arrays) is refused.
inline constexpr std::size_t kDefaultJsonDepth = 32;
Result<json::value> parse_json(std::string_view text, std::size_t max_depth = kDefaultJsonDepth);

// A value as it reads in a message or a log line: strings unquoted, the rest serialized.
std::string json_to_display_string(const json::value& value);

// A JSON number for `value`: an integer when it is integral and exactly
// representable, so 10.0 reads "10" rather than Boost.JSON's "1E1".
json::value number_value(double value);

// Serializes with two-space indentation, for people reading CLI output.
std::string json_pretty(const json::value& value);

// Reads an object's string member, or nullopt when it is absent or not a string.
std::optional<std::string_view> string_member(const json::object& object, std::string_view key);

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
Result<T> convert_member(const json::value& value, std::string_view name) {
  auto converted = json::try_value_to<T>(value);
  if (converted) return std::move(*converted);
  return Error{ErrorCode::InvalidArgument,
               std::string(name) + ": cannot read " + json_preview(value) + " as the declared type",
               {}};
}
}  // namespace detail

// Converts a JSON object to a struct described with BOOST_DESCRIBE_STRUCT. Members
// of type std::optional<U> may be absent or null; every other member must be
// present. Keys without a member are ignored. This is how built-in handlers get
// typed params and connection fields (see connectors/define/define_connector.hpp).
template <class T>
Result<T> from_object(const json::object& object) {
  T out{};
  std::optional<Error> failure;
  using Members = boost::describe::describe_members<T, boost::describe::mod_public>;
  boost::mp11::mp_for_each<Members>([&](auto member) {
    if (failure) return;
    using M = std::remove_cvref_t<decltype(out.*member.pointer)>;
    const json::value* found = object.if_contains(member.name);
    if (found == nullptr || found->is_null()) {
      if constexpr (!detail::is_optional<M>::value) {
        failure = Error{
            ErrorCode::InvalidArgument, std::string(member.name) + ": required but absent", {}};
      }
      return;
    }
    if constexpr (detail::is_optional<M>::value) {
      auto converted = detail::convert_member<typename M::value_type>(*found, member.name);
      if (!converted) {
        failure = converted.error();
        return;
      }
      out.*member.pointer = std::move(*converted);
    } else {
      auto converted = detail::convert_member<M>(*found, member.name);
      if (!converted) {
        failure = converted.error();
        return;
      }
      out.*member.pointer = std::move(*converted);
    }
  });
  if (failure) return *failure;
  return out;
}

}  // namespace patchbay::core
