#include "server/api_server.hpp"

#include "agent/protocol.hpp"
#include "server/agent_hub.hpp"

#include <chrono>
#include <exception>

#include <boost/json/serialize.hpp>

#include "core/json.hpp"
#include "server/metrics.hpp"
#include "server/tokens.hpp"
#include "server/worker_pool.hpp"

namespace patchbay::server {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string role_name(store::Role role) { return std::string(store::to_string(role)); }

}  // namespace

ApiServer::ApiServer(ApiDependencies deps)
    : deps_(std::move(deps)),
      mcp_(std::make_unique<McpEndpoint>(*this, deps_.logger, deps_.version, deps_.mcp)) {
  add_routes();
  add_mcp_routes();
}

HttpResponse ApiServer::transport_error(int status, std::string_view message) {
  auto code = status == 413 ? core::ErrorCode::PayloadTooLarge : core::ErrorCode::InvalidArgument;
  auto response = error_response(code, std::string(message));
  response.status = status;
  deps_.logger.warn("request refused", {{"status", status}, {"reason", message}});
  deps_.metrics.count_request("-", "-", status, 0);
  return HttpResponse{.status = status, .body = json::serialize(response.body)};
}

void ApiServer::handle(HttpRequest request, Responder respond) {
  auto started = Clock::now();
  auto seconds = [started] {
    return std::chrono::duration<double>(Clock::now() - started).count();
  };
  std::string request_id(request.header("x-request-id"));
  if (!sane_request_id(request_id)) request_id = store::new_id("r_");

  auto match = router_.match(request.method, request.path);
  if (match.route == nullptr) {
    ApiResponse response =
        match.allowed.empty()
            ? error_response(core::ErrorCode::NotFound,
                             "no such endpoint: " + request.method + " " + request.path)
            : error_response(core::ErrorCode::InvalidArgument,
                             request.method + " is not allowed on " + request.path +
                                 "; allowed: " + match.allowed);
    if (!match.allowed.empty()) response.status = 405;
    auto out = finish(request, "unmatched", request_id, "", std::move(response), seconds());
    if (!match.allowed.empty()) out.headers.emplace_back("Allow", match.allowed);
    return respond(std::move(out));
  }

  const Route* route = match.route;
  HttpRequest summary{.method = request.method, .path = request.path};
  auto work = [this, route, request = std::move(request), params = std::move(match.params),
               request_id, respond, seconds]() mutable {
    ApiRequest api{.http = request, .params = std::move(params), .request_id = request_id};
    ApiResponse response = process(*route, api);
    respond(finish(request, route->label(), request_id, api.principal.name, std::move(response),
                   seconds()));
  };
  if (!route->role) {
    work();  // unauthenticated routes (health) do no blocking work
    return;
  }
  // The task owns the request; on refusal it never ran, so answer here.
  auto shared = std::make_shared<decltype(work)>(std::move(work));
  if (!deps_.workers.try_submit([shared] { (*shared)(); })) {
    auto response =
        error_response(core::ErrorCode::Unavailable, "the server is at capacity; retry shortly");
    auto out = finish(summary, route->label(), request_id, "", std::move(response), seconds());
    out.headers.emplace_back("Retry-After", "1");
    respond(std::move(out));
  }
}

std::size_t ApiServer::body_limit(std::string_view method, std::string_view target) {
  if (method != "POST" && method != "PUT") return 0;  // no large body elsewhere: skip the match
  auto match = router_.match(method, target.substr(0, target.find('?')));
  return match.route != nullptr && match.route->large_body ? deps_.max_import_bytes : 0;
}

std::shared_ptr<WebSocketListener> ApiServer::websocket(
    const HttpRequest& request, std::shared_ptr<WebSocketConnection> connection) {
  if (deps_.agents == nullptr || request.path != agent::kEndpointPath) return nullptr;
  return deps_.agents->accept(std::move(connection));
}

ApiResponse ApiServer::call(const Principal& caller, std::string_view method,
                            std::string_view target, std::string body) {
  auto started = Clock::now();
  HttpRequest http{.method = std::string(method), .target = std::string(target)};
  auto question = target.find('?');
  http.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) http.query = std::string(target.substr(question + 1));
  http.body = std::move(body);
  std::string request_id = store::new_id("r_");

  auto match = router_.match(http.method, http.path);
  ApiResponse response;
  std::string label = "unmatched";
  if (match.route == nullptr) {
    response = error_response(core::ErrorCode::NotFound,
                              "no such endpoint: " + http.method + " " + http.path);
  } else {
    label = match.route->label();
    ApiRequest api{.http = http, .params = std::move(match.params), .request_id = request_id};
    response = process(*match.route, api, &caller);
  }
  record(http.method, http.path, label, request_id, caller.name, response.status,
         std::chrono::duration<double>(Clock::now() - started).count());
  return response;
}

ApiResponse ApiServer::process(const Route& route, ApiRequest& request, const Principal* caller) {
  try {
    if (route.screen && caller == nullptr) {
      if (auto refused = route.screen(request.http)) return std::move(*refused);
    }
    if (route.role) {
      if (caller != nullptr) {
        request.principal = *caller;
      } else {
        auto principal = deps_.auth.authenticate(request.http.header("authorization"));
        if (!principal) return error_response(principal.error());
        request.principal = std::move(*principal);
      }
      if (!role_allows(request.principal.role, *route.role)) {
        return error_response(core::ErrorCode::PermissionDenied,
                              "token '" + request.principal.name + "' has role '" +
                                  role_name(request.principal.role) + "'; " + route.method + " " +
                                  route.pattern + " needs '" + role_name(*route.role) + "'");
      }
    }
    if (!request.http.body.empty() && !route.raw_body) {
      auto parsed = core::parse_json(request.http.body);
      if (!parsed) {
        return error_response(core::ErrorCode::InvalidArgument,
                              "the body is not valid JSON: " + parsed.error().message);
      }
      request.body = std::move(*parsed);
    }
    return route.handler(request);
  } catch (const std::exception& error) {
    deps_.logger.error("request failed with an exception",
                       {{"requestId", request.request_id}, {"error", error.what()}});
    return error_response(
        core::ErrorCode::Internal,
        "internal error; the server log has details under request id " + request.request_id);
  }
}

HttpResponse ApiServer::finish(const HttpRequest& request, const std::string& route_label,
                               const std::string& request_id, const std::string& actor,
                               ApiResponse response, double seconds) {
  HttpResponse out;
  out.status = response.status;
  out.content_type = response.content_type;
  if (!response.text.empty()) {
    out.body = std::move(response.text);
  } else if (!response.body.is_null()) {
    out.body = json::serialize(response.body);
  } else {
    out.content_type.clear();
  }
  out.headers.emplace_back("X-Request-Id", request_id);
  for (auto& header : response.headers) out.headers.push_back(std::move(header));
  record(request.method, request.path, route_label, request_id, actor, response.status, seconds);
  return out;
}

void ApiServer::record(std::string_view method, std::string_view path,
                       const std::string& route_label, const std::string& request_id,
                       const std::string& actor, int status, double seconds) {
  deps_.metrics.count_request(std::string(method), route_label, status, seconds);
  auto level = status >= 500 ? core::LogLevel::Error : core::LogLevel::Info;
  if (deps_.logger.enabled(level)) {
    deps_.logger.log(level, "request",
                     {{"requestId", request_id},
                      {"method", method},
                      {"path", path},
                      {"status", status},
                      {"durationUs", static_cast<std::int64_t>(seconds * 1e6)},
                      {"actor", actor}});
  }
}

}  // namespace patchbay::server
