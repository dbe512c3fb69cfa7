#pragma once
// ExampleService: the RequestHandler behind the example connector.
//
//   GET  /health   {"status": "ok", "version", "uptimeSeconds"}
//   GET  /schema   the configSchema to register the connector with
//   POST /execute  run one command (protocol 2.0, see protocol.hpp)
//
// Every request must be signed (signature.hpp) unless the service was built
// without a secret. /health, /schema and refusals are answered on the I/O
// thread; commands run on a worker pool, because they may block.
// One line per request goes to stderr.
//
// Thread-safety: handle() and transport_error() are called on I/O threads;
// shutdown() and drain_for() from the controlling thread.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory.hpp"
#include "protocol.hpp"
#include "server/http_server.hpp"
#include "server/worker_pool.hpp"
#include "test_commands.hpp"

namespace patchbay::example {

inline constexpr std::string_view kServiceVersion = "1.0.0";
// patchbay sends at most 10 MiB (http::kMaxRequestBytes); HttpServer answers 413 above it.
inline constexpr std::size_t kMaxRequestBodyBytes = std::size_t{10} * 1024 * 1024;
inline constexpr std::size_t kWorkerThreads = 8;
// Commands waiting for a worker; past it, /execute answers 503 and the caller retries.
inline constexpr std::size_t kQueueLimit = 256;

struct ServiceOptions {
  // The HMAC key of the request signatures; nullopt accepts unsigned requests.
  std::optional<std::string> signing_secret;
  // What config.apiKey must be.
  std::string api_key;
  bool test_commands = false;
};

class ExampleService : public server::RequestHandler {
 public:
  explicit ExampleService(ServiceOptions options);

  void handle(server::HttpRequest request, server::Responder respond) override;
  HttpResponse transport_error(int status, std::string_view message) override;

  // Refuses new commands and wakes sleeping ones.
  void shutdown();
  // Waits up to `grace` for running commands; false when some still run.
  bool drain_for(std::chrono::milliseconds grace);

 private:
  // Why the request's signature is not acceptable, or nullopt.
  std::optional<std::string> check_request_signature(const server::HttpRequest& request) const;
  HttpResponse health() const;
  // Runs on a worker. Sets `command` to the command's name, for the log.
  HttpResponse execute(std::string_view body, std::string& command) const;

  const ServiceOptions options_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  Inventory inventory_;
  ShutdownSignal shutdown_;
  std::vector<Field> connection_fields_;
  std::vector<Command> commands_;
  std::string schema_body_;  // GET /schema, serialized once
  // Last: destroyed first, so no command outlives what it uses.
  server::WorkerPool workers_{kWorkerThreads, kQueueLimit};
};

}  // namespace patchbay::example
