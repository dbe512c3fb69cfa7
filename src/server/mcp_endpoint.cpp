#include "server/mcp_endpoint.hpp"

#include <algorithm>

#include <sodium.h>

#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>

#include "core/json.hpp"
#include "core/text.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/session.hpp"
#include "server/http_server.hpp"
#include "server/in_process_api.hpp"

namespace patchbay::server {
namespace {

namespace json = boost::json;

constexpr std::string_view kSessionHeader = "Mcp-Session-Id";

// Transport-level refusals carry a JSON-RPC error body (id null), which MCP
// clients read, with the HTTP status that says what happened.
ApiResponse refusal(int status, int code, std::string message) {
  return ApiResponse{.status = status,
                     .body = mcp::jsonrpc::error(nullptr, code, message)};
}

// "Accept: application/json, text/event-stream": JSON must be acceptable, as
// every answer here is JSON. No Accept header accepts anything.
bool accepts_json(std::string_view accept) {
  if (accept.empty()) return true;
  std::string text = core::ascii_lower(accept);
  return text.find("application/json") != std::string::npos ||
         text.find("*/*") != std::string::npos || text.find("application/*") != std::string::npos;
}

bool loopback_host(std::string_view host) {
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

std::string new_session_id() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

}  // namespace

McpEndpoint::McpEndpoint(ApiServer& api, core::Logger& logger, std::string version,
                         McpOptions options)
    : api_(api), logger_(logger), version_(std::move(version)), options_(std::move(options)) {}

McpEndpoint::~McpEndpoint() = default;

bool McpEndpoint::origin_allowed(const HttpRequest& request) const {
  std::string_view origin = request.header("origin");
  if (origin.empty()) return true;  // not a browser
  for (const auto& allowed : options_.allowed_origins) {
    if (allowed == "*" || core::ascii_iequals(allowed, origin)) return true;
  }
  // A page this server itself serves on a loopback address: DNS rebinding needs
  // a name, so a literal loopback Host matching the Origin is not an attack.
  auto parsed = boost::urls::parse_absolute_uri(origin);
  if (!parsed) return false;
  std::string authority = core::ascii_lower(parsed->encoded_authority());
  return loopback_host(parsed->encoded_host()) &&
         authority == core::ascii_lower(request.header("host"));
}

std::optional<ApiResponse> McpEndpoint::screen(const HttpRequest& request) const {
  if (origin_allowed(request)) return std::nullopt;
  logger_.warn("MCP request from an origin that is not allowed",
               {{"origin", request.header("origin")}, {"remote", request.remote_address}});
  return refusal(403, mcp::jsonrpc::kInvalidRequest,
                 "origin " + std::string(request.header("origin")) +
                     " may not call /mcp (serve --mcp-allow-origin allows it)");
}

void McpEndpoint::add_cors(const HttpRequest& request, ApiResponse& response) const {
  std::string_view origin = request.header("origin");
  if (origin.empty()) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  response.headers.emplace_back("Access-Control-Expose-Headers", std::string(kSessionHeader));
  response.headers.emplace_back("Vary", "Origin");
}

ApiResponse McpEndpoint::preflight(const HttpRequest& request) const {
  if (auto refused = screen(request)) return std::move(*refused);
  ApiResponse response{.status = 204};
  add_cors(request, response);
  response.headers.emplace_back("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS");
  response.headers.emplace_back(
      "Access-Control-Allow-Headers",
      "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID");
  response.headers.emplace_back("Access-Control-Max-Age", "600");
  return response;
}

std::string McpEndpoint::open(std::shared_ptr<mcp::Session> session, const std::string& token_id) {
  auto now = std::chrono::steady_clock::now();
  std::string id = new_session_id();
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& item) {
    return now - item.second.last_used > options_.session_idle;
  });
  while (!sessions_.empty() && sessions_.size() >= options_.max_sessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    sessions_.erase(oldest);
  }
  sessions_.emplace(id, Entry{std::move(session), token_id, now});
  return id;
}

std::shared_ptr<mcp::Session> McpEndpoint::find(const std::string& id, const std::string& token_id) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto found = sessions_.find(id);
  if (found == sessions_.end()) return nullptr;
  if (now - found->second.last_used > options_.session_idle) {
    sessions_.erase(found);
    return nullptr;
  }
  if (found->second.token_id != token_id) return nullptr;
  found->second.last_used = now;
  return found->second.session;
}

ApiResponse McpEndpoint::post(const ApiRequest& request) {
  const HttpRequest& http = request.http;
  auto answer = [&](ApiResponse response) {
    add_cors(http, response);
    return response;
  };
  if (!accepts_json(http.header("accept"))) {
    return answer(refusal(406, mcp::jsonrpc::kInvalidRequest,
                          "Accept must allow application/json (send \"application/json, "
                          "text/event-stream\")"));
  }
  std::string content_type = core::ascii_lower(http.header("content-type"));
  if (!content_type.starts_with("application/json")) {
    return answer(refusal(415, mcp::jsonrpc::kInvalidRequest,
                          "Content-Type must be application/json"));
  }
  std::string_view version = http.header("mcp-protocol-version");
  if (!version.empty() && !mcp::supports_protocol_version(version)) {
    return answer(refusal(400, mcp::jsonrpc::kInvalidRequest,
                          "MCP-Protocol-Version " + std::string(version) +
                              " is not supported; patchbay speaks " +
                              std::string(mcp::kLatestProtocolVersion) + " and earlier"));
  }
  auto parsed = core::parse_json(http.body, mcp::kMaxMessageDepth);
  if (!parsed) {
    return answer(refusal(400, mcp::jsonrpc::kParseError, "parse error: " + parsed.error().message));
  }

  InProcessApi tools_api(api_, request.principal);
  if (mcp::is_request(*parsed, "initialize")) {
    auto session = std::make_shared<mcp::Session>(version_, logger_);
    auto reply = session->handle(*parsed, tools_api);
    ApiResponse response{.status = 200, .body = reply ? std::move(*reply) : json::value()};
    if (session->protocol_version().empty()) return answer(std::move(response));  // refused
    std::string id = open(std::move(session), request.principal.token_id);
    response.headers.emplace_back(std::string(kSessionHeader), id);
    logger_.info("MCP session opened", {{"actor", request.principal.name}});
    return answer(std::move(response));
  }

  std::string id(http.header("mcp-session-id"));
  if (id.empty()) {
    return answer(refusal(400, mcp::jsonrpc::kInvalidRequest,
                          "Mcp-Session-Id header missing: send initialize first and repeat the "
                          "session id it returns"));
  }
  auto session = find(id, request.principal.token_id);
  if (session == nullptr) {
    return answer(refusal(404, mcp::jsonrpc::kInvalidRequest,
                          "no such MCP session (it ended or expired): initialize a new one"));
  }
  auto reply = session->handle(*parsed, tools_api);
  if (!reply) return answer(ApiResponse{.status = 202});
  return answer(ApiResponse{.status = 200, .body = std::move(*reply)});
}

ApiResponse McpEndpoint::remove(const ApiRequest& request) {
  std::string id(request.http.header("mcp-session-id"));
  ApiResponse response;
  if (id.empty()) {
    response = refusal(400, mcp::jsonrpc::kInvalidRequest, "Mcp-Session-Id header missing");
  } else if (find(id, request.principal.token_id) == nullptr) {
    response = refusal(404, mcp::jsonrpc::kInvalidRequest, "no such MCP session");
  } else {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
    response = ApiResponse{.status = 204};
  }
  add_cors(request.http, response);
  return response;
}

std::size_t McpEndpoint::session_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace patchbay::server
