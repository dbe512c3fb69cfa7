#pragma once
// The contract documents an assistant may read as MCP resources: the floh.*
// script API, the connector model, result slots, OpenAPI import and protocol
// 2.0. They are docs/ compiled into the binary, so what the assistant reads is
// what this build implements.

#include <string>
#include <string_view>
#include <vector>

namespace patchbay::mcp {

struct Resource {
  std::string uri;  // patchbay://docs/script-api
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  std::string_view text;
};

const std::vector<Resource>& resource_catalog();
const Resource* find_resource(std::string_view uri);

}  // namespace patchbay::mcp
