#include "support/http_call.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include "core/text.hpp"

namespace patchbay::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpReply read_reply(tcp::socket& socket) {
  HttpReply reply;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code ec;
  http::read(socket, buffer, parser, ec);
  if (ec) return reply;
  auto& message = parser.get();
  reply.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    reply.headers.emplace_back(core::ascii_lower(field.name_string()), std::string(field.value()));
  }
  reply.body = std::move(message.body());
  return reply;
}

bool connect(asio::io_context& io, tcp::socket& socket, unsigned short port) {
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  (void)io;
  return !ec;
}

}  // namespace

std::string HttpReply::header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

boost::json::value HttpReply::json() const {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  return ec ? boost::json::value() : parsed;
}

HttpReply http_call(unsigned short port, const HttpCall& call) {
  asio::io_context io;
  tcp::socket socket(io);
  if (!connect(io, socket, port)) return {};
  http::request<http::string_body> request(http::string_to_verb(call.method), call.target, 11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!call.token.empty()) request.set(http::field::authorization, "Bearer " + call.token);
  if (!call.body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : call.headers) request.set(name, value);
  request.body() = call.body;
  request.prepare_payload();
  beast::error_code ec;
  http::write(socket, request, ec);
  // A server may answer (413, say) and stop reading before the body is sent:
  // the answer is still there to read.
  return read_reply(socket);
}

HttpReply http_raw(unsigned short port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket socket(io);
  if (!connect(io, socket, port)) return {};
  beast::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  if (ec) return {};
  return read_reply(socket);
}

}  // namespace patchbay::test
