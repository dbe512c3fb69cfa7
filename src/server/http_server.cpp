#include "server/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/text.hpp"

namespace patchbay::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

std::string_view HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

// What outlives the server object: a handler still running on a worker when the
// server stops may answer later; its responder then finds `stopped` set and the
// io_context still there to post into.
struct ServerState {
  explicit ServerState(HttpServerOptions o) : options(std::move(o)) {}
  const HttpServerOptions options;
  asio::io_context io;
  // Keeps the I/O threads running while no socket operation is pending (a
  // request on a worker, the acceptor closed) until stop() lets them go.
  asio::executor_work_guard<asio::io_context::executor_type> keep_running{io.get_executor()};
  std::atomic<bool> stopped{false};
  std::atomic<std::size_t> open{0};
};

class Session : public std::enable_shared_from_this<Session> {
  static constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;

 public:
  Session(tcp::socket socket, std::shared_ptr<ServerState> state, RequestHandler& handler)
      : stream_(std::move(socket)),
        state_(std::move(state)),
        options_(state_->options),
        handler_(handler) {
    ++state_->open;
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }
  ~Session() { --state_->open; }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // Closes an idle connection now, a busy one once its answer is written.
  void close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->busy_) return;
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  // The header first: the route decides how large a body it takes.
  void read() {
    parser_.emplace();
    body_limit_ = std::max(options_.max_body_bytes, options_.max_large_body_bytes);
    parser_->body_limit(body_limit_);
    parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    stream_.expires_after(options_.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
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
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec2, std::size_t) { self->on_read(ec2); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
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
    // No read until this answer is written: one request at a time per connection
    // keeps responses in order without a queue.
    stream_.expires_never();
    busy_ = true;
    handler_.handle(std::move(request), [self = shared_from_this(),
                                         state = state_](HttpResponse response) mutable {
      if (state->stopped) return;
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
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
  // answer (like nginx's lingering close).
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    discard_ = std::make_unique<std::array<char, 16 * 1024>>();
    discard();
  }

  void discard() {
    stream_.async_read_some(asio::buffer(*discard_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discarded_ += n;
                              if (ec || self->discarded_ > kMaxLingerBytes) return;
                              self->discard();
                            });
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
    stream_.expires_after(options_.idle_timeout);
    http::async_write(stream_, *out,
                      [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
                        self->busy_ = false;
                        if (!ec && self->linger_) return self->linger();
                        if (ec || !out->keep_alive() || self->closing_) return self->shutdown();
                        self->read();
                      });
  }

  void shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<ServerState> state_;
  const HttpServerOptions& options_;  // lives in state_
  RequestHandler& handler_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t body_limit_ = 0;  // of the request being read
  std::string remote_;
  bool keep_alive_ = true;
  bool busy_ = false;     // between reading a request and writing its answer
  bool closing_ = false;  // the server is stopping: no further requests
  bool linger_ = false;   // refused mid-request: drain before closing
  std::unique_ptr<std::array<char, 16 * 1024>> discard_;
  std::size_t discarded_ = 0;
  unsigned version_ = 11;
};

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
            auto session = std::make_shared<Session>(std::move(socket), state, handler);
            remember(session);
            session->start();
          }
          accept();
        });
  }

  void remember(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(sessions_mutex);
    // Prune the dead now and then so the set stays as large as the live count.
    if (sessions.size() > 64 && sessions.size() > 2 * state->open.load()) {
      std::erase_if(sessions, [](const auto& weak) { return weak.expired(); });
    }
    sessions.push_back(session);
  }

  RequestHandler& handler;
  std::shared_ptr<ServerState> state;
  const HttpServerOptions& options;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<Session>> sessions;
  unsigned short bound_port = 0;
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() { stop(); }

core::Result<void> HttpServer::start() {
  auto& impl = *impl_;
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
  {
    std::lock_guard lock(impl.sessions_mutex);
    for (auto& weak : impl.sessions) {
      if (auto session = weak.lock()) session->close();
    }
    impl.sessions.clear();
  }
  // Let answers being written finish, then stop the loop for good.
  for (int i = 0; i < 200 && impl.state->open.load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl.state->stopped = true;  // late answers from abandoned work are dropped
  impl.state->keep_running.reset();
  impl.state->io.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
}

std::size_t HttpServer::open_connections() const { return impl_->state->open.load(); }

}  // namespace patchbay::server
