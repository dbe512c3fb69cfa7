// MCP's streamable HTTP transport at /mcp on the real `patchbay serve`, at the
// protocol level: sessions, tokens and roles, Origin checks, headers, malformed
// JSON-RPC, unknown methods and oversize messages. (The SDK client's full flow
// is test/mcp/sdk/flow.test.mjs.)

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/server_process.hpp"

namespace patchbay {
namespace {

namespace json = boost::json;
using test::HttpCall;
using test::HttpReply;

const json::value kInitialize = json::parse(R"({"jsonrpc": "2.0", "id": 1, "method": "initialize",
  "params": {"protocolVersion": "2025-11-25", "capabilities": {},
             "clientInfo": {"name": "mcp_http_test", "version": "1"}}})");

json::value request(int id, std::string method, json::object params = {}) {
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", std::move(method)}, {"params", std::move(params)}};
}

class McpHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<test::ServerProcess>(
        PATCHBAY_BINARY,
        std::vector<std::string>{"--data-dir", (dir_.path() / "data").string(),
                                 "--mcp-allow-origin", "https://studio.example.com"});
    ASSERT_TRUE(server_->running());
    token_ = server_->admin_token();
  }

  HttpReply post(const std::string& body, std::vector<std::pair<std::string, std::string>> headers = {},
                 std::string token = "-") {
    HttpCall call{.method = "POST", .target = "/mcp", .body = body};
    call.token = token == "-" ? token_ : token;
    call.headers = {{"Content-Type", "application/json"},
                    {"Accept", "application/json, text/event-stream"}};
    for (auto& header : headers) {
      auto same = std::find_if(call.headers.begin(), call.headers.end(),
                               [&](const auto& h) { return h.first == header.first; });
      if (same != call.headers.end()) {
        *same = header;
      } else {
        call.headers.push_back(header);
      }
    }
    return test::http_call(server_->port(), call);
  }
  HttpReply post(const json::value& message, std::vector<std::pair<std::string, std::string>> headers = {},
                 std::string token = "-") {
    return post(json::serialize(message), std::move(headers), std::move(token));
  }

  // Opens a session; returns its id.
  std::string initialize(std::string token = "-") {
    auto reply = post(kInitialize, {}, std::move(token));
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.json().at("result").at("protocolVersion"), "2025-11-25");
    std::string id = reply.header("mcp-session-id");
    EXPECT_EQ(id.size(), 32u);
    return id;
  }

  std::string create_token(const std::string& role) {
    HttpCall call{.method = "POST", .target = "/api/tokens",
                  .body = json::serialize(json::object{{"name", "mcp-" + role}, {"role", role}})};
    call.token = token_;
    auto reply = test::http_call(server_->port(), call);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return std::string(reply.json().at("token").as_string());
  }

  static int error_code(const HttpReply& reply) {
    auto body = reply.json();
    if (!body.is_object() || !body.as_object().contains("error")) return 0;
    return static_cast<int>(body.at("error").at("code").to_number<std::int64_t>());
  }

  test::TempDir dir_;
  std::unique_ptr<test::ServerProcess> server_;
  std::string token_;
};

TEST_F(McpHttpTest, SessionLifecycle) {
  std::string session = initialize();
  std::vector<std::pair<std::string, std::string>> with_session{{"Mcp-Session-Id", session},
                                                                {"MCP-Protocol-Version", "2025-11-25"}};
  // A notification: 202, no body.
  auto note = post(json::parse(R"({"jsonrpc": "2.0", "method": "notifications/initialized"})"), with_session);
  EXPECT_EQ(note.status, 202);
  EXPECT_TRUE(note.body.empty());
  // A response to nothing (patchbay sends no requests) is accepted and dropped.
  EXPECT_EQ(post(json::parse(R"({"jsonrpc": "2.0", "id": 9, "result": {}})"), with_session).status, 202);

  auto tools = post(request(2, "tools/list"), with_session);
  ASSERT_EQ(tools.status, 200) << tools.body;
  EXPECT_EQ(tools.header("content-type"), "application/json");
  EXPECT_GE(tools.json().at("result").at("tools").as_array().size(), 10u);
  auto pong = post(request(3, "ping"), with_session);
  EXPECT_EQ(json::serialize(pong.json()), R"({"jsonrpc":"2.0","id":3,"result":{}})");

  // Two sessions are independent; ending one leaves the other.
  std::string other = initialize();
  EXPECT_NE(other, session);
  HttpCall end{.method = "DELETE", .target = "/mcp", .token = token_, .headers = {{"Mcp-Session-Id", session}}};
  EXPECT_EQ(test::http_call(server_->port(), end).status, 204);
  EXPECT_EQ(test::http_call(server_->port(), end).status, 404);
  auto gone = post(request(4, "ping"), with_session);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(error_code(gone), -32600);
  EXPECT_EQ(post(request(5, "ping"), {{"Mcp-Session-Id", other}}).status, 200);

  // No server-to-client stream: GET is 405 with the allowed methods.
  HttpCall get{.method = "GET", .target = "/mcp", .token = token_, .headers = {{"Accept", "text/event-stream"}}};
  auto stream = test::http_call(server_->port(), get);
  EXPECT_EQ(stream.status, 405);
  EXPECT_NE(stream.header("allow").find("POST"), std::string::npos);
}

