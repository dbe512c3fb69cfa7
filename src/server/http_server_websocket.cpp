// WebSocket sessions of HttpServer: what an HTTP session hands its stream to
// after an upgrade request the RequestHandler accepts. One read always pending
// (Beast answers pings and runs the heartbeat while it is), one write at a time
// from a queue, everything on the connection's strand.

#include <deque>
#include <optional>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "core/websocket_close.hpp"
#include "server/http_server_detail.hpp"

namespace patchbay::server::detail {
namespace {

namespace http = beast::http;
namespace websocket = beast::websocket;

// "1000 bye", "1001" (no reason).
std::string describe(const websocket::close_reason& reason) {
  std::string text = std::to_string(reason.code);
  if (!reason.reason.empty()) text += " " + std::string(reason.reason.c_str());
  return text;
}

template <class Stream>
class WebSocketSession : public Connection,
                         public WebSocketConnection,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(asio::any_io_executor strand, std::shared_ptr<ServerState> state,
                   std::string remote)
      : strand_(std::move(strand)),
        state_(std::move(state)),
        options_(state_->options),
        remote_(std::move(remote)) {}

  void send(std::string text) override {
    asio::post(strand_, [self = this->shared_from_this(), text = std::move(text)]() mutable {
      if (self->phase_ == Phase::Closing || self->phase_ == Phase::Closed ||
          self->pending_close_ || self->write_failed_) {
        return;
      }
      self->outbox_.push_back(std::move(text));
      self->write_next();
    });
  }

  void close(std::uint16_t code, std::string reason) override {
    asio::post(strand_, [self = this->shared_from_this(), code,
                         reason = std::move(reason)]() mutable {
      std::string why = "closed by the server: " + std::to_string(code);
      if (!reason.empty()) why += " " + reason;
      self->begin_close(code, std::move(reason), std::move(why));
    });
  }

  const std::string& remote_address() const override { return remote_; }

  void close_on_stop() override {
    asio::post(strand_, [self = this->shared_from_this()] {
      self->begin_close(websocket::close_code::going_away, "server stopping", "server stopping");
    });
  }

  // Only with the I/O threads gone (HttpServer::stop()): nothing else touches
  // the session any more.
  void abandon() override {
    if (phase_ == Phase::Closed) return;
    beast::error_code ec;
    beast::get_lowest_layer(*ws_).socket().close(ec);
    finish("server stopping");
  }

  // The handler said no: the session never runs.
  void refuse() { phase_ = Phase::Closed; }

