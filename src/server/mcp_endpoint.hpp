#pragma once
// McpEndpoint: MCP's streamable HTTP transport at /mcp on `patchbay serve`
// (protocol revisions 2024-11-05 .. 2025-11-25, see mcp::Session).
//
// - POST /mcp: one JSON-RPC message (or a 2025-03-26 batch) per request, with
//   the REST API's tokens and roles (viewer may connect; each tool needs what
//   its REST call needs). An initialize request opens a session: the answer
//   carries Mcp-Session-Id, which every later request must send (400 without,
//   404 once the session is gone: the client initializes again). Answers are
//   application/json; notifications and responses get 202 with no body.
// - DELETE /mcp ends the session named by Mcp-Session-Id.
// - GET /mcp answers 405: patchbay sends nothing unprompted, so it offers no
//   server-to-client stream.
// - Origin: a request with an Origin header (a browser) is refused with 403
//   unless the origin is allowed (McpOptions::allowed_origins), or it is a page
//   served from this server's own loopback address. This is the DNS-rebinding
//   defence the specification asks for; allowed origins get CORS headers and
//   OPTIONS preflights are answered.
// - MCP-Protocol-Version, when sent, must be a revision patchbay speaks (400).
//
// A session is bound to the token that opened it (another token gets 404), ends
// after McpOptions::session_idle without requests, and the oldest is dropped
// when max_sessions are open.
//
// Thread-safety: every member may be called concurrently.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/logger.hpp"
#include "server/api.hpp"

namespace patchbay::mcp {
class Session;
}

namespace patchbay::server {

class ApiServer;

inline constexpr std::string_view kMcpPath = "/mcp";

struct McpOptions {
  // Exact origins ("https://studio.example.com") browsers may call /mcp from;
  // "*" allows any (the token still decides what a caller may do).
  std::vector<std::string> allowed_origins;
  std::chrono::seconds session_idle{3600};
  std::size_t max_sessions = 10'000;
};

class McpEndpoint {
 public:
  McpEndpoint(ApiServer& api, core::Logger& logger, std::string version, McpOptions options);
  ~McpEndpoint();

  // Before authentication: 403 for an Origin that is not allowed.
  std::optional<ApiResponse> screen(const HttpRequest& request) const;
  ApiResponse post(const ApiRequest& request);
  ApiResponse remove(const ApiRequest& request);
  // OPTIONS /mcp: a CORS preflight (no token; browsers send none).
  ApiResponse preflight(const HttpRequest& request) const;

  std::size_t session_count() const;

 private:
  struct Entry {
    std::shared_ptr<mcp::Session> session;
    std::string token_id;
    std::chrono::steady_clock::time_point last_used;
  };
  bool origin_allowed(const HttpRequest& request) const;
  void add_cors(const HttpRequest& request, ApiResponse& response) const;
  std::shared_ptr<mcp::Session> find(const std::string& id, const std::string& token_id);
  std::string open(std::shared_ptr<mcp::Session> session, const std::string& token_id);

  ApiServer& api_;
  core::Logger& logger_;
  std::string version_;
  McpOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;
};

}  // namespace patchbay::server
