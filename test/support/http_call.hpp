#pragma once
// A small synchronous HTTP/1.1 client (Boost.Beast) for tests that talk to a
// real server on loopback: one call per connection, or raw bytes for requests
// no well-behaved client would send.

#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace patchbay::test {

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused or closed)
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& lower_name) const;
  // The body parsed as JSON (null when it is not JSON).
  boost::json::value json() const;
};

struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::string token;  // sent as "Authorization: Bearer <token>" when not empty
  std::vector<std::pair<std::string, std::string>> headers;
};

HttpReply http_call(unsigned short port, const HttpCall& call);
// Sends `bytes` as they are and reads one response.
HttpReply http_raw(unsigned short port, const std::string& bytes);

}  // namespace patchbay::test
