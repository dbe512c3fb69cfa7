#pragma once
// The outbound HTTP client every connector call goes through (seed 001's
// connectorHttpRequest). request() returns {status, isSuccessful, body, headers}
// for any HTTP status and throws HttpError only on network failures and policy
// refusals.
//
// This first version is a plain libcurl call with the limits below: http and https
// only, no redirects followed (a 3xx comes back as the response), connect and
// total timeouts, a response-size cap. The SSRF policy with DNS pinning, retries,
// rate limiting and connection reuse arrive with the outbound-HTTP issue.
//
// Thread-safety: request() may be called from any thread concurrently.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/logger.hpp"
#include "http/http_error.hpp"

namespace patchbay::http {

inline constexpr std::size_t kMaxResponseBytes = 10 * 1024 * 1024;
inline constexpr std::size_t kMaxRequestBytes = 10 * 1024 * 1024;
inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{10'000};
inline constexpr std::chrono::milliseconds kDefaultTimeout{30'000};
inline constexpr std::chrono::milliseconds kMaxTimeout{300'000};

enum class Method { Get, Post, Put, Patch, Delete, Head };

std::string_view to_string(Method method);
std::optional<Method> parse_method(std::string_view text);  // case-insensitive

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Auth {
  enum class Kind { None, Bearer, Basic, ApiKeyHeader, ApiKeyQuery };
  Kind kind = Kind::None;
  std::string token;     // Bearer
  std::string username;  // Basic
  std::string password;  // Basic
  std::string name;      // ApiKeyHeader / ApiKeyQuery: header or query parameter name
  std::string value;     // ApiKeyHeader / ApiKeyQuery
};

struct RequestOptions {
  Method method = Method::Get;
  Headers headers;
  // Appended to the URL's query, percent-encoded.
  std::vector<std::pair<std::string, std::string>> query;
  // A string is sent as is; any other JSON value is serialized and sent as
  // application/json unless a Content-Type header says otherwise.
  std::optional<boost::json::value> body;
  Auth auth;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;
  std::size_t max_response_bytes = kMaxResponseBytes;
};

struct Response {
  int status = 0;
  bool is_successful = false;  // 2xx
  // Parsed JSON when the content type says JSON and the body parses; else the text.
  boost::json::value body;
  Headers headers;  // lower-case names, in arrival order
  struct Meta {
    std::int64_t duration_ms = 0;
  } meta;

  // First header with this (case-insensitive) name.
  std::optional<std::string> header(std::string_view name) const;
};

// Sends one request. Throws HttpError on network failure or refusal; never for a status.
Response request(std::string_view url, const RequestOptions& options,
                 core::Logger& logger = core::null_logger());

// The URL without query, fragment or credentials: what logs and errors may show.
std::string redact_url(std::string_view url);

}  // namespace patchbay::http
