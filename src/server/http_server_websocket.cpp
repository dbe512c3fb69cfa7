// WebSocket sessions of HttpServer: what an HTTP session hands its stream to
// after an upgrade request the RequestHandler accepts. The handshake is done
// here; messages, heartbeat and closing are http::WebSocketChannel's, on the
// connection's strand.

#include <optional>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "http/websocket_channel.hpp"
#include "server/http_server_detail.hpp"

namespace patchbay::server::detail {
namespace {

namespace http = beast::http;
namespace websocket = beast::websocket;

template <class Stream>
class WebSocketSession : public Connection,
                         public WebSocketConnection,
                         public patchbay::http::WebSocketChannel<Stream>,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
  using Channel = patchbay::http::WebSocketChannel<Stream>;

 public:
  WebSocketSession(asio::any_io_executor strand, std::shared_ptr<ServerState> state,
                   std::string remote)
      : Channel({.self = "server", .peer = "client"},
                {.max_message_bytes = state->options.websocket_max_message_bytes,
                 .idle_timeout = state->options.websocket_idle_timeout,
                 .close_timeout = state->options.websocket_idle_timeout}),
        strand_(std::move(strand)),
        state_(std::move(state)),
        remote_(std::move(remote)) {}

  void send(std::string text) override {
    asio::post(strand_, [self = this->shared_from_this(), text = std::move(text)]() mutable {
      self->queue(std::move(text));
    });
  }

  void close(std::uint16_t code, std::string reason) override {
    asio::post(strand_,
               [self = this->shared_from_this(), code, reason = std::move(reason)]() mutable {
                 self->close_channel(code, std::move(reason));
               });
  }

  const std::string& remote_address() const override { return remote_; }

  void close_on_stop() override {
    asio::post(strand_, [self = this->shared_from_this()] {
      self->close_channel(websocket::close_code::going_away, "server stopping", "server stopping");
    });
  }

  // Only with the I/O threads gone (HttpServer::stop()): nothing else touches
  // the session any more.
  void abandon() override {
    // Also when ended: the close handshake's teardown may still be pending.
    beast::error_code ec;
    beast::get_lowest_layer(*this->ws_).socket().close(ec);
    this->end_channel("server stopping");
  }

  // The handler said no: the session never runs.
  void refuse() { this->end_channel("refused"); }

  // On the strand, once the handler has given a listener.
  void run(Stream stream, http::request<http::string_body> upgrade,
           std::shared_ptr<WebSocketListener> listener) {
    listener_ = std::move(listener);
    upgrade_ = std::move(upgrade);
    this->ws_.emplace(std::move(stream));
    auto& ws = *this->ws_;
    ++state_->open;
    counted_ = true;
    // The WebSocket timeouts replace the TCP stream's: the handshake's now, the
    // heartbeat's once open.
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = state_->options.websocket_idle_timeout;
    ws.set_option(timeout);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "patchbay"); }));
    state_->remember(this->shared_from_this());
    ws.async_accept(*upgrade_, [self = this->shared_from_this()](beast::error_code ec) {
      self->upgrade_.reset();
      if (ec) return self->end_channel("WebSocket handshake failed: " + ec.message());
      self->open_channel();
    });
  }

 private:
  void on_channel_message(std::string text) override {
    if (listener_) listener_->on_message(std::move(text));
  }

  void on_channel_closed(std::string why) override {
    if (counted_) --state_->open;
    counted_ = false;
    // Dropping the listener breaks the cycle when it holds its connection.
    if (auto listener = std::move(listener_)) listener->on_close(std::move(why));
  }

  std::shared_ptr<Channel> channel_owner() override { return this->shared_from_this(); }

  // Everything below is touched on strand_ only (abandon() aside).
  asio::any_io_executor strand_;
  std::shared_ptr<ServerState> state_;
  const std::string remote_;
  std::optional<http::request<http::string_body>> upgrade_;  // until the handshake is done
  std::shared_ptr<WebSocketListener> listener_;
  bool counted_ = false;  // in state_->open
};

}  // namespace

template <class Stream>
bool upgrade_to_websocket(Stream& stream, http::request<http::string_body> upgrade,
                          const HttpRequest& request, const std::shared_ptr<ServerState>& state,
                          RequestHandler& handler) {
  auto session = std::make_shared<WebSocketSession<Stream>>(stream.get_executor(), state,
                                                            request.remote_address);
  auto listener = handler.websocket(request, session);
  if (!listener) {
    session->refuse();
    return false;
  }
  session->run(std::move(stream), std::move(upgrade), std::move(listener));
  return true;
}

template bool upgrade_to_websocket<PlainStream>(PlainStream&, http::request<http::string_body>,
                                                const HttpRequest&,
                                                const std::shared_ptr<ServerState>&,
                                                RequestHandler&);
template bool upgrade_to_websocket<TlsStream>(TlsStream&, http::request<http::string_body>,
                                              const HttpRequest&,
                                              const std::shared_ptr<ServerState>&, RequestHandler&);

}  // namespace patchbay::server::detail
