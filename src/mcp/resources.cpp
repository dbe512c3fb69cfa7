#include "mcp/resources.hpp"

#include <algorithm>

// Generated from docs/ at build time (cmake/embed_text.cmake).
namespace patchbay::mcp::docs {
std::string_view script_api();
std::string_view connector_model();
std::string_view connector_results();
std::string_view openapi_import();
std::string_view external_protocol();
}  // namespace patchbay::mcp::docs

namespace patchbay::mcp {

const std::vector<Resource>& resource_catalog() {
  static const std::vector<Resource> resources = {
      {"patchbay://docs/script-api", "script-api", "Script connectors and the floh.* API",
       "How a script connector is written: one function per command, the floh.* API "
       "(http, oauth2, log, ...), results, errors and sandbox limits.",
       "text/markdown", docs::script_api()},
      {"patchbay://docs/connector-model", "connector-model", "The connector definition",
       "The definition's shape: name, type, version, executionModel, configSchema "
       "(connectionConfig fields and commands with params), scriptSource, endpointUrl.",
       "text/markdown", docs::connector_model()},
      {"patchbay://docs/connector-results", "connector-results", "Connector results",
       "The result slots a command returns (success, payload, variables, diagnostics, error).",
       "text/markdown", docs::connector_results()},
      {"patchbay://docs/openapi-import", "openapi-import", "OpenAPI import",
       "What parse_openapi_spec makes of a description, and what it reports.", "text/markdown",
       docs::openapi_import()},
      {"patchbay://docs/external-protocol", "external-protocol",
       "External connectors: protocol 2.0",
       "The HTTP protocol an external connector service implements: /execute, /schema, "
       "/health, request signing.",
       "text/markdown", docs::external_protocol()},
  };
  return resources;
}

const Resource* find_resource(std::string_view uri) {
  const auto& resources = resource_catalog();
  auto found = std::find_if(resources.begin(), resources.end(),
                            [&](const Resource& r) { return r.uri == uri; });
  return found == resources.end() ? nullptr : &*found;
}

}  // namespace patchbay::mcp
