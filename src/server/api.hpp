#pragma once
// The REST API's vocabulary: who is asking (Principal), what a route handler
// receives (ApiRequest) and returns (ApiResponse), and the one mapping from
// core::ErrorCode to HTTP status.
//
// Every error leaves as {"error": {"code", "message", "details"?}}.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "store/store.hpp"

namespace patchbay::server {

struct HttpRequest;

// The token a request came with.
struct Principal {
  std::string token_id;
  std::string name;  // written to the audit log as the actor
  store::Role role = store::Role::Viewer;
};

struct ApiRequest {
  const HttpRequest& http;
  // Path captures in order: "/api/connectors/:id/execute" -> {id}.
  std::vector<std::string> params;
  // The parsed body: null when the request had none.
  boost::json::value body;
  Principal principal;
  std::string request_id;

  // A query parameter's decoded value, or "" (first occurrence).
  std::string query(std::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  // Serialized as JSON; null means no body (204).
  boost::json::value body;
  // Instead of `body`, a non-JSON answer (GET /metrics).
  std::string text;
  std::string content_type = "application/json";
  // Extra response headers (the MCP endpoint's Mcp-Session-Id, CORS).
  std::vector<std::pair<std::string, std::string>> headers;
};

int http_status(core::ErrorCode code);
// {"error": {"code", "message", "details"?}} with the code's status.
ApiResponse error_response(const core::Error& error);
ApiResponse error_response(core::ErrorCode code, std::string message);

}  // namespace patchbay::server
