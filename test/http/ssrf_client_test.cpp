// The client's SSRF defences against real servers on loopback: every check happens
// before a connection is made, so a refused request leaves no trace upstream.

#include <cstdlib>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>

#include "http/client.hpp"
#include "support/fake_upstream.hpp"

namespace patchbay::http {
namespace {

using test::FakeUpstream;

// Answers each resolve() with the next scripted answer (the last one repeats).
class ScriptedResolver final : public Resolver {
 public:
  explicit ScriptedResolver(std::vector<std::vector<const char*>> answers) {
    for (const auto& answer : answers) {
      std::vector<IpAddress> addresses;
      for (const char* a : answer) addresses.push_back(*parse_ip_literal(a));
      answers_.push_back(addresses);
    }
  }
  core::Result<std::vector<IpAddress>> resolve(std::string_view host) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (answers_.empty()) {
      return core::Error{core::ErrorCode::Unavailable,
                         "could not resolve '" + std::string(host) + "': NXDOMAIN",
                         {}};
    }
    auto answer = answers_.front();
    if (answers_.size() > 1) answers_.pop_front();
    return answer;
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<std::vector<IpAddress>> answers_;
  int calls_ = 0;
};

Client client_allowing(const char* allow, std::shared_ptr<Resolver> resolver = nullptr) {
  return Client(ClientConfig{*SsrfPolicy::parse(allow), std::move(resolver)});
}

HttpError error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const HttpError& error) {
    return error;
  }
  ADD_FAILURE() << "no HttpError thrown";
  return HttpError(HttpErrorCode::Network, "none", false);
}

std::string port_of(const FakeUpstream& upstream) { return std::to_string(upstream.port()); }

TEST(SsrfClientTest, DeniesLoopbackWithoutAnAllowList) {
  FakeUpstream upstream;
  Client client;
  auto error = error_of([&] { (void)client.request(upstream.url("/"), {}); });
  EXPECT_EQ(error.code(), HttpErrorCode::PolicyDenied);
  EXPECT_NE(std::string(error.what()).find("127.0.0.1 is loopback 127.0.0.0/8"), std::string::npos)
      << error.what();
  EXPECT_FALSE(error.retryable());
  EXPECT_TRUE(upstream.requests().empty());
}

