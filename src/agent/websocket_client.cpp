#include "agent/websocket_client.hpp"

#include <atomic>
#include <future>
#include <optional>
#include <thread>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/text.hpp"
#include "http/websocket_channel.hpp"

namespace patchbay::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Where a ws:// or wss:// URL points.
struct Target {
  bool tls = false;
  std::string host;         // name or address, without IPv6 brackets
  std::string port;         // "443" when the URL names none
  std::string host_header;  // as in the URL: "[::1]:8443"
  std::string path;         // path and query: "/agent?id=7"
};

core::Result<Target> parse_target(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return core::invalid_argument("WebSocket URL '" + url + "' " + why);
  };
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return bad("is not a URL: " + parsed.error().message());
  Target target;
  auto scheme = core::ascii_lower(parsed->scheme());
  if (scheme != "ws" && scheme != "wss") return bad("must start with ws:// or wss://");
  target.tls = scheme == "wss";
  target.host = parsed->host_address();
  if (target.host.empty()) return bad("names no host");
  if (parsed->has_userinfo()) return bad("may not carry credentials");
  if (parsed->has_fragment()) return bad("may not have a #fragment");
  if (parsed->has_port()) {
    if (parsed->port_number() == 0) return bad("has no valid port");
    target.port = std::to_string(parsed->port_number());
  } else {
    target.port = target.tls ? "443" : "80";
  }
  target.host_header = parsed->encoded_host_and_port();
  target.path = parsed->encoded_path();
  if (target.path.empty()) target.path = "/";
  if (parsed->has_query()) target.path += "?" + std::string(parsed->encoded_query());
  return target;
}

core::Result<std::optional<ssl::context>> make_tls(const WebSocketClientOptions& options) {
  std::optional<ssl::context> tls(std::in_place, ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  tls->set_default_verify_paths(ec);  // no system store is not fatal: ca_file may do
  if (!options.ca_file.empty()) {
    tls->load_verify_file(options.ca_file, ec);
    if (ec) {
      return core::invalid_argument("cannot load the CA file " + options.ca_file + ": " +
                                    ec.message());
    }
  }
  tls->set_verify_mode(ssl::verify_peer);
  return tls;
}

// One connection on the client's I/O thread, the only thread of its io_context
// (no strand needed): the connect steps under one deadline, then
// http::WebSocketChannel.
class Session : public std::enable_shared_from_this<Session> {
 public:
  virtual ~Session() = default;
  virtual void start() = 0;
  virtual void send(std::string text) = 0;
  virtual void close(std::uint16_t code, std::string reason) = 0;
  // Failed to connect, or closed after connecting; from any thread.
  bool gone() const { return gone_.load(); }

 protected:
  std::atomic<bool> gone_{false};
};

template <class Stream>
class StreamSession : public Session, public http::WebSocketChannel<Stream> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using Channel = http::WebSocketChannel<Stream>;

 public:
  // `tls_context...`: the ssl::context of a TlsStream, nothing for a PlainStream.
  template <class... TlsContext>
  StreamSession(asio::io_context& io, Target target, const WebSocketClientOptions& options,
                const WebSocketClient::Callbacks& callbacks,
                std::promise<core::Result<void>>& connected, TlsContext&... tls_context)
      : Channel({.self = "client", .peer = "server"},
                {.max_message_bytes = options.max_message_bytes,
                 .idle_timeout = options.idle_timeout,
                 .close_timeout = options.connect_timeout}),
        io_(io),
        target_(std::move(target)),
        options_(options),
        callbacks_(callbacks),
        connected_(connected),
        resolver_(io),
        deadline_(io) {
    this->ws_.emplace(io, tls_context...);
  }

  void start() override {
    deadline_.expires_after(options_.connect_timeout);
    deadline_.async_wait([self = shared()](beast::error_code ec) {
      if (ec || !self->connecting_) return;
      self->timed_out_ = true;
      self->resolver_.cancel();
      beast::error_code ignored;
      self->lowest().socket().close(ignored);
    });
    resolver_.async_resolve(
        target_.host, target_.port,
        [self = shared()](beast::error_code ec, tcp::resolver::results_type found) {
          if (ec) return self->fail("cannot resolve " + self->target_.host, ec);
          self->on_resolve(found);
        });
  }

  void send(std::string text) override { this->queue(std::move(text)); }

  void close(std::uint16_t code, std::string reason) override {
    if (!connecting_) this->close_channel(code, std::move(reason));
  }

 private:
  std::shared_ptr<StreamSession> shared() {
    return std::static_pointer_cast<StreamSession>(shared_from_this());
  }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(*this->ws_); }

  void on_resolve(const tcp::resolver::results_type& found) {
    lowest().async_connect(found, [self = shared()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->fail("cannot connect", ec);
      if constexpr (kTls) {
        self->tls_handshake();
      } else {
        self->websocket_handshake();
      }
    });
  }

  void tls_handshake() {
    auto& tls = this->ws_->next_layer();
    beast::error_code ec;
    asio::ip::make_address(target_.host, ec);
    // SNI names hosts, never addresses.
    // (SSL_set_tlsext_host_name, without the macro's C cast.)
    if (ec && SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                       const_cast<char*>(target_.host.c_str())) != 1) {
      return fail(
          "cannot set the TLS server name",
          beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
    }
    tls.set_verify_callback(ssl::host_name_verification(target_.host));
    tls.async_handshake(ssl::stream_base::client, [self = shared()](beast::error_code ec2) {
      if (ec2) return self->fail("TLS handshake failed", ec2);
      self->websocket_handshake();
    });
  }

  void websocket_handshake() {
    this->ws_->set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "patchbay-agent");
    }));
    this->ws_->async_handshake(response_, target_.host_header, target_.path,
                               [self = shared()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec == websocket::error::upgrade_declined) {
      return fail("the server answered " + std::to_string(response_.result_int()) + " " +
                      std::string(response_.reason()) + " instead of upgrading",
                  {});
    }
    if (ec) return fail("WebSocket handshake failed", ec);
    deadline_.cancel();
    connecting_ = false;
    // The WebSocket heartbeat takes over from the TCP stream's timeouts.
    lowest().expires_never();
    connected_.set_value({});
    this->open_channel();
  }

  // A connect step failed: connect() returns the error; no callback runs.
  void fail(std::string step, beast::error_code ec) {
    connecting_ = false;
    deadline_.cancel();
    std::string cause = std::move(step);
    if (timed_out_) {
      cause = "timed out after " + std::to_string(options_.connect_timeout.count()) + " s";
    } else if (ec) {
      cause += ": " + ec.message();
      if constexpr (kTls) {
        auto verify = SSL_get_verify_result(this->ws_->next_layer().native_handle());
        if (verify != X509_V_OK) {
          cause += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
        }
      }
    }
    beast::error_code ignored;
    lowest().socket().close(ignored);
    gone_ = true;
    connected_.set_value(core::Error{
        core::ErrorCode::Unavailable, "cannot connect to " + options_.url + ": " + cause, {}});
    io_.stop();
  }

  void on_channel_message(std::string text) override {
    if (callbacks_.on_message) callbacks_.on_message(std::move(text));
  }

  void on_channel_closed(std::string why) override {
    gone_ = true;
    if (callbacks_.on_close) callbacks_.on_close(std::move(why));
    // The close handshake is over or the connection broke: what is still pending
    // (Beast's idle timer) must not keep the thread, and the destructor, waiting.
    io_.stop();
  }

  std::shared_ptr<Channel> channel_owner() override { return shared(); }

  asio::io_context& io_;  // the Link's; this session's only thread runs it
  const Target target_;
  const WebSocketClientOptions& options_;        // the client's
  const WebSocketClient::Callbacks& callbacks_;  // the client's
  std::promise<core::Result<void>>& connected_;  // the Link's; set once
  tcp::resolver resolver_;
  asio::steady_timer deadline_;  // of the connect steps
  bool connecting_ = true;
  bool timed_out_ = false;
  beast::http::response<beast::http::string_body> response_;  // to the upgrade request
};

}  // namespace

