#include "server/http_server.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "core/text.hpp"
#include "server/http_server_detail.hpp"

namespace patchbay::server {

std::string_view HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

namespace detail {
namespace {

namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  static constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;
  // How long a TLS peer may take to answer our close_notify.
  static constexpr std::chrono::seconds kTlsShutdownTimeout{5};

 public:
  Session(Stream stream, std::shared_ptr<ServerState> state, RequestHandler& handler)
      : stream_(std::move(stream)),
        executor_(stream_.get_executor()),
        state_(std::move(state)),
        options_(state_->options),
        handler_(handler) {
    ++state_->open;
    beast::error_code ec;
    auto endpoint = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }
  ~Session() override { --state_->open; }

  void start() {
    asio::dispatch(executor_, [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->read();
      }
    });
  }

  void abandon() override {
    if (!upgraded_) close_socket();
  }

  // Closes an idle connection now, a busy one once its answer is written.
  void close_on_stop() override {
    asio::post(executor_, [self = this->shared_from_this()] {
      self->closing_ = true;
      if (self->busy_ || self->upgraded_) return;
      self->close_socket();
    });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // The TLS handshake may take as long as an idle connection may wait.
  void handshake() {
    lowest().expires_after(options_.idle_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (ec) return self->close_socket();
                              self->read();
                            });
  }

