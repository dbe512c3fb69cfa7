#include <gtest/gtest.h>

#include "connectors/registry.hpp"
#include "core/json.hpp"
#include "dispatch/dispatch.hpp"
#include "support/fake_upstream.hpp"

namespace patchbay::connectors {

namespace json = boost::json;
namespace {

using test::FakeUpstream;

core::ConnectorResult run_http(json::object config) {
  core::ConnectorContext ctx;
  ctx.config = std::move(config);
  return dispatch::execute_definition(*find_builtin("http"), ctx);
}

TEST(HttpConnectorTest, SendsQueryHeadersAndBearerAuthAndParsesJson) {
  FakeUpstream upstream;
  upstream.on("GET", "/users", FakeUpstream::Reply::json(200, R"({"users": [{"id": 1}]})"));
  auto result = run_http({{"url", upstream.url("/users")},
                          {"query", json::object{{"limit", 10}, {"tag", json::array{"a", "b c"}}}},
                          {"headers", json::object{{"X-Trace", "t-1"}}},
                          {"auth", json::object{{"type", "bearer"}, {"token", "sk-test"}}}});
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(result.payload->at("status"), 200);
  EXPECT_EQ(result.payload->at("body").at("users").at(0).at("id"), 1);
  EXPECT_EQ(result.payload->at("headers").at("content-type"), "application/json");
  auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/users?limit=10&tag=a&tag=b%20c");
  EXPECT_EQ(requests[0].header("authorization"), "Bearer sk-test");
  EXPECT_EQ(requests[0].header("x-trace"), "t-1");
}

TEST(HttpConnectorTest, PostsJsonBodies) {
  FakeUpstream upstream;
  upstream.on("POST", "/contacts", FakeUpstream::Reply::json(201, R"({"id": "c-9"})"));
  auto result = run_http({{"method", "POST"},
                          {"url", upstream.url("/contacts")},
                          {"body", json::object{{"email", "a@example.com"}}}});
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(result.payload->at("status"), 201);
  auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].header("content-type"), "application/json");
  EXPECT_EQ(*core::parse_json(requests[0].body), (json::object{{"email", "a@example.com"}}));
}

TEST(HttpConnectorTest, ErrorStatusesAreFailuresWithDiagnostics) {
  FakeUpstream upstream;
  upstream.on("GET", "/missing", FakeUpstream::Reply::json(404, R"({"message": "no such user"})"));
  auto result = run_http({{"url", upstream.url("/missing?token=secret")}});
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "HTTP 404 from GET " + upstream.url("/missing"));  // query redacted
  EXPECT_EQ(result.diagnostics->at("statusCode"), 404);
  EXPECT_EQ(result.diagnostics->at("responseBody").at("message"), "no such user");
}

TEST(HttpConnectorTest, ConnectionFailuresGoThroughTheErrorMap) {
  std::string closed_url;
  {
    FakeUpstream gone;  // take a free port, then close it
    closed_url = gone.url("/x");
  }
  auto result = run_http({{"url", closed_url}, {"timeoutMs", 5000}});
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.diagnostics->at("code"), "connect_failed");
  EXPECT_EQ(result.diagnostics->at("retryable"), true);
  EXPECT_EQ(result.error->rfind("HTTP request failed (connect_failed): could not connect", 0), 0u)
      << *result.error;
}

TEST(HttpConnectorTest, InvalidAuthIsAClearFailure) {
  auto result =
      run_http({{"url", "https://api.example.com/"}, {"auth", json::object{{"type", "bearer"}}}});
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "Invalid request: auth.token is required for this auth type");
}

TEST(HttpConnectorTest, RefusesNonHttpSchemes) {
  auto result = run_http({{"url", "file:///etc/passwd"}});
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.diagnostics->at("code"), "policy_denied");
}

}  // namespace
}  // namespace patchbay::connectors
