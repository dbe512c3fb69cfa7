// External connectors end to end: the real `patchbay serve` calling the real
// example service (examples/external-connector) on loopback, both as child
// processes. Success, protocol failures, legacy rejection, bad JSON, timeouts,
// and the signature the service checks (a wrong secret and a tampered body).

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "external/external.hpp"
#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/server_process.hpp"

namespace patchbay {
namespace {

namespace json = boost::json;
using test::HttpCall;
using test::HttpReply;

constexpr const char* kSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0-example";

class ExternalServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto secret_file = dir_.path() / "signing-secret";
    std::ofstream(secret_file) << kSecret << "\n";
    service_ = std::make_unique<test::ChildProcess>(std::vector<std::string>{
        PATCHBAY_EXAMPLE_EXTERNAL, "--listen", "127.0.0.1:0", "--signing-secret-file",
        secret_file.string(), "--enable-test-commands"});
    service_url_ = service_->wait_for_word_after("listening on ");
    ASSERT_FALSE(service_url_.empty()) << service_->log();
    server_ = std::make_unique<test::ServerProcess>(
        PATCHBAY_BINARY,
        std::vector<std::string>{"--data-dir", (dir_.path() / "data").string()},
        std::vector<std::string>{"PATCHBAY_HTTP_ALLOW=127.0.0.0/8"});
    ASSERT_TRUE(server_->running());
    token_ = server_->admin_token();
  }

  HttpReply call(std::string method, std::string target, const json::value& body = nullptr) {
    HttpCall request{.method = std::move(method), .target = std::move(target)};
    if (!body.is_null()) request.body = json::serialize(body);
    request.token = token_;
    return test::http_call(server_->port(), request);
  }

  // Registers the service under `name`; its configSchema comes from /schema.
  HttpReply register_service(const std::string& name, const std::string& secret,
                             std::int64_t wall_time_ms = 30'000) {
    return call("POST", "/api/connectors",
                json::object{{"name", name},
                             {"executionModel", "external"},
                             {"endpointUrl", service_url_},
                             {"signingSecret", secret},
                             {"limits", {{"wallTimeMs", wall_time_ms}}},
                             {"config", {{"apiKey", "demo-key"}}}});
  }