  // The header first: the route decides how large a body it takes.
  void read() {
    parser_.emplace();
    body_limit_ = std::max(options_.max_body_bytes, options_.max_large_body_bytes);
    parser_->body_limit(body_limit_);
    parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    lowest().expires_after(options_.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read(ec);
    const auto& header = parser_->get();
    std::size_t wanted = handler_.body_limit(header.method_string(), header.target());
    body_limit_ = wanted == 0 ? options_.max_body_bytes
                              : std::min(wanted, std::max(options_.max_body_bytes,
                                                          options_.max_large_body_bytes));
    if (auto length = parser_->content_length(); length && *length > body_limit_) {
      return on_read(http::error::body_limit);
    }
    parser_->body_limit(body_limit_);  // a chunked body is held to it as it arrives
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec2, std::size_t) {
                       self->on_read(ec2);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      return shutdown();
    }
    if (ec == http::error::body_limit) {
      return reply_and_close(
          handler_.transport_error(413, "request body is over the limit of " +
                                            std::to_string(body_limit_) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      return reply_and_close(handler_.transport_error(431, "request headers are too large"));
    }
    if (ec) {
      return reply_and_close(
          handler_.transport_error(400, "malformed HTTP request: " + ec.message()));
    }
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    auto question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) request.query = request.target.substr(question + 1);
    request.headers.reserve(8);
    for (const auto& field : message) {
      request.headers.emplace_back(core::ascii_lower(field.name_string()),
                                   std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_;
    if (websocket::is_upgrade(message)) {
      if (upgrade_to_websocket(stream_, std::move(message), request, state_, handler_)) {
        upgraded_ = true;  // the stream belongs to the WebSocket session now
        return;
      }
      return write(handler_.transport_error(404, "no WebSocket endpoint at " + request.path));
    }
    // No read until this answer is written: one request at a time per connection
    // keeps responses in order without a queue.
    lowest().expires_never();
    busy_ = true;
    handler_.handle(std::move(request), [self = this->shared_from_this(),
                                         state = state_](HttpResponse response) mutable {
      if (state->stopped) return;
      asio::post(self->executor_, [self, response = std::move(response)]() mutable {
        self->write(std::move(response));
      });
    });
  }

  // For requests refused before their body was read (too large, malformed):
  // the client may still be sending, and closing with unread data makes the
  // kernel send a reset that can destroy the answer before the client reads it.
  void reply_and_close(HttpResponse response) {
    keep_alive_ = false;
    linger_ = true;
    write(std::move(response));
  }

  // Reads and drops what the client still sends, for a short while, after the
  // answer (like nginx's lingering close). Over TLS the raw bytes are dropped
  // undecrypted.
  void linger() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest().expires_after(std::chrono::seconds(2));
    discard_ = std::make_unique<std::array<char, 16 * 1024>>();
    discard();
  }

  void discard() {
    auto on_read = [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      self->discarded_ += n;
      if (ec || self->discarded_ > kMaxLingerBytes) return;
      self->discard();
    };
    lowest().async_read_some(asio::buffer(*discard_), std::move(on_read));
  }

  void write(HttpResponse response) {
    auto out = std::make_shared<http::response<http::string_body>>();
    out->version(version_);
    out->result(static_cast<unsigned>(response.status));
    out->set(http::field::server, "patchbay");
    if (!response.content_type.empty()) out->set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) out->set(name, value);
    out->body() = std::move(response.body);
    out->keep_alive(keep_alive_ && !closing_ && !state_->stopped);
    out->prepare_payload();
    lowest().expires_after(options_.idle_timeout);
    http::async_write(stream_, *out,
                      [self = this->shared_from_this(), out](beast::error_code ec, std::size_t) {
                        self->busy_ = false;
                        if (!ec && self->linger_) return self->linger();
                        if (ec || !out->keep_alive() || self->closing_) return self->shutdown();
                        self->read();
                      });
  }

  // The end of a connection: TLS sends close_notify first.
  void shutdown() {
    if constexpr (kTls) {
      lowest().expires_after(kTlsShutdownTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->close_socket(); });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  void close_socket() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  Stream stream_;
  // The connection's strand; kept apart because stream_ is moved out on upgrade.
  asio::any_io_executor executor_;
  std::shared_ptr<ServerState> state_;
  const HttpServerOptions& options_;  // lives in state_
  RequestHandler& handler_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t body_limit_ = 0;  // of the request being read
  std::string remote_;
  bool keep_alive_ = true;
  bool busy_ = false;      // between reading a request and writing its answer
  bool closing_ = false;   // the server is stopping: no further requests
  bool linger_ = false;    // refused mid-request: drain before closing
  bool upgraded_ = false;  // stream_ went to a WebSocket session
  std::unique_ptr<std::array<char, 16 * 1024>> discard_;
  std::size_t discarded_ = 0;
  unsigned version_ = 11;
};

// The server's TLS context from the PEM files in `options`, or nothing when TLS
// is off.
core::Result<std::optional<asio::ssl::context>> load_tls(const HttpServerOptions& options) {
  const auto& certificate = options.tls_certificate_file;
  const auto& key = options.tls_private_key_file;
  if (certificate.empty() && key.empty()) return std::optional<asio::ssl::context>();
  if (certificate.empty() || key.empty()) {
    std::string missing = certificate.empty() ? "a certificate file (tls_certificate_file)"
                                              : "a private key file (tls_private_key_file)";
    std::string given =
        certificate.empty() ? "the private key file " + key : "the certificate file " + certificate;
    return core::invalid_argument("TLS needs " + missing + " as well as " + given);
  }
  for (const auto* file : {&certificate, &key}) {
    std::FILE* probe = std::fopen(file->c_str(), "rb");
    if (probe == nullptr) {
      return core::invalid_argument("cannot read the TLS " +
                                    std::string(file == &key ? "private key" : "certificate") +
                                    " file " + *file + ": " + std::strerror(errno));
    }
    std::fclose(probe);
  }
  std::optional<asio::ssl::context> tls(std::in_place, asio::ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::single_dh_use);
  // An encrypted key would make OpenSSL prompt on the terminal: fail instead.
  tls->set_password_callback(
      [](std::size_t, asio::ssl::context::password_purpose) { return std::string(); });
  beast::error_code ec;
  tls->use_certificate_chain_file(certificate, ec);
  if (ec) {
    return core::invalid_argument("the TLS certificate file " + certificate +
                                  " holds no usable PEM certificate: " + ec.message());
  }
  tls->use_private_key_file(key, asio::ssl::context::pem, ec);
  if (ec) {
    return core::invalid_argument("the TLS private key file " + key +
                                  " holds no usable PEM key: " + ec.message());
  }
  if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
    return core::invalid_argument("the TLS private key file " + key +
                                  " does not match the certificate in " + certificate);
  }
  return tls;
}

}  // namespace

void ServerState::remember(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mutex_);
  // Prune the dead now and then so the list stays as large as the live count.
  if (connections_.size() > 64 && connections_.size() > 2 * open.load()) {
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
  }
  connections_.push_back(connection);
}

