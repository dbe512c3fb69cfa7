#include "server/parse_oas.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>

#include "core/json.hpp"
#include "oas/oas.hpp"

namespace patchbay::server {
namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;


}  // namespace

core::Result<json::value> parse_oas(std::string_view body, std::size_t max_bytes) {
  oas::ImportOptions options;
  options.limits.max_bytes = max_bytes;
  if (body.empty()) return core::invalid_argument("the body must be {\"spec\": <OpenAPI description>}");
  json::monotonic_resource arena;
  json::parse_options parse_options;
  parse_options.max_depth = options.limits.max_depth + 1;  // the request wraps the spec
  json::parser parser({}, parse_options);
  parser.reset(&arena);  // the values go to the arena (the constructor's is scratch)
  boost::system::error_code ec;
  parser.write(body.data(), body.size(), ec);
  if (ec) {
    std::string reason = ec == json::error::too_deep
                             ? "nested deeper than " + std::to_string(options.limits.max_depth) +
                                   " levels"
                             : ec.message();
    return core::invalid_argument("the body is not valid JSON: " + reason);
  }
  json::value request = parser.release();
  const auto* object = request.if_object();
  if (object == nullptr) return core::invalid_argument("the body must be {\"spec\": <OpenAPI description>}");
  for (const auto& [key, value] : *object) {
    if (key != "spec" && key != "select" && key != "name") {
      return core::invalid_argument("unknown member \"" + std::string(key) + "\"; the body takes spec, select "
                     "and name");
    }
  }
  const json::value* spec = object->if_contains("spec");
  if (spec == nullptr || !(spec->is_object() || spec->is_string())) {
    return core::invalid_argument("spec is required: the OpenAPI description as an object, or as JSON or YAML "
                   "text");
  }
  if (const auto* select = object->if_contains("select")) {
    if (!select->is_array()) return core::invalid_argument("select must be an array of operation names");
    for (const auto& item : select->get_array()) {
      if (!item.is_string()) return core::invalid_argument("select must be an array of operation names");
      options.select.emplace_back(item.get_string());
    }
  }
  if (const auto* name = object->if_contains("name")) {
    if (!name->is_string()) return core::invalid_argument("name must be a string");
    options.name = std::string(name->get_string());
  }
  auto draft = spec->is_string() ? oas::import_text(spec->get_string(), options)
                                 : oas::import_document(*spec, options);
  if (!draft) return draft.error();
  return json::value(oas::to_json(*draft));
}

}  // namespace patchbay::server
