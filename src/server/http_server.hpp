#pragma once
// HttpServer: HTTP/1.1 with keep-alive on Boost.Beast, optionally over TLS, with
// WebSocket upgrades, on a fixed pool of I/O threads, and nothing else. What a
// request or a WebSocket message means is the RequestHandler's business; the
// server only parses, enforces transport limits (header size, body size -> 413,
// idle timeout, WebSocket message size and heartbeat) and writes the answer back
// on the same connection, in order.
//
// Beast stays inside src/server (http_server.cpp, http_server_websocket.cpp and
// their internal header http_server_detail.hpp): everything else sees the plain
// HttpRequest / HttpResponse and WebSocketConnection / WebSocketListener below.
//
// Thread-safety: start() and stop*() from one controlling thread; handlers are
// called on I/O threads and may answer from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
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

// One accepted WebSocket connection as the application sees it. Thread-safe.
// The server keeps the connection open while it runs; the application may keep
// this object longer (calls then do nothing).
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // Queues one text message; messages go out in the order sent. After close or a
  // transport failure it is dropped silently.
  virtual void send(std::string text) = 0;
  // Sends a close frame with this code (1000-4999) and reason (<=123 bytes), then closes.
  // Messages sent before go out first. A code that may not be sent (1004-1006,
  // 1015, outside 1000-4999) goes out as 1011; a longer reason is cut at a
  // character boundary. The listener's on_close follows.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual const std::string& remote_address() const = 0;
};

// The application's side of one connection; calls arrive on an I/O thread, one at a time per
// connection, and must not block.
class WebSocketListener {
 public:
  virtual ~WebSocketListener() = default;
  virtual void on_message(std::string text) = 0;
  // Exactly once, when the connection is gone for any reason (close frame from either side,
  // heartbeat timeout, network error, server stop). `why` says which, for logs. The server
  // drops its reference to the listener afterwards, so a listener may hold its connection.
  virtual void on_close(std::string why) = 0;
};

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
  // For a WebSocket upgrade request (GET with Upgrade: websocket) to `request.path`: the
  // listener for the new connection, or nullptr to refuse (the server answers 404). Called on
  // the I/O thread before the handshake completes; the connection object is valid from here
  // on. Upgrade requests do not go through handle().
  virtual std::shared_ptr<WebSocketListener> websocket(
      const HttpRequest& /*request*/, std::shared_ptr<WebSocketConnection> /*connection*/) {
    return nullptr;
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
  // Also the time a TLS handshake may take.
  std::chrono::seconds idle_timeout{60};
  // PEM files. Both set: every connection is TLS (1.2 or later). Only one set:
  // start() fails with InvalidArgument.
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  // Heartbeat: a ping after half this time with nothing received from the peer;
  // the connection closes when nothing (not even a pong) arrives within it.
  // Also the time the opening and closing handshakes may take.
  std::chrono::seconds websocket_idle_timeout{30};
  // A larger message closes the connection with 1009.
  std::size_t websocket_max_message_bytes = 16 * 1024 * 1024;
};

// Loads the TLS files of `options` as HttpServer::start() does and fails the
// same way; success when TLS is off. For callers that should refuse to start
// before doing other work.
core::Result<void> check_tls_files(const HttpServerOptions& options);

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler& handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS certificate and key (when set), binds, listens and starts the
  // I/O threads. Unavailable when the address cannot be bound (in use, not local),
  // with the address in the message; InvalidArgument for only one of the TLS
  // files or one that cannot be read or used, naming the file.
  core::Result<void> start();
  // The bound port (useful after asking for port 0).
  unsigned short port() const;
  // Stops accepting new connections; open connections go on.
  void stop_accepting();
  // Closes every connection and joins the I/O threads. WebSocket connections get
  // a close frame (1001 "server stopping") and their listener's on_close.
  void stop();

  // HTTP and WebSocket connections open now.
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace patchbay::server