TEST_F(McpHttpTest, OlderRevisionsAreNegotiatedAndUnknownOnesGetTheLatest) {
  auto old = kInitialize;
  old.as_object()["params"].as_object()["protocolVersion"] = "2025-03-26";
  auto reply = post(old);
  EXPECT_EQ(reply.json().at("result").at("protocolVersion"), "2025-03-26");
  old.as_object()["params"].as_object()["protocolVersion"] = "1999-01-01";
  reply = post(old);
  EXPECT_EQ(reply.json().at("result").at("protocolVersion"), "2025-11-25");
  // A request whose version header is not one patchbay speaks: 400.
  std::string session = reply.header("mcp-session-id");
  auto refused = post(request(2, "ping"), {{"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "1999-01-01"}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("1999-01-01"), std::string::npos);
}

TEST_F(McpHttpTest, TokensAndRolesDecide) {
  // No token, a wrong token: 401 before anything else.
  EXPECT_EQ(post(kInitialize, {}, "").status, 401);
  EXPECT_EQ(post(kInitialize, {}, "pbt_not-a-token").status, 401);
  // Agent tokens are for the agent endpoint only.
  EXPECT_EQ(post(kInitialize, {}, create_token("agent")).status, 403);

  // A viewer may connect and read; a tool that writes fails with the REST
  // API's permission error, as a tool result.
  std::string viewer = create_token("viewer");
  std::string session = initialize(viewer);
  auto listed = post(request(2, "tools/call", {{"name", "list_connectors"}, {"arguments", json::object{}}}),
                     {{"Mcp-Session-Id", session}}, viewer);
  ASSERT_EQ(listed.status, 200);
  EXPECT_FALSE(listed.json().at("result").as_object().contains("isError")) << listed.body;
  auto created = post(request(3, "tools/call",
                              {{"name", "create_connector"},
                               {"arguments", json::parse(R"({"definition": {"name": "x", "type": "http",
                                  "version": "1.0.0", "executionModel": "built_in"}})")}}),
                      {{"Mcp-Session-Id", session}}, viewer);
  ASSERT_EQ(created.status, 200);
  EXPECT_EQ(created.json().at("result").at("isError"), true);
  EXPECT_NE(created.body.find("permission_denied"), std::string::npos) << created.body;

  // A session belongs to the token that opened it.
  EXPECT_EQ(post(request(4, "ping"), {{"Mcp-Session-Id", session}}).status, 404);
}

TEST_F(McpHttpTest, OriginsAreChecked) {
  auto evil = post(kInitialize, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(error_code(evil), -32600);
  // Refused before the token is looked at.
  EXPECT_EQ(post(kInitialize, {{"Origin", "https://evil.example"}}, "").status, 403);
  // A DNS-rebinding page: its name resolves to us, but the Host is that name.
  auto rebinding = post(kInitialize, {{"Origin", "http://attacker.example:" + std::to_string(server_->port())},
                                      {"Host", "attacker.example:" + std::to_string(server_->port())}});
  EXPECT_EQ(rebinding.status, 403);

  auto allowed = post(kInitialize, {{"Origin", "https://studio.example.com"}});
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.header("access-control-allow-origin"), "https://studio.example.com");
  EXPECT_NE(allowed.header("access-control-expose-headers").find("Mcp-Session-Id"), std::string::npos);
  // A page served from this server's own loopback address.
  std::string self = "http://127.0.0.1:" + std::to_string(server_->port());
  EXPECT_EQ(post(kInitialize, {{"Origin", self}}).status, 200);

  // Preflight: no token, CORS headers for allowed origins only.
  HttpCall preflight{.method = "OPTIONS", .target = "/mcp",
                     .headers = {{"Origin", "https://studio.example.com"},
                                 {"Access-Control-Request-Method", "POST"}}};
  auto ok = test::http_call(server_->port(), preflight);
  EXPECT_EQ(ok.status, 204);
  EXPECT_NE(ok.header("access-control-allow-headers").find("Mcp-Session-Id"), std::string::npos);
  preflight.headers[0].second = "https://evil.example";
  EXPECT_EQ(test::http_call(server_->port(), preflight).status, 403);
}

TEST_F(McpHttpTest, MalformedMessagesAreJsonRpcErrors) {
  // Not JSON: -32700 with where it broke.
  auto broken = post(std::string(R"({"jsonrpc": "2.0", "id": 1, "method": )"));
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(error_code(broken), -32700);
  EXPECT_TRUE(broken.json().at("id").is_null());

  std::string session = initialize();
  std::vector<std::pair<std::string, std::string>> with_session{{"Mcp-Session-Id", session}};
  struct Case {
    std::string body;
    int code;
  };
  for (const auto& [body, code] : std::vector<Case>{
           {R"([])", -32600},
           {R"(42)", -32600},
           {R"({"id": 1, "method": "ping"})", -32600},
           {R"({"jsonrpc": "1.0", "id": 1, "method": "ping"})", -32600},
           {R"({"jsonrpc": "2.0", "id": null, "method": "ping"})", -32600},
           {R"({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"})", -32600},
           {R"({"jsonrpc": "2.0", "id": 1, "method": 7})", -32600},
           {R"({"jsonrpc": "2.0", "id": 1})", -32600},
           {R"({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": [1]})", -32602},
           {R"({"jsonrpc": "2.0", "id": 1, "method": "prompts/list"})", -32601},
           {R"({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {}})", -32602},
           {R"({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "rm_rf"}})", -32602},
           {R"({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_connectors", "arguments": [1]}})", -32602},
           {R"({"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": "file:///etc/passwd"}})", -32002},
           {R"({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25"}})", 0},
       }) {
    auto reply = post(body, with_session);
    if (code == 0) {
      // initialize always opens a new session rather than re-initializing this one.
      EXPECT_EQ(reply.status, 200) << body;
      continue;
    }
    EXPECT_EQ(error_code(reply), code) << body << " -> " << reply.body;
    EXPECT_TRUE(reply.status == 200 || reply.status == 400) << body;
  }

  // A batch (2025-03-26): answers for its requests only; initialize may not be in one.
  auto batch = post(std::string(R"([{"jsonrpc": "2.0", "id": 1, "method": "ping"},
                                   {"jsonrpc": "2.0", "method": "notifications/cancelled"},
                                   {"jsonrpc": "2.0", "id": 2, "method": "nope"}])"),
                    with_session);
  ASSERT_EQ(batch.status, 200) << batch.body;
  ASSERT_EQ(batch.json().as_array().size(), 2u);
  EXPECT_EQ(batch.json().at(1).at("error").at("code"), -32601);

  // Tool argument problems are tool results the assistant can read.
  auto bad_args = post(request(7, "tools/call", {{"name", "execute_connector_command"},
                                                 {"arguments", json::object{{"connector", 5}, {"command", "x"}}}}),
                       with_session);
  ASSERT_EQ(bad_args.status, 200);
  EXPECT_EQ(bad_args.json().at("result").at("isError"), true);
  EXPECT_NE(bad_args.body.find("arguments.connector: must be string, not number"), std::string::npos)
      << bad_args.body;
}

