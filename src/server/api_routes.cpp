// The REST API's routes (DESIGN.md "HTTP API"): each one a role and a handler
// that turns an ApiRequest into an ApiResponse through ConnectorService, the
// token functions or the store.

#include <boost/json/object.hpp>

#include "server/agent_hub.hpp"
#include "server/api_server.hpp"
#include "server/connector_service.hpp"
#include "server/metrics.hpp"
#include "server/parse_oas.hpp"
#include "server/tokens.hpp"

namespace patchbay::server {
namespace {

namespace json = boost::json;
using store::Role;

template <class T>
ApiResponse answer(core::Result<T> result, int status = 200) {
  if (!result) return error_response(result.error());
  if constexpr (std::is_void_v<T>) {
    return ApiResponse{.status = 204};
  } else {
    return ApiResponse{.status = status, .body = std::move(*result)};
  }
}

json::object token_view(const store::TokenRecord& token) {
  json::object out{{"id", token.id},
                   {"name", token.name},
                   {"role", store::to_string(token.role)},
                   {"createdAt", token.created_at}};
  out["revokedAt"] = token.revoked_at ? json::value(*token.revoked_at) : json::value(nullptr);
  return out;
}

}  // namespace

void ApiServer::add_routes() {
  auto& svc = deps_.connectors;
  auto& r = router_;
  auto add = [&r](std::string method, std::string pattern, std::optional<Role> role,
                  RouteHandler handler, bool large_body = false) {
    r.add(Route{.method = std::move(method),
                .pattern = std::move(pattern),
                .role = role,
                .handler = std::move(handler),
                .large_body = large_body});
  };

  add("GET", "/api/health", std::nullopt, [this](ApiRequest&) {
    return ApiResponse{.body = json::object{{"status", "ok"}, {"version", deps_.version}}};
  });
  add("GET", "/metrics", Role::Viewer, [this](ApiRequest&) {
    return ApiResponse{.text = deps_.metrics.render(),
                       .content_type = "text/plain; version=0.0.4; charset=utf-8"};
  });

  r.add(Route{.method = "POST",
               .pattern = "/api/connectors/parse-oas",
               .role = Role::Operator,
               .handler = [this](ApiRequest& q) {
                 return answer(parse_oas(q.http.body, deps_.max_import_bytes));
               },
               .raw_body = true,
               .large_body = true});
  add(
      "POST", "/api/connectors", Role::Admin,
      [&svc](ApiRequest& q) { return answer(svc.create(q.body, q.principal.name), 201); }, true);
  add("GET", "/api/connectors", Role::Viewer, [&svc](ApiRequest&) { return answer(svc.list()); });
  add("GET", "/api/connectors/:id", Role::Viewer,
      [&svc](ApiRequest& q) { return answer(svc.get(q.params[0])); });
  add(
      "PUT", "/api/connectors/:id", Role::Admin,
      [&svc](ApiRequest& q) { return answer(svc.update(q.params[0], q.body, q.principal.name)); },
      true);
  add("DELETE", "/api/connectors/:id", Role::Admin,
      [&svc](ApiRequest& q) { return answer(svc.remove(q.params[0], q.principal.name)); });
  add("POST", "/api/connectors/:id/execute", Role::Operator,
      [&svc](ApiRequest& q) { return answer(svc.execute(q.params[0], q.body, q.principal.name)); });
  add("GET", "/api/connectors/:id/health", Role::Viewer,
      [&svc](ApiRequest& q) { return answer(svc.health(q.params[0])); });
  add("POST", "/api/connectors/:id/test", Role::Operator,
      [&svc](ApiRequest& q) { return answer(svc.test(q.params[0], q.principal.name)); });

  if (deps_.agents != nullptr) {
    add("GET", "/api/agents", Role::Viewer,
        [this](ApiRequest&) { return ApiResponse{.body = deps_.agents->list()}; });
    add("DELETE", "/api/agents/:id", Role::Admin, [this](ApiRequest& q) {
      return answer(deps_.agents->forget(q.params[0]));
    });
  }

  add("GET", "/api/connector-types", Role::Viewer,
      [&svc](ApiRequest&) { return answer(svc.list_types()); });
  add("GET", "/api/connector-types/:id", Role::Viewer,
      [&svc](ApiRequest& q) { return answer(svc.get_type(q.params[0])); });
  add("PUT", "/api/connector-types/:id", Role::Admin, [&svc](ApiRequest& q) {
    return answer(svc.put_type(q.params[0], q.body, q.principal.name));
  });
  add("GET", "/api/connector-types/:id/capabilities", Role::Viewer,
      [&svc](ApiRequest& q) { return answer(svc.capabilities(q.params[0])); });

  add("GET", "/api/executions/:id", Role::Viewer,
      [&svc](ApiRequest& q) { return answer(svc.get_execution(q.params[0])); });

  add("POST", "/api/tokens", Role::Admin, [this](ApiRequest& q) {
    const auto* body = q.body.if_object();
    const auto* name = body ? body->if_contains("name") : nullptr;
    const auto* role = body ? body->if_contains("role") : nullptr;
    if (name == nullptr || !name->is_string()) {
      return error_response(
          core::validation_error({{"name", "is required (a string)"}}, "invalid token request"));
    }
    auto parsed_role =
        role && role->is_string() ? store::parse_role(role->get_string()) : std::nullopt;
    if (!parsed_role) {
      return error_response(core::validation_error({{"role", "must be viewer, operator, admin or agent"}},
                                                   "invalid token request"));
    }
    auto issued = issue_token(deps_.store, std::string(name->get_string()), *parsed_role);
    if (!issued) return error_response(issued.error());
    if (auto audited =
            deps_.store.append_audit({.actor = q.principal.name,
                                      .action = "token.create",
                                      .target = issued->record.name,
                                      .details = {{"role", store::to_string(*parsed_role)}}});
        !audited) {
      return error_response(audited.error());
    }
    auto view = token_view(issued->record);
    view["token"] = issued->token;
    return ApiResponse{.status = 201, .body = std::move(view)};
  });
  add("GET", "/api/tokens", Role::Admin, [this](ApiRequest&) {
    auto tokens = deps_.store.list_tokens();
    if (!tokens) return error_response(tokens.error());
    json::array out;
    for (const auto& token : *tokens) out.push_back(token_view(token));
    return ApiResponse{.body = std::move(out)};
  });
  add("DELETE", "/api/tokens/:id", Role::Admin, [this](ApiRequest& q) {
    auto revoked = deps_.store.revoke_token(q.params[0]);
    if (!revoked) return error_response(revoked.error());
    deps_.auth.forget(q.params[0]);
    if (auto audited = deps_.store.append_audit(
            {.actor = q.principal.name, .action = "token.revoke", .target = q.params[0]});
        !audited) {
      return error_response(audited.error());
    }
    return ApiResponse{.status = 204};
  });

  add("GET", "/api/audit", Role::Admin, [this](ApiRequest& q) {
    std::size_t limit = 100;
    if (auto text = q.query("limit"); !text.empty()) {
      char* end = nullptr;
      auto value = std::strtoul(text.c_str(), &end, 10);
      if (end == nullptr || *end != '\0' || value == 0 || value > 1000) {
        return error_response(
            core::validation_error({{"limit", "must be 1..1000"}}, "invalid query"));
      }
      limit = value;
    }
    auto entries = deps_.store.list_audit(limit);
    if (!entries) return error_response(entries.error());
    json::array out;
    for (const auto& e : *entries) {
      out.push_back(json::object{{"seq", e.seq},
                                 {"at", e.at},
                                 {"actor", e.actor},
                                 {"action", e.action},
                                 {"target", e.target},
                                 {"details", e.details}});
    }
    return ApiResponse{.body = std::move(out)};
  });
}

// MCP's streamable HTTP transport (mcp_endpoint.hpp): any role may connect;
// each tool's REST call then needs its own role. The body is parsed by the
// endpoint (JSON-RPC errors, not REST ones) and may be large (descriptions).
void ApiServer::add_mcp_routes() {
  auto screen = [this](const HttpRequest& request) { return mcp_->screen(request); };
  std::string path(kMcpPath);
  router_.add(Route{.method = "POST",
                    .pattern = path,
                    .role = Role::Viewer,
                    .handler = [this](ApiRequest& q) { return mcp_->post(q); },
                    .raw_body = true,
                    .large_body = true,
                    .screen = screen});
  router_.add(Route{.method = "DELETE",
                    .pattern = path,
                    .role = Role::Viewer,
                    .handler = [this](ApiRequest& q) { return mcp_->remove(q); },
                    .screen = screen});
  router_.add(Route{.method = "OPTIONS",
                    .pattern = path,
                    .role = std::nullopt,
                    .handler = [this](ApiRequest& q) { return mcp_->preflight(q.http); }});
}

}  // namespace patchbay::server
