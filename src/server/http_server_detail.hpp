#pragma once
// Internals of HttpServer shared by http_server.cpp (listener, HTTP sessions,
// TLS) and http_server_websocket.cpp (WebSocket sessions). Only those two
// files include it: Beast stays in this folder.

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "server/http_server.hpp"

namespace patchbay::server::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

// The two transports a session runs on; sessions are templates over them.
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// An open connection as HttpServer::stop() sees it.
class Connection {
 public:
  virtual ~Connection() = default;
  // Posts to the connection's strand: an idle HTTP connection closes now, a busy
  // one after its answer; a WebSocket connection sends 1001 and closes.
  virtual void close_on_stop() = 0;
  // Called by stop() on its own thread after the I/O threads are gone, for
  // connections that did not finish closing in time: close the socket (and tell
  // the application).
  virtual void abandon() = 0;
};

// What outlives the server object: a handler still running on a worker when the
// server stops may answer later; its responder then finds `stopped` set and the
// io_context still there to post into.
struct ServerState {
  explicit ServerState(HttpServerOptions o) : options(std::move(o)) {}
  const HttpServerOptions options;
  // Set by start() before the I/O threads run, when TLS is configured; read-only
  // after. Declared before `io`, so that sessions still held by io's pending
  // handlers go first.
  std::optional<asio::ssl::context> tls;
  asio::io_context io;
  // Keeps the I/O threads running while no socket operation is pending (a
  // request on a worker, the acceptor closed) until stop() lets them go.
  asio::executor_work_guard<asio::io_context::executor_type> keep_running{io.get_executor()};
  std::atomic<bool> stopped{false};
  // HTTP sessions and open WebSocket sessions.
  std::atomic<std::size_t> open{0};

  // Every connection, so that stop() can close them.
  void remember(const std::shared_ptr<Connection>& connection);
  std::vector<std::shared_ptr<Connection>> live_connections();

 private:
  std::mutex connections_mutex_;
  std::vector<std::weak_ptr<Connection>> connections_;  // guarded by connections_mutex_
};

// A WebSocket upgrade request read by an HTTP session on `stream`'s strand: asks
// handler.websocket() for a listener. With one, takes the stream (the caller must
// not use it afterwards), runs the handshake and the session, and returns true;
// without, returns false and the caller answers 404 on its stream.
template <class Stream>
bool upgrade_to_websocket(Stream& stream, beast::http::request<beast::http::string_body> upgrade,
                          const HttpRequest& request, const std::shared_ptr<ServerState>& state,
                          RequestHandler& handler);
extern template bool upgrade_to_websocket<PlainStream>(
    PlainStream&, beast::http::request<beast::http::string_body>, const HttpRequest&,
    const std::shared_ptr<ServerState>&, RequestHandler&);
extern template bool upgrade_to_websocket<TlsStream>(TlsStream&,
                                                     beast::http::request<beast::http::string_body>,
                                                     const HttpRequest&,
                                                     const std::shared_ptr<ServerState>&,
                                                     RequestHandler&);

}  // namespace patchbay::server::detail
