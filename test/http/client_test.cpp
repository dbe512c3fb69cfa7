#include "http/client.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "http/loopback_client.hpp"
#include "support/fake_upstream.hpp"

namespace patchbay::http {
namespace {

using test::FakeUpstream;

using testing::loopback_client;

HttpErrorCode code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const HttpError& error) {
    return error.code();
  }
  ADD_FAILURE() << "no HttpError thrown";
  return HttpErrorCode::Network;
}

TEST(HttpClientTest, ReturnsNon2xxAsResponsesNotErrors) {
  FakeUpstream upstream;
  upstream.on("GET", "/teapot", FakeUpstream::Reply::text(418, "short and stout"));
  auto response = loopback_client().request(upstream.url("/teapot"), {});
  EXPECT_EQ(response.status, 418);
  EXPECT_FALSE(response.is_successful);
  EXPECT_EQ(response.body, "short and stout");  // text stays text
  EXPECT_EQ(response.header("Content-Type"), "text/plain");
}

TEST(HttpClientTest, SendsBasicAuthAndApiKeysInQuery) {
  FakeUpstream upstream;
  upstream.on("GET", "/a", FakeUpstream::Reply::json(200, "{}"));
  RequestOptions basic;
  basic.auth = {.kind = Auth::Kind::Basic, .username = "user", .password = "pass"};
  (void)loopback_client().request(upstream.url("/a"), basic);
  RequestOptions key;
  key.auth = {.kind = Auth::Kind::ApiKeyQuery, .name = "api_key", .value = "k 1"};
  (void)loopback_client().request(upstream.url("/a?x=1"), key);
  auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("authorization"), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(requests[1].target, "/a?x=1&api_key=k%201");
}

TEST(HttpClientTest, ReusesKeepAliveConnections) {
  FakeUpstream upstream;
  upstream.on("GET", "/k", FakeUpstream::Reply::json(200, "{}"));
  Client client(ClientConfig{*SsrfPolicy::parse("127.0.0.1"), nullptr});
  EXPECT_EQ(client.request(upstream.url("/k"), {}).meta.new_connections, 1);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.request(upstream.url("/k"), {}).meta.new_connections, 0) << i;
  }
}

TEST(HttpClientTest, TimesOutSlowUpstreams) {
  FakeUpstream upstream;
  FakeUpstream::Reply slow = FakeUpstream::Reply::json(200, "{}");
  slow.delay = std::chrono::milliseconds(3000);
  upstream.on("GET", "/slow", slow);
  RequestOptions options;
  options.timeout = std::chrono::milliseconds(200);
  EXPECT_EQ(code_of([&] { (void)loopback_client().request(upstream.url("/slow"), options); }),
            HttpErrorCode::Timeout);
}

TEST(HttpClientTest, CapsResponseSize) {
  FakeUpstream upstream;
  upstream.on("GET", "/big", FakeUpstream::Reply::text(200, std::string(64 * 1024, 'x')));
  RequestOptions options;
  options.max_response_bytes = 1024;
  try {
    (void)loopback_client().request(upstream.url("/big"), options);
    FAIL() << "expected too_large";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.code(), HttpErrorCode::TooLarge);
    EXPECT_NE(std::string(error.what()).find("limit of 1024 bytes"), std::string::npos);
    EXPECT_FALSE(error.retryable());
  }
}

TEST(HttpClientTest, TheDefaultCapStopsBodiesOverTenMebibytes) {
  FakeUpstream upstream;
  upstream.on("GET", "/huge",
              FakeUpstream::Reply::text(200, std::string(kMaxResponseBytes + 1, 'x')));
  upstream.on("GET", "/fits", FakeUpstream::Reply::text(200, std::string(kMaxResponseBytes, 'x')));
  EXPECT_EQ(code_of([&] { (void)loopback_client().request(upstream.url("/huge"), {}); }),
            HttpErrorCode::TooLarge);
  EXPECT_EQ(loopback_client().request(upstream.url("/fits"), {}).body.as_string().size(),
            kMaxResponseBytes);
}

