#include "oas/refs.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json/object.hpp>

namespace patchbay::oas {
namespace {

namespace json = boost::json;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "dir/a.yaml" + "b.yaml" -> "dir/b.yaml"; "../x" stays relative for the loader.
std::string sibling_path(std::string_view from, std::string_view file) {
  if (file.empty() || file.front() == '/') return std::string(file);
  auto slash = from.rfind('/');
  if (slash == std::string_view::npos) return std::string(file);
  return std::string(from.substr(0, slash + 1)) + std::string(file);
}

}  // namespace

std::string decode_pointer_segment(std::string_view segment) {
  std::string percent_decoded;
  percent_decoded.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size()) {
      int high = hex_digit(segment[i + 1]);
      int low = hex_digit(segment[i + 2]);
      if (high >= 0 && low >= 0) {
        percent_decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    percent_decoded.push_back(segment[i]);
  }
  std::string out;
  out.reserve(percent_decoded.size());
  for (std::size_t i = 0; i < percent_decoded.size(); ++i) {
    if (percent_decoded[i] == '~' && i + 1 < percent_decoded.size()) {
      if (percent_decoded[i + 1] == '1') {
        out.push_back('/');
        ++i;
        continue;
      }
      if (percent_decoded[i + 1] == '0') {
        out.push_back('~');
        ++i;
        continue;
      }
    }
    out.push_back(percent_decoded[i]);
  }
  return out;
}

std::string encode_pointer_segment(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 4);
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Resolver::Resolver(const json::value& root, const ImportOptions& options)
    : root_(root), options_(options) {}

const json::value& Resolver::root_of(std::size_t document) const {
  return document == 0 ? root_ : externals_[document - 1]->document.root;
}

const json::value* Resolver::at(std::size_t document, std::string_view pointer) const {
  if (!pointer.empty() && pointer.front() == '#') pointer.remove_prefix(1);
  const json::value* node = &root_of(document);
  if (pointer.empty()) return node;
  if (pointer.front() != '/') return nullptr;
  pointer.remove_prefix(1);
  while (true) {
    auto slash = pointer.find('/');
    std::string key = decode_pointer_segment(pointer.substr(0, slash));
    if (const auto* object = node->if_object()) {
      node = object->if_contains(key);
    } else if (const auto* array = node->if_array()) {
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      bool whole = ec == std::errc() && end == key.data() + key.size();
      node = whole && index < array->size() ? &(*array)[index] : nullptr;
    } else {
      node = nullptr;
    }
    if (node == nullptr || slash == std::string_view::npos) return node;
    pointer.remove_prefix(slash + 1);
  }
}

std::size_t Resolver::external(std::size_t from, std::string_view file, std::string& problem) {
  std::string name =
      from == 0 ? std::string(file) : sibling_path(externals_[from - 1]->name, file);
  if (auto found = external_index_.find(name); found != external_index_.end()) {
    return found->second;
  }
  if (!options_.load_external) {
    problem = "external $ref \"" + std::string(file) +
              "\" is not resolved (import from a file with the CLI to resolve relative files)";
    return 0;
  }
  auto text = options_.load_external(name);
  if (!text) {
    problem = "external $ref \"" + name + "\": " + text.error().message;
    return 0;
  }
  auto document = load_document(*text, options_.limits);
  if (!document) {
    problem = "external $ref \"" + name + "\": " + document.error().message;
    return 0;
  }
  externals_.push_back(std::make_unique<External>(External{name, std::move(*document)}));
  external_index_.emplace(name, externals_.size());
  return externals_.size();
}

Located Resolver::follow(Located node, std::string& problem) {
  std::vector<std::string> chain;
  while (node.value != nullptr) {
    const auto* object = node.value->if_object();
    const json::value* ref = object ? object->if_contains("$ref") : nullptr;
    if (ref == nullptr) return node;
    if (!ref->is_string()) {
      problem = "$ref must be a string";
      return {};
    }
    std::string_view target = ref->get_string();
    std::string hop = std::to_string(node.document) + ":" + std::string(target);
    if (std::find(chain.begin(), chain.end(), hop) != chain.end()) {
      problem = "circular $ref \"" + std::string(target) + "\"";
      return {};
    }
    if (chain.size() >= options_.limits.max_ref_chain) {
      problem = "$ref chain longer than " + std::to_string(options_.limits.max_ref_chain) +
                " hops at \"" + std::string(target) + "\"";
      return {};
    }
    chain.push_back(std::move(hop));
    auto hash = target.find('#');
    std::string_view file = target.substr(0, hash);
    std::string_view pointer =
        hash == std::string_view::npos ? std::string_view() : target.substr(hash);
    std::size_t document = node.document;
    if (!file.empty()) {
      if (file.find("://") != std::string_view::npos) {
        problem = "remote $ref \"" + std::string(target) + "\" is not fetched";
        return {};
      }
      document = external(node.document, file, problem);
      if (document == 0) return {};
    }
    const json::value* next = at(document, pointer);
    if (next == nullptr) {
      problem = "$ref \"" + std::string(target) + "\" points to nothing";
      return {};
    }
    node = Located{next, document};
  }
  return node;
}

}  // namespace patchbay::oas
