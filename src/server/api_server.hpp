#pragma once
// ApiServer: the REST API as a RequestHandler. On the I/O thread it only routes
// (404/405 answer at once); everything else - authentication (a store read on a
// cache miss), body parsing, the route's work - runs on the WorkerPool, and a full
// pool answers 503 with Retry-After instead of queueing without bound.
//
// Every answer carries X-Request-Id (the client's, when it sent a sane one), is
// counted in Metrics and logged as one structured line.

#include <memory>
#include <string>

#include "core/logger.hpp"
#include "server/http_server.hpp"
#include "server/mcp_endpoint.hpp"
#include "server/router.hpp"

namespace patchbay::server {

class AgentHub;
class Authenticator;
class ConnectorService;
class Metrics;
class WorkerPool;

struct ApiDependencies {
  ConnectorService& connectors;
  store::Store& store;
  Authenticator& auth;
  Metrics& metrics;
  WorkerPool& workers;
  core::Logger& logger;
  std::string version;
  // Body limit of parse-oas and of connector create/update: drafts of large APIs
  // (GitHub's is 1.5 MB) and the descriptions themselves (13 MB) are big.
  std::size_t max_import_bytes = 64 * 1024 * 1024;
  // The on-premise agents' WebSocket endpoint and GET /api/agents; null: none.
  AgentHub* agents = nullptr;
  // The MCP endpoint (/mcp): allowed origins, session limits.
  McpOptions mcp;
};

class ApiServer : public RequestHandler {
 public:
  explicit ApiServer(ApiDependencies deps);

  void handle(HttpRequest request, Responder respond) override;
  HttpResponse transport_error(int status, std::string_view message) override;
  std::size_t body_limit(std::string_view method, std::string_view target) override;
  // The agents' endpoint (agent::kEndpointPath); nothing else upgrades.
  std::shared_ptr<WebSocketListener> websocket(
      const HttpRequest& request, std::shared_ptr<WebSocketConnection> connection) override;

  // The REST API called in-process on behalf of `caller` (the MCP tools): the
  // same route, role check, validation and answer as over HTTP, run on the
  // calling thread (already a worker). `target` is path plus query.
  ApiResponse call(const Principal& caller, std::string_view method, std::string_view target,
                   std::string body);

 private:
  void add_routes();
  void add_mcp_routes();
  // `caller`: already known (in-process calls); null: authenticate the request.
  ApiResponse process(const Route& route, ApiRequest& request, const Principal* caller = nullptr);
  HttpResponse finish(const HttpRequest& request, const std::string& route_label,
                      const std::string& request_id, const std::string& actor, ApiResponse response,
                      double seconds);
  void record(std::string_view method, std::string_view path, const std::string& route_label,
              const std::string& request_id, const std::string& actor, int status, double seconds);

  ApiDependencies deps_;
  Router router_;
  std::unique_ptr<McpEndpoint> mcp_;
};

}  // namespace patchbay::server
