#include "oas/document.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <yaml.h>

namespace patchbay::oas {
namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;


// "line 3, column 14" for a byte offset.
std::string position_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

core::Result<json::value> parse_json_text(std::string_view text, const ImportLimits& limits,
                                          json::storage_ptr storage) {
  json::parse_options options;
  options.max_depth = limits.max_depth;
  json::stream_parser parser({}, options);
  parser.reset(std::move(storage));  // where the values go (the constructor's is scratch)
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) {
    // Only whitespace may follow the document.
    auto rest = text.substr(consumed);
    if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      return core::invalid_argument("not valid JSON: unexpected text after the document at " +
                     position_of(text, consumed + rest.find_first_not_of(" \t\r\n")));
    }
  }
  if (!ec) parser.finish(ec);
  if (ec) {
    std::string reason = ec.message();
    if (ec == json::error::too_deep) {
      reason = "nested deeper than " + std::to_string(limits.max_depth) + " levels";
    }
    return core::invalid_argument("not valid JSON: " + reason + " at " + position_of(text, consumed));
  }
  return parser.release();
}

// ---------------------------------------------------------------------------
// YAML through libyaml's event parser. (libfyaml, which Debian 12 ships as
// 0.7.12, was the first choice; fuzzing found a hang, a crash and a leak in it that
// are fixed only upstream: see test/fuzz/corpus/oas_import/.)

// A plain scalar's value under the YAML 1.2 core schema.
json::value plain_scalar(std::string_view text, json::storage_ptr storage) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return json::value(nullptr, storage);
  }
  if (text == "true" || text == "True" || text == "TRUE") return json::value(true, storage);
  if (text == "false" || text == "False" || text == "FALSE") return json::value(false, storage);
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const char* digits = begin + ((text[0] == '-' || text[0] == '+') ? 1 : 0);
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o')) {
    std::uint64_t number = 0;
    auto [ptr, ec] = std::from_chars(begin + 2, end, number, text[1] == 'x' ? 16 : 8);
    if (ec == std::errc() && ptr == end) return json::value(number, storage);
  }
  bool integral = digits < end && std::all_of(digits, end, [](char c) { return c >= '0' && c <= '9'; });
  if (integral) {
    std::int64_t number = 0;
    auto [ptr, ec] = std::from_chars(text[0] == '+' ? begin + 1 : begin, end, number);
    if (ec == std::errc() && ptr == end) return json::value(number, storage);
  }
  bool numeric = digits < end && (std::isdigit(static_cast<unsigned char>(*digits)) ||
                                  (*digits == '.' && digits + 1 < end &&
                                   std::isdigit(static_cast<unsigned char>(digits[1]))));
  if (numeric) {
    double number = 0;
    auto [ptr, ec] = std::from_chars(text[0] == '+' ? begin + 1 : begin, end, number);
    if (ec == std::errc() && ptr == end) return json::value(number, storage);
  }
  std::string_view special = text.substr(digits - begin);
  if (special == ".inf" || special == ".Inf" || special == ".INF") {
    double inf = std::numeric_limits<double>::infinity();
    return json::value(text[0] == '-' ? -inf : inf, storage);
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") {
    return json::value(std::numeric_limits<double>::quiet_NaN(), storage);
  }
  return json::value(json::string(text, storage));
}

class YamlBuilder {
 public:
  YamlBuilder(const ImportLimits& limits, json::storage_ptr storage)
      : limits_(limits), storage_(std::move(storage)) {}