// Declared so that the I/O context, and with it the handlers that hold the
// session, go before the TLS context and the promise the session refers to.
struct WebSocketClient::Link {
  std::optional<ssl::context> tls;  // wss:// only
  std::promise<core::Result<void>> connected;
  asio::io_context io{1};
  std::shared_ptr<Session> session;
  std::thread thread;

  ~Link() {
    if (thread.joinable()) thread.join();
  }
  // Runs `call` on the I/O thread (dropped once the connection is gone).
  template <class Call>
  void post(Call call) {
    asio::post(io, [session = session, call = std::move(call)]() mutable { call(*session); });
  }
};

WebSocketClient::WebSocketClient(WebSocketClientOptions options, Callbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {}

WebSocketClient::~WebSocketClient() {
  std::shared_ptr<Link> link;
  {
    std::lock_guard lock(mutex_);
    link = std::move(link_);
  }
  if (!link) return;
  link->post([](Session& session) { session.close(1000, ""); });
  link.reset();  // joins: the thread ends once the connection is closed
}

core::Result<void> WebSocketClient::connect() {
  auto target = parse_target(options_.url);
  if (!target) return target.error();
  auto link = std::make_shared<Link>();
  if (target->tls) {
    auto tls = make_tls(options_);
    if (!tls) return tls.error();
    link->tls = std::move(*tls);
    link->session = std::make_shared<StreamSession<TlsStream>>(
        link->io, std::move(*target), options_, callbacks_, link->connected, *link->tls);
  } else {
    link->session = std::make_shared<StreamSession<PlainStream>>(
        link->io, std::move(*target), options_, callbacks_, link->connected);
  }
  std::shared_ptr<Link> previous;
  {
    std::lock_guard lock(mutex_);
    if (link_ && !link_->session->gone()) {
      return core::Error{core::ErrorCode::Conflict,
                         "already connected to " + options_.url + "; close() first",
                         {}};
    }
    if (link_ && link_->thread.get_id() == std::this_thread::get_id()) {
      return core::Error{core::ErrorCode::Conflict,
                         "connect() was called from a callback; call it from another thread",
                         {}};
    }
    previous = std::move(link_);
  }
  previous.reset();  // joins the earlier connection's thread, which has ended or is ending
  auto result = link->connected.get_future();
  link->session->start();
  link->thread = std::thread([link = link.get()] { link->io.run(); });
  auto outcome = result.get();
  if (outcome) {
    std::lock_guard lock(mutex_);
    link_ = std::move(link);
  }
  return outcome;
}

void WebSocketClient::send(std::string text) {
  std::lock_guard lock(mutex_);
  if (!link_) return;
  link_->post(
      [text = std::move(text)](Session& session) mutable { session.send(std::move(text)); });
}

void WebSocketClient::close(std::uint16_t code, std::string reason) {
  std::lock_guard lock(mutex_);
  if (!link_) return;
  link_->post([code, reason = std::move(reason)](Session& session) mutable {
    session.close(code, std::move(reason));
  });
}

}  // namespace patchbay::agent
