#include "http/http_error.hpp"

namespace patchbay::http {

std::string_view to_string(HttpErrorCode code) {
  switch (code) {
    case HttpErrorCode::InvalidUrl:
      return "invalid_url";
    case HttpErrorCode::PolicyDenied:
      return "policy_denied";
    case HttpErrorCode::DnsFailed:
      return "dns_failed";
    case HttpErrorCode::ConnectFailed:
      return "connect_failed";
    case HttpErrorCode::TlsFailed:
      return "tls_failed";
    case HttpErrorCode::Timeout:
      return "timeout";
    case HttpErrorCode::TooLarge:
      return "too_large";
    case HttpErrorCode::TooManyRedirects:
      return "too_many_redirects";
    case HttpErrorCode::CircuitOpen:
      return "circuit_open";
    case HttpErrorCode::RateLimited:
      return "rate_limited";
    case HttpErrorCode::AuthFailed:
      return "auth_failed";
    case HttpErrorCode::Network:
      return "network";
  }
  return "network";
}

HttpError::HttpError(HttpErrorCode code, std::string message, bool retryable,
                     boost::json::object details)
    : std::runtime_error(std::move(message)),
      code_(code),
      retryable_(retryable),
      details_(std::move(details)) {
  details_["code"] = to_string(code_);
}

}  // namespace patchbay::http
