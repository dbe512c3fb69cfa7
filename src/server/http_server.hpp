#pragma once
// HttpServer: HTTP/1.1 with keep-alive on Boost.Beast, a fixed pool of I/O
// threads, and nothing else. What a request means is the RequestHandler's
// business; the server only parses, enforces transport limits (header size,
// body size -> 413, idle timeout) and writes the answer back on the same
// connection, in order.
//
// Beast stays inside http_server.cpp: everything else sees the plain
// HttpRequest / HttpResponse below.
//
// Thread-safety: start() and stop*() from one controlling thread; handlers are
// called on I/O threads and may answer from any thread.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace patchbay::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/api/connectors?limit=5"
  std::string path;    // target without the query
  std::string query;   // after '?', undecoded
  // Header names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  // The first header of that (lower-case) name, or "".
  std::string_view header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Sends the response; call exactly once, from any thread.
using Responder = std::function<void(HttpResponse)>;

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Called on an I/O thread: must not block. Hand blocking work to a WorkerPool.
  virtual void handle(HttpRequest request, Responder respond) = 0;
  // The answer to a body over the limit, a malformed request and the like.
  virtual HttpResponse transport_error(int status, std::string_view message) = 0;
  // The largest body this request may have, decided from its header (on the I/O
  // thread); 0 keeps HttpServerOptions::max_body_bytes. At most
  // HttpServerOptions::max_large_body_bytes.
  virtual std::size_t body_limit(std::string_view /*method*/, std::string_view /*target*/) {
    return 0;
  }
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (see HttpServer::port())
  std::size_t io_threads = 2;
  std::size_t max_body_bytes = 1024 * 1024;
  // The most RequestHandler::body_limit() may allow (imports of large descriptions).
  std::size_t max_large_body_bytes = 64 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{60};
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler& handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Unavailable when the address
  // cannot be bound (in use, not local), with the address in the message.
  core::Result<void> start();
  // The bound port (useful after asking for port 0).
  unsigned short port() const;
  // Stops accepting new connections; open connections go on.
  void stop_accepting();
  // Closes every connection and joins the I/O threads.
  void stop();

  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace patchbay::server
