#pragma once
// The outbound HTTP client every connector call goes through (seed 001's
// connectorHttpRequest). request() returns {status, isSuccessful, body, headers}
// for any HTTP status and throws HttpError only on network failures and policy
// refusals.
//
// Every hop of a request (the first URL and each redirect) is checked the same way:
// http/https only, no credentials in the URL, numeric host forms normalized (or
// refused when ambiguous), the host resolved once through the Resolver, every
// answer checked against the SsrfPolicy, and the connection pinned to a checked
// address so a second DNS answer is never used. Redirects are followed here, not
// by libcurl: at most kMaxRedirects, 303 (and 301/302 after POST) become GET, and
// credentials are dropped when a redirect leaves the origin. Proxies from the
// environment are ignored. Connections are reused through a pool of curl handles
// (options shared by every request are set once per handle). Responses may come
// gzip-compressed (Accept-Encoding: gzip); the size cap applies to decoded bytes.
//
// Thread-safety: Client::request() and request() may be called concurrently.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/logger.hpp"
#include "http/http_error.hpp"
#include "http/resilience.hpp"
#include "http/resolver.hpp"
#include "http/retry.hpp"
#include "http/ssrf_policy.hpp"

namespace patchbay::http {

inline constexpr std::size_t kMaxResponseBytes = 10 * 1024 * 1024;
inline constexpr std::size_t kMaxRequestBytes = 10 * 1024 * 1024;
inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{10'000};
inline constexpr std::chrono::milliseconds kDefaultTimeout{30'000};
inline constexpr std::chrono::milliseconds kMaxTimeout{300'000};
inline constexpr int kMaxRedirects = 5;

enum class Method { Get, Post, Put, Patch, Delete, Head, Options, Trace };

struct RequestOptions;
struct Response;

// Callbacks a connector (or an auth helper) attaches to a request.
struct Hooks {
  // Before each attempt, on a copy of the options: may add headers or auth.
  std::function<void(RequestOptions&)> before_request;
  // After the final response (any status).
  std::function<void(const Response&)> after_response;
  // When the request fails for good with an HttpError, before it is thrown.
  std::function<void(const HttpError&)> on_error;
  // Before waiting `delay` for retry number `attempt`; `reason` is a code or "status 503".
  std::function<void(int attempt, std::chrono::milliseconds delay, std::string_view reason)>
      on_retry;
};

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
  // Form fields, sent as application/x-www-form-urlencoded; takes the place of `body`.
  std::optional<std::vector<std::pair<std::string, std::string>>> form;
  Auth auth;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;
  std::size_t max_response_bytes = kMaxResponseBytes;
  // Follow 301/302/303/307/308 (each hop checked by the policy); otherwise a 3xx
  // comes back as the response.
  bool follow_redirects = true;
  // Retries of network errors and 429/502/503/504 (see retry.hpp). The whole
  // request, retries and waits included, stays within `timeout`.
  RetryPolicy retry;
  // The connector instance this request is made for: rate limits and circuit
  // breakers are kept per instance (and per host for breakers). "" is shared.
  std::string instance;
  RateLimitPolicy rate_limit;
  BreakerPolicy breaker;
  Hooks hooks;
};

struct Response {
  int status = 0;
  bool is_successful = false;  // 2xx
  // Parsed JSON when the content type says JSON and the body parses; else the text.
  boost::json::value body;
  Headers headers;  // lower-case names, in arrival order
  struct Meta {
    std::int64_t duration_ms = 0;
    int redirect_count = 0;
    int retry_count = 0;
    // Connections the last hop had to open: 0 when an idle keep-alive one was reused.
    long new_connections = 0;
    std::string final_url;  // redacted (no query or credentials)
    RateLimitInfo rate_limit;
  } meta;

  // First header with this (case-insensitive) name.
  std::optional<std::string> header(std::string_view name) const;
};

struct ClientConfig {
  SsrfPolicy policy;
  // Defaults to the system resolver.
  std::shared_ptr<Resolver> resolver;
  // Seams for tests: how retries wait (default: sleep) and the jitter source
  // (default: a seeded engine; returns a number in [0, 1)).
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> random;
  // The clock rate limits and breakers read (default: steady_clock).
  std::function<std::chrono::steady_clock::time_point()> now;
};

// What a client has done since it was made, for /metrics.
struct ClientStats {
  std::uint64_t attempts = 0;  // requests sent, retries included
  std::uint64_t retries = 0;
  std::map<std::string, std::uint64_t> errors;  // by HttpError code
  std::vector<Resilience::BreakerSnapshot> breakers;
};

class Client {
 public:
  explicit Client(ClientConfig config = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request. Throws HttpError on network failure or refusal; never for a
  // status.
  Response request(std::string_view url, const RequestOptions& options,
                   core::Logger& logger = core::null_logger()) const;

  ClientStats stats() const;

 private:
  struct HandlePool;
  ClientConfig config_;
  std::unique_ptr<HandlePool> handles_;
  std::unique_ptr<Resilience> resilience_;
  struct Counters;
  std::unique_ptr<Counters> counters_;
};

// The process-wide client, configured from PATCHBAY_HTTP_ALLOW and
// PATCHBAY_HTTP_ALLOW_PORTS on first use. When those settings are invalid it throws
// HttpError policy_denied naming the problem (and so does every request()).
const Client& default_client();

// default_client().request(...)
Response request(std::string_view url, const RequestOptions& options,
                 core::Logger& logger = core::null_logger());

// The URL without query, fragment or credentials: what logs and errors may show.
std::string redact_url(std::string_view url);

// application/x-www-form-urlencoded: "a=1&b=x+y" (space as '+', the rest percent-encoded).
std::string encode_form(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace patchbay::http