  // On the strand, once the handler has given a listener.
  void run(Stream stream, http::request<http::string_body> upgrade,
           std::shared_ptr<WebSocketListener> listener) {
    listener_ = std::move(listener);
    upgrade_ = std::move(upgrade);
    ws_.emplace(std::move(stream));
    ++state_->open;
    // The WebSocket timeouts below replace the TCP stream's.
    beast::get_lowest_layer(*ws_).expires_never();
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = options_.websocket_idle_timeout;
    timeout.idle_timeout = options_.websocket_idle_timeout;
    timeout.keep_alive_pings = true;
    ws_->set_option(timeout);
    ws_->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "patchbay"); }));
    ws_->read_message_max(options_.websocket_max_message_bytes);
    ws_->text(true);
    phase_ = Phase::Handshake;
    state_->remember(this->shared_from_this());
    ws_->async_accept(*upgrade_, [self = this->shared_from_this()](beast::error_code ec) {
      self->on_accept(ec);
    });
  }

 private:
  enum class Phase { Pending, Handshake, Open, Closing, Closed };

  void on_accept(beast::error_code ec) {
    upgrade_.reset();
    if (ec) return finish("WebSocket handshake failed: " + ec.message());
    if (phase_ != Phase::Handshake) return;
    phase_ = Phase::Open;
    read();
    write_next();
  }

  void read() {
    ws_->async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (phase_ == Phase::Closed) return;
    if (ec) return finish(describe_failure(ec));
    if (!ws_->got_text()) {
      buffer_.clear();
      // No further reads: the close handshake reads the peer's answer.
      return begin_close(websocket::close_code::unknown_data, "text messages only",
                         "closed by the server: the peer sent a binary message (1003)");
    }
    if (listener_) listener_->on_message(beast::buffers_to_string(buffer_.data()));
    buffer_.clear();
    read();
  }

  std::string describe_failure(beast::error_code ec) const {
    // Our close frame went out and the peer's answer ended the read: we closed.
    if (phase_ == Phase::Closing) return local_why_;
    // The peer's close frame is the reason even when the teardown after it failed.
    if (ec == websocket::error::closed || ws_->reason().code != websocket::close_code::none) {
      return "closed by the peer: " + describe(ws_->reason());
    }
    if (ec == websocket::error::message_too_big) {
      return "closed by the server: a message over the limit of " +
             std::to_string(options_.websocket_max_message_bytes) + " bytes (1009)";
    }
    if (ec == beast::error::timeout) {
      return "heartbeat timeout: nothing received from the peer for " +
             std::to_string(options_.websocket_idle_timeout.count()) + " s";
    }
    return "network error: " + ec.message();
  }

  // Queued messages go out first, then the close frame.
  void begin_close(std::uint16_t code, std::string reason, std::string why) {
    if (phase_ == Phase::Closing || phase_ == Phase::Closed || pending_close_) return;
    if (!core::sendable_close_code(code)) code = websocket::close_code::internal_error;
    auto text = core::close_reason(std::move(reason));
    pending_close_.emplace(static_cast<websocket::close_code>(code), beast::string_view(text));
    local_why_ = std::move(why);
    write_next();
  }

  void write_next() {
    if (phase_ != Phase::Open || writing_ || write_failed_) return;
    writing_ = true;
    if (!outbox_.empty()) {
      ws_->async_write(asio::buffer(outbox_.front()),
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         self->on_write(ec);
                       });
      return;
    }
    if (!pending_close_) {
      writing_ = false;
      return;
    }
    phase_ = Phase::Closing;
    ws_->async_close(*pending_close_, [self = this->shared_from_this()](beast::error_code) {
      self->finish(self->local_why_);
    });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (phase_ == Phase::Closed) return;
    if (ec) return on_write_failed(ec);
    outbox_.pop_front();
    write_next();
  }

  // The pending read fails too and says why (a close frame from the peer often
  // makes the write fail first); only when we stopped reading to close do we end here.
  void on_write_failed(beast::error_code ec) {
    outbox_.clear();
    write_failed_ = true;
    if (pending_close_) finish("network error: " + ec.message());
  }

  // The one place the application hears that the connection is gone.
  void finish(std::string why) {
    if (phase_ == Phase::Closed) return;
    phase_ = Phase::Closed;
    outbox_.clear();
    --state_->open;
    // Dropping the listener breaks the cycle when it holds its connection.
    if (auto listener = std::move(listener_)) listener->on_close(std::move(why));
  }

  // Everything below is touched on strand_ only (abandon() aside).
  asio::any_io_executor strand_;
  std::shared_ptr<ServerState> state_;
  const HttpServerOptions& options_;  // lives in state_
  const std::string remote_;
  std::optional<websocket::stream<Stream>> ws_;
  std::optional<http::request<http::string_body>> upgrade_;  // until the handshake is done
  std::shared_ptr<WebSocketListener> listener_;
  Phase phase_ = Phase::Pending;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool writing_ = false;  // an async_write or async_close is in flight
  bool write_failed_ = false;
  std::optional<websocket::close_reason> pending_close_;
  std::string local_why_;  // on_close's text when we close
};

}  // namespace

template <class Stream>
bool upgrade_to_websocket(Stream& stream, http::request<http::string_body> upgrade,
                          const HttpRequest& request, const std::shared_ptr<ServerState>& state,
                          RequestHandler& handler) {
  auto session =
      std::make_shared<WebSocketSession<Stream>>(stream.get_executor(), state, request.remote_address);
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
                                              const std::shared_ptr<ServerState>&,
                                              RequestHandler&);

}  // namespace patchbay::server::detail