  json::object execute(const std::string& name, const std::string& command,
                       json::object params = {}) {
    auto reply = call("POST", "/api/connectors/" + name + "/execute",
                      json::object{{"command", command}, {"params", std::move(params)}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json().as_object();
  }

  test::TempDir dir_;
  std::unique_ptr<test::ChildProcess> service_;
  std::string service_url_;
  std::unique_ptr<test::ServerProcess> server_;
  std::string token_;
};

std::string reason(const json::object& result) {
  const auto* diagnostics = result.if_contains("diagnostics");
  if (diagnostics == nullptr || !diagnostics->is_object()) return "";
  const auto* value = diagnostics->get_object().if_contains("reason");
  return value && value->is_string() ? std::string(value->get_string()) : "";
}

TEST_F(ExternalServiceTest, CommandsRunOnTheServiceWithTheSeedSlots) {
  auto created = register_service("inventory", kSecret);
  ASSERT_EQ(created.status, 201) << created.body;
  // The schema came from the service.
  EXPECT_TRUE(created.json().at("configSchema").at("commands").as_object().contains("createItem"));

  auto item = execute("inventory", "createItem", {{"name", "Bolt"}, {"quantity", 5}});
  ASSERT_EQ(item.at("success"), true) << json::serialize(item);
  EXPECT_EQ(item.at("payload").at("name"), "Bolt");
  auto id = std::string(item.at("variables").at("itemId").as_string());
  auto listed = execute("inventory", "listItems", {{"limit", 10}});
  ASSERT_EQ(listed.at("success"), true);
  EXPECT_NE(json::serialize(listed.at("payload")).find(id), std::string::npos);

  auto echoed = execute("inventory", "echo");
  ASSERT_EQ(echoed.at("success"), true) << json::serialize(echoed);
  EXPECT_EQ(echoed.at("payload").at("protocolVersion"), "2.0");
  // The service got the decrypted key (it checks it); the answer shows it redacted.
  EXPECT_EQ(echoed.at("payload").at("config").at("apiKey"), "[redacted]");
  EXPECT_EQ(echoed.at("payload").at("metadata").at("timeout"), 30000);

  auto missing = execute("inventory", "getItem", {{"id", "item-404"}});
  EXPECT_EQ(missing.at("success"), false);
  EXPECT_EQ(missing.at("diagnostics").at("statusCode"), 404);

  auto health = call("GET", "/api/connectors/inventory/health");
  ASSERT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(health.json().at("healthy"), true) << health.body;
  EXPECT_EQ(health.json().at("body").at("status"), "ok");
}

TEST_F(ExternalServiceTest, BadAnswersAreDistinctFailures) {
  ASSERT_EQ(register_service("inventory", kSecret, 1'000).status, 201);
  auto legacy = execute("inventory", "legacyResponse");
  EXPECT_EQ(legacy.at("success"), false);
  EXPECT_EQ(legacy.at("error"), core::kLegacyProtocolMessage);
  EXPECT_EQ(reason(legacy), "legacy_protocol");

  auto bad_json = execute("inventory", "badJson");
  EXPECT_EQ(reason(bad_json), "invalid_json") << json::serialize(bad_json);
  EXPECT_EQ(reason(execute("inventory", "notObject")), "invalid_response");
  EXPECT_EQ(reason(execute("inventory", "wrongTypes")), "invalid_response");
  auto server_error = execute("inventory", "serverError");
  EXPECT_EQ(reason(server_error), "status");
  EXPECT_EQ(server_error.at("diagnostics").at("statusCode"), 500);
  EXPECT_EQ(reason(execute("inventory", "hugeResponse", {{"bytes", 11 * 1024 * 1024}})),
            "too_large");

  auto slow = execute("inventory", "slow", {{"ms", 5'000}});
  EXPECT_EQ(slow.at("success"), false);
  EXPECT_EQ(reason(slow), "timeout") << json::serialize(slow);
  // The failure was recorded like any other.
  auto recorded = call("GET", "/api/executions/" + std::string(slow.at("executionId").as_string()));
  EXPECT_EQ(recorded.json().at("success"), false);
}

TEST_F(ExternalServiceTest, TheServiceRejectsAWrongSecretAndATamperedBody) {
  // Registered with a secret the service does not know: every call is refused.
  ASSERT_EQ(call("POST", "/api/connectors",
                 json::object{{"name", "impostor"},
                              {"executionModel", "external"},
                              {"endpointUrl", service_url_},
                              {"signingSecret", "not-the-secret-the-service-has"},
                              {"configSchema", {{"commands", {{"listItems", json::object{}}}}}}})
                .status,
            201);
  auto refused = execute("impostor", "listItems");
  EXPECT_EQ(refused.at("success"), false);
  EXPECT_EQ(refused.at("diagnostics").at("statusCode"), 401);
  EXPECT_NE(std::string(refused.at("error").as_string()).find("signature"), std::string::npos)
      << json::serialize(refused);

  // A request signed correctly, then changed on the way: refused.
  std::string body =
      R"({"protocolVersion":"2.0","command":"listItems","config":{"apiKey":"demo-key"},)"
      R"("params":{},"variables":{},"metadata":{"stepId":"","runId":"","timeout":1000}})";
  auto timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  auto port = static_cast<unsigned short>(
      std::stoi(service_url_.substr(service_url_.rfind(':') + 1)));
  HttpCall genuine{.method = "POST", .target = "/execute", .body = body};
  genuine.headers = {{"X-Patchbay-Timestamp", timestamp},
                     {"X-Patchbay-Signature", external::sign(kSecret, timestamp, body)},
                     {"Content-Type", "application/json"}};
  EXPECT_EQ(test::http_call(port, genuine).status, 200);
  auto tampered = genuine;
  tampered.body.replace(tampered.body.find("listItems"), 9, "createItem");
  auto reply = test::http_call(port, tampered);
  EXPECT_EQ(reply.status, 401) << reply.body;
  auto stale = genuine;
  stale.headers[0].second = std::to_string(std::stoll(timestamp) - 600);
  stale.headers[1].second = external::sign(kSecret, stale.headers[0].second, body);
  EXPECT_EQ(test::http_call(port, stale).status, 401);
}

}  // namespace
}  // namespace patchbay
