#include "http/oauth2.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "http/loopback_client.hpp"
#include "support/fake_upstream.hpp"
#include "support/manual_clock.hpp"

namespace patchbay::http {
namespace {

using namespace std::chrono_literals;
using test::FakeUpstream;

using testing::loopback_client;

// A token endpoint handing out tok-1, tok-2, ... and an API accepting only the latest.
struct OAuthServer {
  FakeUpstream server;
  std::atomic<int> issued{0};
  std::atomic<int> expires_in{3600};

  OAuthServer() {
    server.set_handler([this](const FakeUpstream::Request& request) {
      if (request.path == "/token") {
        if (request.header("authorization") != "Basic aWQ6c2VjcmV0") {  // id:secret
          return FakeUpstream::Reply::json(401, R"({"error": "invalid_client"})");
        }
        int n = ++issued;
        return FakeUpstream::Reply::json(200, R"({"access_token": "tok-)" + std::to_string(n) +
                                                  R"(", "token_type": "Bearer", "expires_in": )" +
                                                  std::to_string(expires_in.load()) + "}");
      }
      std::string expected = "Bearer tok-" + std::to_string(issued.load());
      if (request.header("authorization") != expected) {
        return FakeUpstream::Reply::json(401, R"({"error": "expired"})");
      }
      return FakeUpstream::Reply::json(200, R"({"ok": true})");
    });
  }
  OAuth2Config config(std::string secret = "secret") {
    return OAuth2Config{.token_url = server.url("/token"),
                        .client_id = "id",
                        .client_secret = std::move(secret),
                        .scope = "read write"};
  }
};

TEST(OAuth2Test, FetchesOnceAndReusesTheTokenUntilItExpires) {
  OAuthServer oauth;
  test::ManualClock clock;
  OAuth2ClientCredentials auth(loopback_client(), oauth.config(), [&] { return clock.now(); });
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(auth.request(oauth.server.url("/api"), {}).status, 200);
  }
  EXPECT_EQ(oauth.issued.load(), 1);
  auto token_request = oauth.server.requests().front();
  EXPECT_EQ(token_request.method, "POST");
  EXPECT_EQ(token_request.header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(token_request.body, "grant_type=client_credentials&scope=read+write");

  clock.advance(3600s - OAuth2ClientCredentials::kExpirySkew);  // refreshed before expiry
  EXPECT_EQ(auth.token(), "tok-2");
}

TEST(OAuth2Test, RefreshesAndRetriesOnceOn401) {
  OAuthServer oauth;
  OAuth2ClientCredentials auth(loopback_client(), oauth.config());
  EXPECT_EQ(auth.token(), "tok-1");
  ++oauth.issued;  // the server rotated its keys: tok-1 is now refused
  EXPECT_EQ(auth.request(oauth.server.url("/api"), {}).status, 200);
  EXPECT_EQ(oauth.issued.load(), 3);
}

TEST(OAuth2Test, ARefusedClientIsAnAuthFailureWithTheProviderError) {
  OAuthServer oauth;
  OAuth2ClientCredentials auth(loopback_client(), oauth.config("wrong"));
  try {
    (void)auth.token();
    FAIL() << "expected auth_failed";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.code(), HttpErrorCode::AuthFailed);
    EXPECT_EQ(error.details().at("oauthError"), "invalid_client");
    EXPECT_EQ(std::string(error.what()).find("wrong"), std::string::npos);  // no secret
  }
}

TEST(OAuth2Test, ConcurrentCallersShareOneFetch) {
  OAuthServer oauth;
  OAuth2ClientCredentials auth(loopback_client(), oauth.config());
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) callers.emplace_back([&] { (void)auth.token(); });
  for (auto& t : callers) t.join();
  EXPECT_EQ(oauth.issued.load(), 1);
}

TEST(FormEncodingTest, EncodesLikeBrowsersDo) {
  EXPECT_EQ(encode_form({{"a b", "x&y=z"}, {"k", "é"}}), "a+b=x%26y%3Dz&k=%C3%A9");
}

}  // namespace
}  // namespace patchbay::http