std::vector<std::shared_ptr<Connection>> ServerState::live_connections() {
  std::lock_guard lock(connections_mutex_);
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& weak : connections_) {
    if (auto connection = weak.lock()) live.push_back(std::move(connection));
  }
  return live;
}

}  // namespace detail

using detail::Connection;
using detail::PlainStream;
using detail::ServerState;
using detail::Session;
using detail::TlsStream;
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  Impl(HttpServerOptions o, RequestHandler& h)
      : handler(h),
        state(std::make_shared<ServerState>(std::move(o))),
        options(state->options),
        acceptor(asio::make_strand(state->io)) {}

  void accept() {
    acceptor.async_accept(
        asio::make_strand(state->io), [this](beast::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
          if (!ec) {
            if (state->tls) {
              run(std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *state->tls),
                                                       state, handler));
            } else {
              run(std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), state,
                                                         handler));
            }
          }
          accept();
        });
  }

  template <class S>
  void run(const std::shared_ptr<S>& session) {
    state->remember(session);
    session->start();
  }

  RequestHandler& handler;
  std::shared_ptr<ServerState> state;
  const HttpServerOptions& options;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  unsigned short bound_port = 0;
};

core::Result<void> check_tls_files(const HttpServerOptions& options) {
  auto tls = detail::load_tls(options);
  if (!tls) return tls.error();
  return {};
}

HttpServer::HttpServer(HttpServerOptions options, RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() { stop(); }

core::Result<void> HttpServer::start() {
  auto& impl = *impl_;
  auto tls = detail::load_tls(impl.options);
  if (!tls) return tls.error();
  auto where = impl.options.address + ":" + std::to_string(impl.options.port);
  beast::error_code ec;
  auto address = asio::ip::make_address(impl.options.address, ec);
  if (ec) {
    return core::Error{core::ErrorCode::InvalidArgument,
                       "cannot listen on '" + where + "': not an IP address",
                       {}};
  }
  tcp::endpoint endpoint(address, impl.options.port);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Error{
        core::ErrorCode::Unavailable, "cannot listen on " + where + ": " + ec.message(), {}};
  }
  impl.state->tls = std::move(*tls);
  impl.bound_port = impl.acceptor.local_endpoint().port();
  impl.accept();
  auto count = std::max<std::size_t>(1, impl.options.io_threads);
  for (std::size_t i = 0; i < count; ++i) {
    impl.threads.emplace_back([state = impl.state] { state->io.run(); });
  }
  return {};
}

unsigned short HttpServer::port() const { return impl_->bound_port; }

void HttpServer::stop_accepting() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
}

void HttpServer::stop() {
  auto& impl = *impl_;
  if (impl.threads.empty()) return;
  stop_accepting();
  for (auto& connection : impl.state->live_connections()) connection->close_on_stop();
  // Let answers being written and WebSocket close handshakes finish, then stop
  // the loop for good.
  for (int i = 0; i < 200 && impl.state->open.load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl.state->stopped = true;  // late answers from abandoned work are dropped
  impl.state->keep_running.reset();
  impl.state->io.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  // Connections that did not close in time: close their sockets, tell their
  // listeners, and run the aborted operations here, so that no pending handler
  // keeps a session - and, through it, this state - alive.
  for (auto& connection : impl.state->live_connections()) connection->abandon();
  impl.state->io.restart();
  impl.state->io.poll();
}

std::size_t HttpServer::open_connections() const { return impl_->state->open.load(); }

}  // namespace patchbay::server
