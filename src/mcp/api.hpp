#pragma once
// What the MCP tools ask of patchbay: calls of its REST API (docs/http-api.md),
// made in-process by `patchbay serve`'s /mcp endpoint and `patchbay mcp
// --data-dir` (server::InProcessApi, with the caller's token and role), or over
// HTTP by `patchbay mcp --server` (RemoteApi). Going through the REST API means
// the tools get its role checks, validation and error shapes, whichever way
// patchbay is reached.

#include <string_view>

#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace patchbay::mcp {

struct ApiReply {
  int status = 0;
  // The answer's JSON body; null for 204. Errors are {"error": {code, message, details?}}.
  boost::json::value body;
};

class Api {
 public:
  virtual ~Api() = default;
  // One call: `target` is the path with any query ("/api/connectors/acme/test");
  // `body` null sends none. An error only when patchbay could not be asked (not
  // reachable, no valid answer); every HTTP status, errors included, is a reply.
  virtual core::Result<ApiReply> call(std::string_view method, std::string_view target,
                                      const boost::json::value& body) = 0;
};

}  // namespace patchbay::mcp
