#include "http/oauth2.hpp"

#include <boost/json/value.hpp>

namespace patchbay::http {

OAuth2ClientCredentials::OAuth2ClientCredentials(const Client& client, OAuth2Config config, Now now)
    : client_(client), config_(std::move(config)), now_(std::move(now)) {
  if (!now_) now_ = [] { return std::chrono::steady_clock::now(); };
}

std::string OAuth2ClientCredentials::token(core::Logger& logger) {
  std::lock_guard lock(mutex_);
  auto now = now_();
  if (token_ && now < expires_at_) return *token_;

  RequestOptions options;
  options.method = Method::Post;
  options.form =
      std::vector<std::pair<std::string, std::string>>{{"grant_type", "client_credentials"}};
  if (!config_.scope.empty()) options.form->emplace_back("scope", config_.scope);
  if (!config_.audience.empty()) options.form->emplace_back("audience", config_.audience);
  if (config_.basic_auth) {
    options.auth = {.kind = Auth::Kind::Basic,
                    .username = config_.client_id,
                    .password = config_.client_secret};
  } else {
    options.form->emplace_back("client_id", config_.client_id);
    options.form->emplace_back("client_secret", config_.client_secret);
  }
  // Only the token endpoint's own failures are retried; a refusal is final.
  Response response = client_.request(config_.token_url, options, logger);
  std::string shown = redact_url(config_.token_url);
  if (!response.is_successful) {
    boost::json::object details{{"url", shown}, {"status", response.status}};
    // The error body explains the refusal (invalid_client, ...) and holds no secret.
    if (const auto* body = response.body.if_object()) {
      if (const auto* error = body->if_contains("error")) details["oauthError"] = *error;
    }
    throw HttpError(
        HttpErrorCode::AuthFailed,
        "OAuth2 token endpoint " + shown + " answered " + std::to_string(response.status), false,
        std::move(details));
  }
  const auto* body = response.body.if_object();
  const auto* access = body ? body->if_contains("access_token") : nullptr;
  if (access == nullptr || !access->is_string() || access->get_string().empty()) {
    throw HttpError(HttpErrorCode::AuthFailed,
                    "OAuth2 token endpoint " + shown + " sent no access_token", false,
                    {{"url", shown}});
  }
  std::chrono::seconds lifetime = kDefaultLifetime;
  if (const auto* expires = body->if_contains("expires_in"); expires && expires->is_number()) {
    lifetime = std::chrono::seconds(static_cast<long long>(expires->to_number<double>()));
  }
  token_ = std::string(access->get_string());
  expires_at_ = now + std::max(std::chrono::seconds(0), lifetime - kExpirySkew);
  logger.debug("oauth2 token fetched", {{"tokenUrl", shown}, {"expiresInS", lifetime.count()}});
  return *token_;
}

void OAuth2ClientCredentials::invalidate() {
  std::lock_guard lock(mutex_);
  token_.reset();
}

Response OAuth2ClientCredentials::request(std::string_view url, RequestOptions options,
                                          core::Logger& logger) {
  options.auth = {.kind = Auth::Kind::Bearer, .token = token(logger)};
  Response response = client_.request(url, options, logger);
  if (response.status != 401) return response;
  invalidate();
  options.auth.token = token(logger);
  return client_.request(url, options, logger);
}

}  // namespace patchbay::http
