#pragma once
// OAuth2 client credentials (RFC 6749 section 4.4) for connectors: fetches an
// access token through the same outbound client (so the token endpoint is held to
// the SSRF policy too), caches it until shortly before it expires, and sends
// requests with it. A 401 answer drops the cached token, fetches a new one and
// repeats the request once.
//
// Thread-safety: one OAuth2ClientCredentials may be used from many threads; a
// token is fetched once however many requests need it at the same time.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/client.hpp"

namespace patchbay::http {

struct OAuth2Config {
  std::string token_url;
  std::string client_id;
  std::string client_secret;
  std::string scope;     // optional, space-separated
  std::string audience;  // optional, for providers that want one
  // true: credentials in an HTTP Basic header (RFC 6749 preferred);
  // false: client_id and client_secret as form fields.
  bool basic_auth = true;
};

class OAuth2ClientCredentials {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  // `client` must outlive this object.
  OAuth2ClientCredentials(const Client& client, OAuth2Config config, Now now = nullptr);

  // A valid access token: the cached one, or a fresh one from the token endpoint.
  // Throws HttpError auth_failed when the endpoint refuses, or the transport error.
  std::string token(core::Logger& logger = core::null_logger());
  // Forgets the cached token.
  void invalidate();

  // `options` with the bearer token set; a 401 answer triggers one fresh token and
  // one more attempt.
  Response request(std::string_view url, RequestOptions options,
                   core::Logger& logger = core::null_logger());

  // Tokens are refreshed this long before the expiry the endpoint states.
  static constexpr std::chrono::seconds kExpirySkew{30};
  // Used when the endpoint does not say how long a token lasts.
  static constexpr std::chrono::seconds kDefaultLifetime{300};

 private:
  const Client& client_;
  OAuth2Config config_;
  Now now_;
  std::mutex mutex_;  // held while fetching, so concurrent callers share one fetch
  std::optional<std::string> token_;
  std::chrono::steady_clock::time_point expires_at_{};
};

}  // namespace patchbay::http
