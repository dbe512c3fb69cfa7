// Generated commands, run through the dispatcher and the script sandbox against
// FakeUpstream: method, path, query, headers, auth and body of every request are
// checked, for corpus descriptions covering each auth scheme and body type and for
// a hand-written one with the serialization edge cases.

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/json.hpp"
#include "dispatch/dispatch.hpp"
#include "oas/oas.hpp"
#include "script/script.hpp"
#include "support/fake_upstream.hpp"
#include "support/files.hpp"
#include "oas/draft_runner.hpp"

namespace patchbay::oas {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using test::FakeUpstream;

fs::path corpus_file(const std::string& name) {
  return fs::path(PATCHBAY_SOURCE_DIR) / ".." / "shared" / "oas-corpus" / name;
}

// A description's draft made runnable.
class Generated : public RunnableDraft {
 public:
  explicit Generated(std::string_view spec) : RunnableDraft(import_text(spec)) {}
};

std::string failure_text(const core::ConnectorResult& result) {
  return json::serialize(core::to_json(result));
}

// ---------------------------------------------------------------------------
// Swagger 2.0 petstore (YAML): api key header, oauth2 access token, JSON, form
// and multipart bodies, exploded query arrays, header params, failures.

class Petstore : public ::testing::Test {
 protected:
  Recorder upstream_;
  Generated petstore_{test::read_text(corpus_file("readme-oas-examples__oas2.0-petstore__1.0.0.yaml"))};
  json::object connection(json::object extra = {}) {
    extra["baseUrl"] = upstream_.url("/v2");
    return extra;
  }
};

TEST_F(Petstore, PathParamAndApiKeyHeader) {
  auto result = petstore_.run("getPetById", {{"petId", 7}}, connection({{"apiKey", "k-1"}}));
  ASSERT_TRUE(result.success) << failure_text(result);
  EXPECT_EQ(json::serialize(*result.payload), R"({"ok":true})");
  auto request = upstream_.last();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/v2/pet/7");
  EXPECT_EQ(request.header("api_key"), "k-1");
  EXPECT_EQ(request.header("authorization"), "");
}

TEST_F(Petstore, ExplodedQueryArrayWithBearerToken) {
  auto result = petstore_.run("findPetsByStatus", {{"status", json::array{"available", "sold"}}},
                              connection({{"accessToken", "tok"}}));
  ASSERT_TRUE(result.success) << failure_text(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.target, "/v2/pet/findByStatus?status=available&status=sold");
  EXPECT_EQ(request.header("authorization"), "Bearer tok");
}

TEST_F(Petstore, JsonBodyFromFlattenedParams) {
  auto result = petstore_.run(
      "addPet", {{"name", "rex"}, {"photoUrls", json::array{"u1"}}, {"tags", json::array{json::object{{"id", 1}}}}},
      connection({{"accessToken", "tok"}}));
  ASSERT_TRUE(result.success) << failure_text(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v2/pet");
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(json::parse(request.body), json::parse(R"({"name":"rex","photoUrls":["u1"],"tags":[{"id":1}]})"));
}

TEST_F(Petstore, FormBodyIsUrlEncoded) {
  auto result = petstore_.run("updatePetWithForm", {{"petId", 7}, {"name", "a b"}, {"status", "x&y"}},
                              connection({{"accessToken", "tok"}}));
  ASSERT_TRUE(result.success) << failure_text(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.target, "/v2/pet/7");
  EXPECT_EQ(request.header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request.body, "name=a%20b&status=x%26y");
}

TEST_F(Petstore, MultipartBodyHasAPartPerField) {
  auto result = petstore_.run("uploadFile", {{"petId", 7}, {"additionalMetadata", "meta"}, {"file", "bytes"}},
                              connection({{"accessToken", "tok"}}));
  ASSERT_TRUE(result.success) << failure_text(result);
  auto request = upstream_.last();
  std::string type = request.header("content-type");
  ASSERT_EQ(type.rfind("multipart/form-data; boundary=", 0), 0u) << type;
  std::string boundary = type.substr(type.find('=') + 1);
  EXPECT_EQ(request.body,
            "--" + boundary + "\r\nContent-Disposition: form-data; name=\"additionalMetadata\"\r\n\r\nmeta\r\n" +
                "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nbytes\r\n" +
                "--" + boundary + "--\r\n");
}

TEST_F(Petstore, HeaderParamAndDelete) {
  auto result = petstore_.run("deletePet", {{"petId", 7}, {"api_key", "hk"}},
                              connection({{"accessToken", "tok"}}));
  ASSERT_TRUE(result.success) << failure_text(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.method, "DELETE");
  EXPECT_EQ(request.target, "/v2/pet/7");
  EXPECT_EQ(request.header("api_key"), "hk");
}

TEST_F(Petstore, NonSuccessIsAFailureWithStatusAndBody) {
  upstream_.answer([](const FakeUpstream::Request&) {
    return FakeUpstream::Reply::json(404, R"({"message": "Order not found"})");
  });
  auto result = petstore_.run("getOrderById", {{"orderId", 5}}, connection());
  ASSERT_FALSE(result.success);
  EXPECT_EQ(*result.error, "GET /store/order/{orderId} returned HTTP 404");
  EXPECT_EQ(result.diagnostics->at("statusCode"), 404);
  EXPECT_EQ(result.diagnostics->at("responseBody").at("message"), "Order not found");
}

TEST_F(Petstore, MissingCredentialsFailBeforeAnyRequest) {
  auto result = petstore_.run("getInventory", {}, connection());
  ASSERT_FALSE(result.success);
  EXPECT_EQ(*result.error, "no credentials for this operation: set apiKey in the connection config");
  EXPECT_EQ(upstream_.count(), 0u);
}

TEST_F(Petstore, MissingRequiredParamIsRefusedByTheDispatcher) {
  auto result = petstore_.run("getPetById", {}, connection({{"apiKey", "k"}}));
  ASSERT_FALSE(result.success);
  EXPECT_NE(result.error->find("petId"), std::string::npos) << *result.error;
  EXPECT_EQ(upstream_.count(), 0u);
}

// ---------------------------------------------------------------------------
// Every security scheme of OpenAPI 3.0 (readme's security example).

class SecuritySchemes : public ::testing::Test {
 protected:
  Recorder upstream_;
  Generated api_{test::read_text(corpus_file("readme-oas-examples__oas3.0-security__1.0.0.yaml"))};
  json::object connection(json::object extra) {
    extra["baseUrl"] = upstream_.url();
    return extra;
  }
};

TEST_F(SecuritySchemes, ApiKeyInQueryHeaderAndCookie) {
  ASSERT_TRUE(api_.run("getAnythingApiKey", {}, connection({{"apiKeyQuery", "q k"}})).success);
  EXPECT_EQ(upstream_.last().target, "/anything/apiKey?apiKey=q%20k");
  ASSERT_TRUE(api_.run("putAnythingApiKey", {}, connection({{"apiKeyHeader", "hk"}})).success);
  EXPECT_EQ(upstream_.last().header("x-api-key"), "hk");
  ASSERT_TRUE(api_.run("postAnythingApiKey", {}, connection({{"apiKeyCookie", "ck"}})).success);
  EXPECT_EQ(upstream_.last().header("cookie"), "api_key=ck");
}

TEST_F(SecuritySchemes, BasicBearerAndOpenIdConnect) {
  ASSERT_TRUE(
      api_.run("postAnythingBasic", {}, connection({{"username", "ann"}, {"password", "pä ss"}})).success);
  // base64("ann:pä ss") of its UTF-8 bytes
  EXPECT_EQ(upstream_.last().header("authorization"), "Basic YW5uOnDDpCBzcw==");
  ASSERT_TRUE(api_.run("postAnythingBearer", {}, connection({{"bearerToken", "b-1"}})).success);
  EXPECT_EQ(upstream_.last().header("authorization"), "Bearer b-1");
  ASSERT_TRUE(api_.run("postAnythingOpenIdConnect", {},
                       connection({{"openIdConnectAccessToken", "oidc"}}))
                  .success);
  EXPECT_EQ(upstream_.last().header("authorization"), "Bearer oidc");
}

TEST_F(SecuritySchemes, OptionalAuthSendsNoCredentials) {
  ASSERT_TRUE(api_.run("getAnythingOptionalAuth", {}, connection({})).success);
  EXPECT_EQ(upstream_.last().header("authorization"), "");
}

TEST_F(SecuritySchemes, ClientCredentialsTokenIsFetchedOnceAndRefreshedAfter401) {
  std::atomic<int> issued{0};
  std::atomic<bool> revoke_first{false};
  upstream_.answer([&](const FakeUpstream::Request& request) {
    if (request.path == "/oauth/token") {
      int n = ++issued;
      return FakeUpstream::Reply::json(
          200, R"({"access_token": "t)" + std::to_string(n) + R"(", "expires_in": 3600})");
    }
    if (revoke_first && request.header("authorization") == "Bearer t1") {
      return FakeUpstream::Reply::json(401, R"({"error": "expired"})");
    }
    return FakeUpstream::Reply::json(200, R"({"ok": true})");
  });
  json::object credentials{{"oauth2ClientCredentialsClientId", "cid"},
                           {"oauth2ClientCredentialsClientSecret", "cs"},
                           {"oauth2ClientCredentialsTokenUrl", upstream_.url("/oauth/token")}};
  for (int i = 0; i < 3; ++i) {
    auto result = api_.run("putAnythingOauth2", {}, connection(credentials));
    ASSERT_TRUE(result.success) << failure_text(result);
    EXPECT_EQ(upstream_.last().header("authorization"), "Bearer t1");
  }
  EXPECT_EQ(issued.load(), 1);  // reused across executions

  revoke_first = true;
  auto result = api_.run("putAnythingOauth2", {}, connection(credentials));
  ASSERT_TRUE(result.success) << failure_text(result);
  EXPECT_EQ(upstream_.last().header("authorization"), "Bearer t2");
  EXPECT_EQ(issued.load(), 2);
}

TEST_F(SecuritySchemes, TokenRequestCarriesTheOperationsScopes) {
  upstream_.answer([](const FakeUpstream::Request& request) {
    if (request.path == "/token") {
      return FakeUpstream::Reply::json(200, R"({"access_token": "s1", "expires_in": 60})");
    }
    return FakeUpstream::Reply::json(200, "{}");
  });
  ASSERT_TRUE(api_.run("postAnythingOauth2", {},
                       connection({{"clientId", "scoped"}, {"clientSecret", "s"},
                                   {"tokenUrl", upstream_.url("/token")}}))
                  .success);
  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 2u);  // the token first, then the operation
  EXPECT_EQ(requests[0].path, "/token");
  EXPECT_NE(requests[0].body.find("grant_type=client_credentials"), std::string::npos);
  EXPECT_NE(requests[0].body.find("scope=write%3Athings"), std::string::npos) << requests[0].body;
  EXPECT_EQ(upstream_.last().header("authorization"), "Bearer s1");
}

// ---------------------------------------------------------------------------
// A hand-written OpenAPI 3.1 description with the serialization edge cases.

constexpr std::string_view kEdgeSpec = R"({
  "openapi": "3.1.0",
  "info": {"title": "Edges", "version": "1"},
  "servers": [{"url": "https://api.example.com/base"}],
  "paths": {
    "/items/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"operationId": "getItem", "parameters": [
        {"name": "csv", "in": "query", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "spaced", "in": "query", "style": "spaceDelimited", "explode": false,
         "schema": {"type": "array", "items": {"type": "integer"}}},
        {"name": "piped", "in": "query", "style": "pipeDelimited", "explode": false,
         "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "filter", "in": "query", "style": "deepObject", "explode": true, "schema": {"type": "object"}},
        {"name": "flat", "in": "query", "schema": {"type": "object"}},
        {"name": "X-Tags", "in": "header", "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
        {"name": "when", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}}]},
      "head": {"operationId": "headItem"},
      "options": {"operationId": "itemOptions"},
      "delete": {"operationId": "deleteItem", "requestBody": {"content": {"application/json": {
        "schema": {"type": "object", "properties": {"id": {"type": "string"}, "reason": {"type": "string"}}}}}}},
      "put": {"operationId": "replaceItem", "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}}}
    },
    "/styled/{label}/{matrix}": {"get": {"operationId": "styled", "parameters": [
      {"name": "label", "in": "path", "required": true, "style": "label", "schema": {"type": "array"}},
      {"name": "matrix", "in": "path", "required": true, "style": "matrix", "explode": true, "schema": {"type": "array"}}]}},
    "/search?kind=all": {"get": {"operationId": "search", "parameters": [
      {"name": "q", "in": "query", "schema": {"type": "string"}}]}},
    "/upload": {"post": {"operationId": "upload", "servers": [{"url": "https://uploads.example.com"}],
      "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}}
  }
})";