  // Returns a problem, or "" when the event was taken.
  std::string take(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_MAPPING_START_EVENT:
        return open(json::value(json::object(storage_)), text_of(event.data.mapping_start.anchor),
                    event);
      case YAML_SEQUENCE_START_EVENT:
        return open(json::value(json::array(storage_)), text_of(event.data.sequence_start.anchor),
                    event);
      case YAML_MAPPING_END_EVENT:
      case YAML_SEQUENCE_END_EVENT:
        return close();
      case YAML_SCALAR_EVENT:
        return scalar(event);
      case YAML_ALIAS_EVENT:
        return alias(event);
      case YAML_DOCUMENT_START_EVENT:
        if (documents_++ > 0) return "holds more than one YAML document";
        return "";
      default:
        return "";
    }
  }

  bool done() const { return root_.has_value(); }
  json::value release() { return std::move(*root_); }

 private:
  struct Frame {
    json::value container;
    std::string anchor;
    std::size_t nodes_before = 0;  // nodes_ when the container opened
    std::string key;
    bool have_key = false;
    bool key_is_merge = false;  // the pending key is a plain "<<"
  };

  static std::string text_of(const yaml_char_t* text) {
    return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
  }

  static std::string where(const yaml_event_t& event) {
    return " at line " + std::to_string(event.start_mark.line + 1) + ", column " +
           std::to_string(event.start_mark.column + 1);
  }

  std::string open(json::value container, std::string anchor, const yaml_event_t& event) {
    if (stack_.size() >= limits_.max_depth) {
      return "nested deeper than " + std::to_string(limits_.max_depth) + " levels" + where(event);
    }
    ++nodes_;
    stack_.push_back(Frame{std::move(container), std::move(anchor), nodes_, {}, false, false});
    return "";
  }

  std::string close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (!frame.anchor.empty()) {
      anchors_[frame.anchor] = Anchored{json::value(frame.container, storage_),
                                        nodes_ - frame.nodes_before + 1};
    }
    return add(std::move(frame.container));
  }

  std::string scalar(const yaml_event_t& event) {
    const auto& data = event.data.scalar;
    std::string_view view(reinterpret_cast<const char*>(data.value), data.length);
    bool plain = data.style == YAML_PLAIN_SCALAR_STYLE;
    if (!stack_.empty() && stack_.back().container.is_object() && !stack_.back().have_key) {
      // Keys stay text: response codes (200) and versions (2.0) are keys too.
      auto& frame = stack_.back();
      frame.key.assign(view);
      frame.have_key = true;
      frame.key_is_merge = plain && view == "<<";
      return "";
    }
    ++nodes_;
    std::string tag = text_of(data.tag);
    bool as_string = !plain || tag == "!!str" || tag == "tag:yaml.org,2002:str";
    json::value value = as_string ? json::value(json::string(view, storage_))
                                  : plain_scalar(view, storage_);
    std::string anchor = text_of(data.anchor);
    if (!anchor.empty()) anchors_[anchor] = Anchored{json::value(value, storage_), 1};
    return add(std::move(value));
  }

  std::string alias(const yaml_event_t& event) {
    std::string name = text_of(event.data.alias.anchor);
    auto found = anchors_.find(name);
    if (found == anchors_.end()) return "alias *" + name + " names no anchor" + where(event);
    alias_nodes_ += found->second.nodes;
    nodes_ += found->second.nodes;  // so an anchor around aliases counts their expansion
    if (alias_nodes_ > limits_.max_alias_nodes) {
      return "aliases expand to more than " + std::to_string(limits_.max_alias_nodes) +
             " values" + where(event);
    }
    if (!stack_.empty() && stack_.back().container.is_object() && !stack_.back().have_key) {
      auto& frame = stack_.back();
      const auto& value = found->second.value;
      frame.key = value.is_string() ? std::string(value.get_string()) : json::serialize(value);
      frame.have_key = true;
      return "";
    }
    return add(json::value(found->second.value, storage_));
  }

  std::string add(json::value value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return "";
    }
    auto& frame = stack_.back();
    if (frame.container.is_array()) {
      frame.container.get_array().push_back(std::move(value));
      return "";
    }
    auto& object = frame.container.get_object();
    if (frame.key_is_merge && (value.is_object() || value.is_array())) {
      // "<<: *defaults" (or a list of them): members the mapping lacks.
      auto merge = [&](const json::value& source) {
        if (!source.is_object()) return;
        for (const auto& [key, member] : source.get_object()) {
          if (!object.contains(key)) object.emplace(key, member);
        }
      };
      if (value.is_object()) merge(value);
      for (const auto& item : value.is_array() ? value.get_array() : json::array()) merge(item);
    } else {
      object[frame.key] = std::move(value);
    }
    frame.have_key = false;
    frame.key_is_merge = false;
    return "";
  }

  struct Anchored {
    json::value value;
    std::size_t nodes = 1;
  };

  const ImportLimits& limits_;
  json::storage_ptr storage_;
  std::vector<Frame> stack_;
  std::map<std::string, Anchored, std::less<>> anchors_;
  std::optional<json::value> root_;
  std::size_t nodes_ = 0;
  std::size_t alias_nodes_ = 0;
  int documents_ = 0;
};

core::Result<json::value> parse_yaml_text(std::string_view text, const ImportLimits& limits,
                                          json::storage_ptr storage) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) {
    return Error{ErrorCode::Internal, "cannot create the YAML parser", {}};
  }
  std::unique_ptr<yaml_parser_t, decltype(&yaml_parser_delete)> owner(&parser, &yaml_parser_delete);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  YamlBuilder builder(limits, std::move(storage));
  while (true) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      std::string problem = parser.problem ? parser.problem : "a syntax error";
      if (parser.context) problem = std::string(parser.context) + ": " + problem;
      return core::invalid_argument("not valid YAML: " + problem + " at line " +
                                    std::to_string(parser.problem_mark.line + 1) + ", column " +
                                    std::to_string(parser.problem_mark.column + 1));
    }
    std::string problem = builder.take(event);
    bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (!problem.empty()) return core::invalid_argument("not valid YAML: " + problem);
    if (end) break;
  }
  if (!builder.done()) return core::invalid_argument("the text holds no document");
  return builder.release();
}

}  // namespace

core::Result<Document> load_document(std::string_view text, const ImportLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return core::invalid_argument("the description is " + std::to_string(text.size()) +
                   " bytes; the limit is " + std::to_string(limits.max_bytes));
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return core::invalid_argument("the description is empty");
  auto arena = std::make_unique<json::monotonic_resource>();
  json::storage_ptr storage(arena.get());
  bool looks_like_json = text[start] == '{' || text[start] == '[';
  auto parsed = looks_like_json ? parse_json_text(text, limits, storage)
                                : parse_yaml_text(text, limits, storage);
  if (!parsed) return parsed.error();
  // Move-constructed, so the tree stays in the arena: assigning to a value that
  // has the default storage would copy all of it out, and freeing the copy node
  // by node would cost more than the parse.
  return Document{std::move(arena), json::value(std::move(*parsed))};
}

}  // namespace patchbay::oas
