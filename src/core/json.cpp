#include "core/json.hpp"

#include <cmath>
#include <cstdint>

#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

namespace patchbay::core {

std::string_view json_kind_name(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "value";
}

std::string json_preview(const json::value& value, std::size_t max_chars) {
  std::string text = json::serialize(value);
  if (text.size() > max_chars) {
    text.resize(max_chars);
    text += "...";
  }
  if (value.is_null()) return text;
  return std::string(json_kind_name(value)) + " " + text;
}

namespace {
// Boost.JSON reads 1e400 as Infinity and 0e400 as NaN, and would write them back as
// the invalid tokens Infinity and NaN; such documents are refused at the door.
bool has_non_finite_number(const json::value& value) {
  if (value.is_double()) return !std::isfinite(value.get_double());
  if (const auto* array = value.if_array()) {
    for (const auto& item : *array) {
      if (has_non_finite_number(item)) return true;
    }
  } else if (const auto* object = value.if_object()) {
    for (const auto& entry : *object) {
      if (has_non_finite_number(entry.value())) return true;
    }
  }
  return false;
}
}  // namespace

Result<json::value> parse_json(std::string_view text, std::size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  // The parser's working stack starts in this buffer, so small documents (most
  // API bodies) parse without allocating for it; larger ones grow onto the heap.
  unsigned char scratch[2048];
  json::parser parser({}, options, scratch, sizeof scratch);
  boost::system::error_code ec;
  std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (ec) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Error{ErrorCode::InvalidArgument,
                 "invalid JSON at line " + std::to_string(line) + ", column " +
                     std::to_string(column) + ": " + ec.message(),
                 json::object{{"line", line}, {"column", column}}};
  }
  json::value value = parser.release();
  // The depth limit bounds this recursion.
  if (has_non_finite_number(value)) {
    return Error{ErrorCode::InvalidArgument,
                 "invalid JSON: a number is too large or too small to represent (e.g. 1e400)",
                 {}};
  }
  return value;
}

json::value number_value(double value) {
  constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) <= kMaxExactInteger) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

namespace {
void write_pretty(const json::value& value, std::string& out, std::size_t depth) {
  auto indent = [&](std::size_t n) { out.append(n * 2, ' '); };
  if (const auto* obj = value.if_object(); obj && !obj->empty()) {
    out += "{\n";
    std::size_t i = 0;
    for (const auto& entry : *obj) {
      indent(depth + 1);
      out += json::serialize(json::string(entry.key()));
      out += ": ";
      write_pretty(entry.value(), out, depth + 1);
      out += ++i < obj->size() ? ",\n" : "\n";
    }
    indent(depth);
    out += "}";
  } else if (const auto* arr = value.if_array(); arr && !arr->empty()) {
    out += "[\n";
    for (std::size_t j = 0; j < arr->size(); ++j) {
      indent(depth + 1);
      write_pretty((*arr)[j], out, depth + 1);
      out += j + 1 < arr->size() ? ",\n" : "\n";
    }
    indent(depth);
    out += "]";
  } else {
    out += json::serialize(value);
  }
}
}  // namespace

std::string json_pretty(const json::value& value) {
  std::string out;
  write_pretty(value, out, 0);
  return out;
}

std::string json_to_display_string(const json::value& value) {
  if (const auto* s = value.if_string()) return std::string(*s);
  return json::serialize(value);
}

std::optional<std::string_view> string_member(const json::object& object, std::string_view key) {
  const auto* found = object.if_contains(key);
  if (found == nullptr || !found->is_string()) return std::nullopt;
  return std::string_view(found->get_string());
}

}  // namespace patchbay::core