class Edges : public ::testing::Test {
 protected:
  Recorder upstream_;
  Generated api_{kEdgeSpec};
  json::object connection() { return {{"baseUrl", upstream_.url("/base")}}; }
};

TEST_F(Edges, PathValuesArePercentEncodedAndQueryStylesFollowTheDescription) {
  auto result = api_.run(
      "getItem",
      {{"id", "a/b c?"},
       {"csv", json::array{"x", "y,z"}},
       {"spaced", json::array{1, 2}},
       {"piped", json::array{"p", "q"}},
       {"filter", json::object{{"color", "red"}, {"size", "L"}}},
       {"flat", json::object{{"k", "v"}}},
       {"X-Tags", json::array{"t1", "t2"}},
       {"session", "s 1"},
       {"when", json::object{{"after", 3}}}},
      connection());
  ASSERT_TRUE(result.success) << failure_text(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.path, "/base/items/a%2Fb%20c%3F");
  EXPECT_EQ(request.target.substr(request.target.find('?') + 1),
            "csv=x,y%2Cz&spaced=1%202&piped=p%7Cq&filter%5Bcolor%5D=red&filter%5Bsize%5D=L&k=v"
            "&when=%7B%22after%22%3A3%7D");
  EXPECT_EQ(request.header("x-tags"), "t1,t2");
  EXPECT_EQ(request.header("cookie"), "session=s%201");
}

