#include "support/fake_upstream.hpp"

#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace patchbay::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct FakeUpstream::State {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  mutable std::mutex mutex;
  std::map<std::pair<std::string, std::string>, Reply> script;
  Handler handler;
  std::vector<Request> requests;

  Reply reply_for(const Request& request) {
    std::lock_guard lock(mutex);
    requests.push_back(request);
    if (handler) return handler(request);
    auto found = script.find({request.method, request.path});
    if (found != script.end()) return found->second;
    return Reply::text(404, "no scripted reply for " + request.method + " " + request.path);
  }
};

namespace {

// Coroutines hold a plain pointer: the State outlives them, because its io_context
// destroys every pending coroutine frame when the State is destroyed.
asio::awaitable<void> serve(FakeUpstream::State* state, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> raw;
    auto [read_error, read_bytes] =
        co_await http::async_read(stream, buffer, raw, asio::as_tuple(asio::use_awaitable));
    (void)read_bytes;
    if (read_error) co_return;

    FakeUpstream::Request request;
    request.method = std::string(raw.method_string());
    request.target = std::string(raw.target());
    request.path = request.target.substr(0, request.target.find('?'));
    for (const auto& field : raw) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[name] = std::string(field.value());
    }
    request.body = raw.body();

    FakeUpstream::Reply reply = state->reply_for(request);
    if (reply.delay.count() > 0) {
      asio::steady_timer timer(stream.get_executor(), reply.delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (reply.reset) {
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.socket().close(ignored);
      co_return;
    }
    http::response<http::string_body> response{static_cast<http::status>(reply.status),
                                               raw.version()};
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    response.body() = reply.body;
    response.keep_alive(raw.keep_alive());
    response.prepare_payload();
    auto [write_error, written] =
        co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    (void)written;
    if (write_error || !raw.keep_alive()) co_return;
  }
}

asio::awaitable<void> accept_loop(FakeUpstream::State* state) {
  for (;;) {
    auto [error, socket] =
        co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error) co_return;
    asio::co_spawn(state->io, serve(state, std::move(socket)), asio::detached);
  }
}

}  // namespace

std::string FakeUpstream::Request::header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

FakeUpstream::Reply FakeUpstream::Reply::json(int status, std::string body) {
  return Reply{status, {{"Content-Type", "application/json"}}, std::move(body), {}, false};
}

FakeUpstream::Reply FakeUpstream::Reply::text(int status, std::string body) {
  return Reply{status, {{"Content-Type", "text/plain"}}, std::move(body), {}, false};
}

FakeUpstream::FakeUpstream() : FakeUpstream("127.0.0.1", 0) {}

FakeUpstream::FakeUpstream(const std::string& address, std::uint16_t port)
    : state_(std::make_unique<State>()) {
  tcp::endpoint endpoint(asio::ip::make_address(address), port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  asio::co_spawn(state_->io, accept_loop(state_.get()), asio::detached);
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

FakeUpstream::~FakeUpstream() {
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
  // Nothing runs the io_context any more; closing here makes the port refuse
  // connections at once.
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

void FakeUpstream::on(std::string method, std::string path, Reply reply) {
  std::lock_guard lock(state_->mutex);
  state_->script[{std::move(method), std::move(path)}] = std::move(reply);
}

void FakeUpstream::set_handler(Handler handler) {
  std::lock_guard lock(state_->mutex);
  state_->handler = std::move(handler);
}

std::uint16_t FakeUpstream::port() const { return state_->acceptor.local_endpoint().port(); }

std::string FakeUpstream::url(std::string_view path) const {
  return "http://" + state_->acceptor.local_endpoint().address().to_string() + ":" +
         std::to_string(port()) + std::string(path);
}

std::vector<FakeUpstream::Request> FakeUpstream::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

}  // namespace patchbay::test