TEST_F(McpHttpTest, TransportRefusals) {
  std::string session = initialize();
  // No session id on a non-initialize request: 400.
  auto missing = post(request(2, "tools/list"));
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("Mcp-Session-Id"), std::string::npos);
  EXPECT_EQ(post(request(2, "tools/list"), {{"Mcp-Session-Id", "0123456789abcdef0123456789abcdef"}}).status, 404);
  // Content negotiation.
  EXPECT_EQ(post(request(3, "ping"), {{"Mcp-Session-Id", session}, {"Accept", "text/html"}}).status, 406);
  EXPECT_EQ(post(request(3, "ping"), {{"Mcp-Session-Id", session}, {"Content-Type", "text/plain"}}).status, 415);
  // Oversize: the import limit (64 MiB by default) bounds a message; 413 and the server lives on.
  std::string huge = R"({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "parse_openapi_spec", "arguments": {"spec": ")" +
                     std::string(65 * 1024 * 1024, 'a') + R"("}}})";
  EXPECT_EQ(post(huge, {{"Mcp-Session-Id", session}}).status, 413);
  // Deep nesting is refused, not recursed into.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto nested = post(deep, {{"Mcp-Session-Id", session}});
  EXPECT_EQ(nested.status, 400);
  EXPECT_EQ(error_code(nested), -32700);
  EXPECT_EQ(post(request(4, "ping"), {{"Mcp-Session-Id", session}}).status, 200);
}

}  // namespace
}  // namespace patchbay