TEST_F(Edges, LabelAndMatrixPathStyles) {
  ASSERT_TRUE(api_.run("styled", {{"label", json::array{"a", "b"}}, {"matrix", json::array{1, 2}}},
                       connection())
                  .success);
  EXPECT_EQ(upstream_.last().path, "/base/styled/.a,b/;matrix=1;matrix=2");
}

TEST_F(Edges, HeadOptionsAndDeleteWithABody) {
  ASSERT_TRUE(api_.run("headItem", {{"id", "1"}}, connection()).success);
  EXPECT_EQ(upstream_.last().method, "HEAD");
  ASSERT_TRUE(api_.run("itemOptions", {{"id", "1"}}, connection()).success);
  EXPECT_EQ(upstream_.last().method, "OPTIONS");
  auto result = api_.run("deleteItem", {{"id", "1"}, {"bodyId", "1"}, {"reason", "dup"}}, connection());
  ASSERT_TRUE(result.success) << failure_text(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.method, "DELETE");
  EXPECT_EQ(request.path, "/base/items/1");
  EXPECT_EQ(json::parse(request.body), json::parse(R"({"id":"1","reason":"dup"})"));
}

TEST_F(Edges, TextBodyKeepsItsMediaType) {
  ASSERT_TRUE(api_.run("replaceItem", {{"id", "1"}, {"body", "plain words"}}, connection()).success);
  auto request = upstream_.last();
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.header("content-type"), "text/plain");
  EXPECT_EQ(request.body, "plain words");
}