TEST(HttpClientTest, RefusesBadUrlsAndHeaderInjection) {
  EXPECT_EQ(code_of([] { (void)loopback_client().request("not a url", {}); }),
            HttpErrorCode::InvalidUrl);
  EXPECT_EQ(code_of([] { (void)loopback_client().request("gopher://example.com/", {}); }),
            HttpErrorCode::PolicyDenied);
  EXPECT_EQ(code_of([] { (void)loopback_client().request("http://user:pw@example.com/", {}); }),
            HttpErrorCode::PolicyDenied);
  RequestOptions injected;
  injected.headers = {{"X-A", "1\r\nX-Evil: 2"}};
  EXPECT_EQ(code_of([&] { (void)loopback_client().request("http://127.0.0.1:1/", injected); }),
            HttpErrorCode::PolicyDenied);
}

TEST(HttpClientTest, RefusesCredentialsThatWouldInjectHeaders) {
  RequestOptions bearer;
  bearer.auth = {.kind = Auth::Kind::Bearer, .token = "t\r\nX-Evil: 1"};
  EXPECT_EQ(code_of([&] { (void)loopback_client().request("http://127.0.0.1:1/", bearer); }),
            HttpErrorCode::PolicyDenied);
  RequestOptions key;
  key.auth = {.kind = Auth::Kind::ApiKeyHeader, .name = "X-Key", .value = "k\nX-Evil: 1"};
  EXPECT_EQ(code_of([&] { (void)loopback_client().request("http://127.0.0.1:1/", key); }),
            HttpErrorCode::PolicyDenied);
  key.auth = {.kind = Auth::Kind::ApiKeyHeader, .name = "X-Key: a", .value = "k"};
  EXPECT_EQ(code_of([&] { (void)loopback_client().request("http://127.0.0.1:1/", key); }),
            HttpErrorCode::PolicyDenied);
}

TEST(HttpClientTest, SendsDefaultHeadersOnceUnlessTheRequestSetsThem) {
  FakeUpstream upstream;
  upstream.on("GET", "/h", FakeUpstream::Reply::json(200, "{}"));
  (void)loopback_client().request(upstream.url("/h"), {});
  RequestOptions own;
  own.headers = {{"accept", "text/csv"}, {"User-Agent", "my-agent/2"}};
  own.auth = {.kind = Auth::Kind::Bearer, .token = "tok"};
  (void)loopback_client().request(upstream.url("/h"), own);
  auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("user-agent"), "patchbay/0.1");
  EXPECT_EQ(requests[0].header("accept"), "application/json, */*;q=0.5");
  EXPECT_EQ(requests[0].header("accept-encoding"), "gzip");
  EXPECT_EQ(requests[1].header("user-agent"), "my-agent/2");
  EXPECT_EQ(requests[1].header("accept"), "text/csv");
  EXPECT_EQ(requests[1].header("accept-encoding"), "gzip");
  EXPECT_EQ(requests[1].header("authorization"), "Bearer tok");
}

TEST(HttpClientTest, DecodesGzipBodiesItAskedFor) {
  // printf '{"gzipped":true}' | gzip -n -9
  static constexpr unsigned char kGzipped[] = {
      0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56,
      0x4a, 0xaf, 0xca, 0x2c, 0x28, 0x48, 0x4d, 0x51, 0xb2, 0x2a, 0x29, 0x2a,
      0x4d, 0xad, 0x05, 0x00, 0x53, 0x92, 0x98, 0x8b, 0x10, 0x00, 0x00, 0x00};
  FakeUpstream upstream;
  auto reply = FakeUpstream::Reply::json(
      200, std::string(reinterpret_cast<const char*>(kGzipped), sizeof kGzipped));
  reply.headers.emplace_back("Content-Encoding", "gzip");
  upstream.on("GET", "/z", reply);
  auto response = loopback_client().request(upstream.url("/z"), {});
  EXPECT_EQ(response.body, boost::json::parse(R"({"gzipped": true})"));
}

TEST(HttpClientTest, RedactsQueryAndCredentialsFromShownUrls) {
  EXPECT_EQ(redact_url("https://u:p@api.example.com/v1/x?token=s#frag"),
            "https://api.example.com/v1/x");
}

TEST(HttpClientTest, ParsesMethodsCaseInsensitively) {
  EXPECT_EQ(parse_method("patch"), Method::Patch);
  EXPECT_EQ(parse_method("options"), Method::Options);
  EXPECT_EQ(parse_method("TRACE"), Method::Trace);
  EXPECT_EQ(parse_method("BREW"), std::nullopt);
}

}  // namespace
}  // namespace patchbay::http
