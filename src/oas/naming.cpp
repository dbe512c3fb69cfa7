#include "oas/naming.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "core/connector_definition.hpp"

namespace patchbay::oas {
namespace {

using core::kMaxNameLength;

// Names a command may not take: JavaScript's reserved words, the globals the
// generated script calls (a top-level function would shadow them), "test", the
// connectivity command every draft may have, and the functions of the runtime
// (script_runtime.js.inc): a command function of the same name would be replaced
// by the runtime's, declared later. The runtime's constants are capitalized,
// which a command name never is (lower_camel(), describe.cpp).
constexpr std::array kReserved = {
    "arguments",  "await",     "break",        "case",          "catch",
    "class",      "const",     "continue",     "debugger",      "decodeURI",
    "decodeURIComponent",      "default",      "delete",        "do",
    "else",       "encodeURI", "encodeURIComponent",            "enum",
    "escape",     "eval",      "export",       "extends",       "false",
    "finally",    "floh",      "for",          "function",      "globalThis",
    "if",         "implements", "import",      "in",            "instanceof",
    "interface",  "isFinite",  "isNaN",        "let",           "new",
    "null",       "package",   "parseFloat",   "parseInt",      "private",
    "protected",  "public",    "return",       "static",        "super",
    "switch",     "test",      "this",         "throw",         "true",
    "try",        "typeof",    "undefined",    "unescape",      "var",
    "void",       "while",     "with",         "yield",
    // The runtime's functions.
    "append_query", "apply_scheme", "apply_security", "base64", "encode_body",
    "failure", "is_plain_object", "missing_fields", "object_text", "path_value",
    "scalar_text", "send_operation", "send_request", "simple_value"};

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_alnum(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && is_alnum(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::string capitalized(std::string_view word) {
  std::string out(word);
  if (!out.empty()) out[0] = to_upper(out[0]);
  return out;
}

}  // namespace

bool is_reserved_name(std::string_view name) {
  return std::any_of(kReserved.begin(), kReserved.end(),
                     [name](std::string_view word) { return word == name; });
}

std::string slug(std::string_view title) {
  std::string out;
  for (std::string_view word : words_of(title)) {
    if (!out.empty()) out.push_back('-');
    for (char c : word) out.push_back(to_lower(c));
    if (out.size() >= 60) break;
  }
  if (out.size() > 60) out.resize(60);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string lower_camel(std::string_view text) {
  std::string out;
  for (std::string_view word : words_of(text)) {
    if (out.empty()) {
      bool all_upper = std::all_of(word.begin(), word.end(),
                                   [](char c) { return !(c >= 'a' && c <= 'z'); });
      for (char c : word) out.push_back(all_upper ? to_lower(c) : c);
      out[0] = to_lower(out[0]);
    } else {
      out += capitalized(word);
    }
  }
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out = "op" + out;
  return out;
}

std::string name_from_route(std::string_view method, std::string_view path) {
  std::string out;
  for (char c : method) out.push_back(to_lower(c));
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '{') {
      auto close = path.find('}', i);
      if (close == std::string_view::npos) close = path.size();
      std::string variable = lower_camel(path.substr(i + 1, close - i - 1));
      if (!variable.empty()) out += "By" + capitalized(variable);
      i = close + 1;
      continue;
    }
    std::size_t start = i;
    while (i < path.size() && path[i] != '{') ++i;
    for (std::string_view word : words_of(path.substr(start, i - start))) {
      out += capitalized(word);
    }
  }
  return out;
}

std::string claim_identifier(std::string wanted, std::set<std::string>& taken) {
  if (wanted.size() > kMaxNameLength - 6) wanted.resize(kMaxNameLength - 6);
  if (is_reserved_name(wanted)) wanted += "Op";
  std::string name = wanted;
  for (int n = 2; taken.count(name) > 0; ++n) name = wanted + std::to_string(n);
  taken.insert(name);
  return name;
}

std::string field_name(std::string_view wanted) {
  // Room for the number claim_field may append.
  constexpr std::size_t kMaxBytes = kMaxNameLength - 10;
  std::string out;
  for (char c : wanted.substr(0, kMaxBytes)) {
    auto byte = static_cast<unsigned char>(c);
    out.push_back(byte < 0x20 || byte == 0x7f ? '_' : c);
  }
  if (wanted.size() > kMaxBytes) {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  }
  return out.empty() ? "param" : out;
}

std::string claim_field(const std::string& wanted, std::string_view prefix,
                        std::set<std::string>& taken) {
  // Bounded here, whatever the caller built the name from (a 200-byte host name
  // makes a 200-byte "...BaseUrl"): field names have at most 100 characters.
  std::string name = field_name(wanted);
  if (taken.count(name) > 0 && !prefix.empty()) {
    name = field_name(lower_camel(prefix) + capitalized(name));
  }
  std::string base = name;
  for (int n = 2; taken.count(name) > 0; ++n) name = base + std::to_string(n);
  taken.insert(name);
  return name;
}

}  // namespace patchbay::oas