TEST_F(Edges, PathWithItsOwnQueryAppendsWithAmpersand) {
  ASSERT_TRUE(api_.run("search", {{"q", "cats"}}, connection()).success);
  EXPECT_EQ(upstream_.last().target, "/base/search?kind=all&q=cats");
}

TEST_F(Edges, OperationServerIsAConnectionFieldThatCanBePointedElsewhere) {
  const auto* field = api_.definition().config_schema.find_connection_field("uploadsBaseUrl");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(*field->default_value, "https://uploads.example.com");
  json::object config = connection();
  config["uploadsBaseUrl"] = upstream_.url("/up");
  auto result = api_.run("upload", {{"body", "raw"}}, config);
  ASSERT_TRUE(result.success) << failure_text(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.target, "/up/upload");
  EXPECT_EQ(request.header("content-type"), "application/octet-stream");
  EXPECT_EQ(request.body, "raw");
}

TEST_F(Edges, TestCommandChecksTheCheapestGet) {
  auto result = api_.run("test", {}, connection());
  ASSERT_TRUE(result.success) << failure_text(result);
  EXPECT_EQ(upstream_.last().target, "/base/search?kind=all");
  EXPECT_EQ(result.payload->at("operation"), "GET /search?kind=all");
}

}  // namespace
}  // namespace patchbay::oas
