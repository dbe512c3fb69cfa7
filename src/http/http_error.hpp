#pragma once
// HttpError: the one exception the outbound client throws, for network failures
// and policy refusals. Non-2xx responses are not errors: they come back as a
// Response with is_successful == false.

#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace patchbay::http {

enum class HttpErrorCode {
  InvalidUrl,        // the URL does not parse or uses a scheme other than http/https
  PolicyDenied,      // the request is not allowed (scheme, address, size of the request)
  DnsFailed,         // the host name does not resolve
  ConnectFailed,     // no TCP connection could be made
  TlsFailed,         // the TLS handshake or certificate check failed
  Timeout,           // the connect or total timeout expired
  TooLarge,          // the response body exceeded the size cap
  TooManyRedirects,  // more redirects than allowed
  CircuitOpen,       // the host failed repeatedly; requests fail fast until a probe succeeds
  RateLimited,       // the client-side rate limit would delay the request past its timeout
  AuthFailed,        // credentials were refused (e.g. the OAuth2 token endpoint said no)
  Network,           // any other transport failure (reset, protocol error)
};

// Stable wire names: "invalid_url", "policy_denied", "dns_failed", "connect_failed",
// "tls_failed", "timeout", "too_large", "too_many_redirects", "circuit_open",
// "rate_limited", "auth_failed", "network".
std::string_view to_string(HttpErrorCode code);

class HttpError : public std::runtime_error {
 public:
  HttpError(HttpErrorCode code, std::string message, bool retryable,
            boost::json::object details = {});

  HttpErrorCode code() const { return code_; }
  // True when the same request may succeed if sent again (timeouts, resets).
  bool retryable() const { return retryable_; }
  // {code, url (without query or credentials), ...}: safe to show and to log.
  const boost::json::object& details() const { return details_; }

 private:
  HttpErrorCode code_;
  bool retryable_;
  boost::json::object details_;
};

}  // namespace patchbay::http