TEST(SsrfClientTest, NumericHostTricksAreNormalizedBeforeTheCheck) {
  FakeUpstream upstream;
  Client strict;
  for (const char* host : {"2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7f000001", "[::1]",
                           "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "localhost"}) {
    std::string url = "http://" + std::string(host) + ":" + port_of(upstream) + "/";
    auto error = error_of([&] { (void)strict.request(url, {}); });
    EXPECT_EQ(error.code(), HttpErrorCode::PolicyDenied) << host << ": " << error.what();
  }
  EXPECT_TRUE(upstream.requests().empty());

  // Allow-listed, the odd spelling reaches the same server: libcurl and the policy agree.
  auto allowed = client_allowing("127.0.0.0/8");
  auto response = allowed.request("http://0x7f.1:" + port_of(upstream) + "/odd", {});
  EXPECT_EQ(response.status, 404);
  ASSERT_EQ(upstream.requests().size(), 1u);
  EXPECT_EQ(upstream.requests()[0].path, "/odd");
}

TEST(SsrfClientTest, RefusesAmbiguousAndMalformedHosts) {
  Client client;
  for (const char* url :
       {"http://1.2.3.4.5/", "http://256.0.0.1/", "http://08.0.0.1/", "http://ex%61mple.com/",
        "http://exa mple.com/", "http://[fe80::1%25eth0]/"}) {
    auto error = error_of([&] { (void)client.request(url, {}); });
    EXPECT_EQ(error.code(), HttpErrorCode::InvalidUrl) << url << ": " << error.what();
  }
}

TEST(SsrfClientTest, CloudMetadataIsDeniedNamingTheRule) {
  Client client;
  auto error =
      error_of([&] { (void)client.request("http://169.254.169.254/latest/meta-data/", {}); });
  EXPECT_EQ(error.code(), HttpErrorCode::PolicyDenied);
  EXPECT_NE(std::string(error.what()).find("cloud metadata"), std::string::npos);
  EXPECT_EQ(error.details().at("address"), "169.254.169.254");
}

TEST(SsrfClientTest, PinsTheCheckedAddressSoASecondDnsAnswerIsNeverUsed) {
  // The resolver first answers 127.0.0.2 (allow-listed), then 127.0.0.1 (denied).
  FakeUpstream checked("127.0.0.2", 0);
  FakeUpstream forbidden("127.0.0.1", checked.port());
  checked.on("GET", "/data", FakeUpstream::Reply::json(200, R"({"from": "checked"})"));
  auto resolver = std::make_shared<ScriptedResolver>(
      std::vector<std::vector<const char*>>{{"127.0.0.2"}, {"127.0.0.1"}});
  auto client = client_allowing("127.0.0.2", resolver);
  std::string url = "http://rebind.test:" + port_of(checked) + "/data";

  auto response = client.request(url, {});
  EXPECT_EQ(response.body.at("from"), "checked");
  EXPECT_EQ(resolver->calls(), 1);
  auto second = error_of([&] { (void)client.request(url, {}); });
  EXPECT_EQ(second.code(), HttpErrorCode::PolicyDenied);
  EXPECT_EQ(checked.requests().size(), 1u);
  EXPECT_TRUE(forbidden.requests().empty());
}

TEST(SsrfClientTest, ANameWithAnyDeniedAnswerIsRefused) {
  FakeUpstream upstream("127.0.0.2", 0);
  auto resolver = std::make_shared<ScriptedResolver>(
      std::vector<std::vector<const char*>>{{"127.0.0.2", "127.0.0.1"}});
  auto client = client_allowing("127.0.0.2", resolver);
  auto error =
      error_of([&] { (void)client.request("http://mixed.test:" + port_of(upstream) + "/", {}); });
  EXPECT_EQ(error.code(), HttpErrorCode::PolicyDenied);
  EXPECT_TRUE(upstream.requests().empty());
}

TEST(SsrfClientTest, DnsFailuresAreRetryableErrors) {
  auto client = client_allowing(
      "", std::make_shared<ScriptedResolver>(std::vector<std::vector<const char*>>{}));
  auto error = error_of([&] { (void)client.request("http://nowhere.test/", {}); });
  EXPECT_EQ(error.code(), HttpErrorCode::DnsFailed);
  EXPECT_TRUE(error.retryable());
}

TEST(SsrfClientTest, ARedirectToADeniedAddressIsRefused) {
  FakeUpstream start;                     // 127.0.0.1, allow-listed
  FakeUpstream internal("127.0.0.2", 0);  // not allow-listed
  start.on("GET", "/meta",
           FakeUpstream::Reply{302, {{"Location", "http://169.254.169.254/latest/"}}, "", {}});
  start.on("GET", "/internal",
           FakeUpstream::Reply{302, {{"Location", internal.url("/secret")}}, "", {}});
  auto client = client_allowing("127.0.0.1");
  auto to_metadata = error_of([&] { (void)client.request(start.url("/meta"), {}); });
  EXPECT_EQ(to_metadata.code(), HttpErrorCode::PolicyDenied);
  EXPECT_NE(std::string(to_metadata.what()).find("cloud metadata"), std::string::npos);
  auto to_internal = error_of([&] { (void)client.request(start.url("/internal"), {}); });
  EXPECT_EQ(to_internal.code(), HttpErrorCode::PolicyDenied);
  EXPECT_TRUE(internal.requests().empty());
}

TEST(SsrfClientTest, FollowsRedirectsRewritingMethodsAsHttpSays) {
  FakeUpstream upstream;
  upstream.on("POST", "/submit", FakeUpstream::Reply{303, {{"Location", "/result"}}, "", {}});
  upstream.on("GET", "/result", FakeUpstream::Reply::json(200, R"({"done": true})"));
  upstream.on("POST", "/moved", FakeUpstream::Reply{307, {{"Location", "/submit2"}}, "", {}});
  upstream.on("POST", "/submit2", FakeUpstream::Reply::json(201, "{}"));
  auto client = client_allowing("127.0.0.1");
  RequestOptions post;
  post.method = Method::Post;
  post.body = boost::json::object{{"a", 1}};

  auto see_other = client.request(upstream.url("/submit"), post);
  EXPECT_EQ(see_other.status, 200);
  EXPECT_EQ(see_other.meta.redirect_count, 1);
  auto temporary = client.request(upstream.url("/moved"), post);
  EXPECT_EQ(temporary.status, 201);

  auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_TRUE(requests[1].body.empty());
  EXPECT_EQ(requests[3].method, "POST");  // 307 keeps method and body
  EXPECT_EQ(requests[3].body, R"({"a":1})");
}

TEST(SsrfClientTest, StopsAfterFiveRedirects) {
  FakeUpstream upstream;
  upstream.on("GET", "/loop", FakeUpstream::Reply{302, {{"Location", "/loop"}}, "", {}});
  auto client = client_allowing("127.0.0.1");
  auto error = error_of([&] { (void)client.request(upstream.url("/loop"), {}); });
  EXPECT_EQ(error.code(), HttpErrorCode::TooManyRedirects);
  EXPECT_EQ(upstream.requests().size(), 6u);
  RequestOptions no_follow;
  no_follow.follow_redirects = false;
  EXPECT_EQ(client.request(upstream.url("/loop"), no_follow).status, 302);
}

TEST(SsrfClientTest, CredentialsDoNotFollowARedirectToAnotherOrigin) {
  FakeUpstream first;
  FakeUpstream second("127.0.0.2", 0);
  first.on("GET", "/go", FakeUpstream::Reply{302, {{"Location", second.url("/landing")}}, "", {}});
  second.on("GET", "/landing", FakeUpstream::Reply::json(200, "{}"));
  auto client = client_allowing("127.0.0.1,127.0.0.2");
  RequestOptions options;
  options.auth = {.kind = Auth::Kind::Bearer, .token = "sk-secret"};
  options.headers = {{"Cookie", "session=1"}, {"X-Trace", "t"}};
  EXPECT_EQ(client.request(first.url("/go"), options).status, 200);
  EXPECT_EQ(first.requests().at(0).header("authorization"), "Bearer sk-secret");
  EXPECT_EQ(second.requests().at(0).header("authorization"), "");
  EXPECT_EQ(second.requests().at(0).header("cookie"), "");
  EXPECT_EQ(second.requests().at(0).header("x-trace"), "t");
}

TEST(SsrfClientTest, IgnoresProxiesFromTheEnvironment) {
  FakeUpstream upstream;
  upstream.on("GET", "/direct", FakeUpstream::Reply::json(200, "{}"));
  ::setenv("http_proxy", "http://127.0.0.1:9", 1);
  ::setenv("HTTP_PROXY", "http://127.0.0.1:9", 1);
  auto client = client_allowing("127.0.0.1");
  auto response = client.request(upstream.url("/direct"), {});
  ::unsetenv("http_proxy");
  ::unsetenv("HTTP_PROXY");
  EXPECT_EQ(response.status, 200);
}

TEST(SsrfClientTest, DefaultClientReadsTheAllowListFromTheEnvironment) {
  // This suite runs without PATCHBAY_HTTP_ALLOW, so the process-wide client is strict.
  FakeUpstream upstream;
  auto error = error_of([&] { (void)request(upstream.url("/"), {}); });
  EXPECT_EQ(error.code(), HttpErrorCode::PolicyDenied);
}

}  // namespace
}  // namespace patchbay::http
