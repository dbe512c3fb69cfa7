// The REST API of the real `patchbay serve`, over HTTP on loopback, against
// SQLite and a throwaway PostgreSQL cluster.

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/json.hpp"
#include "external/external.hpp"
#include "secrets/secrets.hpp"
#include "support/fake_upstream.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/postgres_cluster.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"

namespace patchbay {
namespace {

namespace json = boost::json;
using test::FakeUpstream;
using test::HttpCall;
using test::HttpReply;

constexpr const char* kApiKey = "crm-key-5f1e9a77c0d24b";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Seed 001's my-crm connector, exactly as its "Creating Script Connectors" shows.
json::object my_crm(const std::string& base_url) {
  auto body = core::parse_json(R"({
    "name": "my-crm", "type": "my-crm", "description": "Integration with My CRM",
    "version": "1.0.0", "executionModel": "script", "category": "crm",
    "tags": ["sales", "contacts"],
    "configSchema": {
      "connectionConfig": {
        "baseUrl": { "type": "string", "required": true, "description": "CRM API base URL" },
        "apiKey": { "type": "string", "required": true, "secret": true, "description": "API key" }
      },
      "commands": {
        "listContacts": {
          "params": ["limit", "offset"], "description": "List contacts from the CRM",
          "outputs": ["contacts", "total"],
          "paramSchema": { "limit": { "type": "number", "default": 50 },
                           "offset": { "type": "number", "default": 0 } }
        },
        "createContact": { "params": ["email", "firstName", "lastName"],
                           "description": "Create a new contact", "outputs": ["contactId"] },
        "test": { "params": [], "description": "Test connectivity", "outputs": [] }
      }
    }})")
                  ->as_object();
  body["scriptSource"] =
      read_file(std::string(PATCHBAY_TEST_CASES_DIR) + "/scripts/seed_my_crm.js");
  body["config"] = json::object{{"baseUrl", base_url}, {"apiKey", kApiKey}};
  return body;
}

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "Postgres") db_url_ = test::PostgresCluster::shared().fresh_database_url();
    start();
    ASSERT_TRUE(server_->running());
    token_ = server_->admin_token();
    ASSERT_FALSE(token_.empty()) << server_->output();
  }

  std::vector<std::string> data_args() const {
    std::vector<std::string> args{"--data-dir", (dir_.path() / "data").string()};
    if (!db_url_.empty()) args.insert(args.end(), {"--db", db_url_});
    return args;
  }

  void start(std::vector<std::string> extra = {}) {
    auto args = data_args();
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<test::ServerProcess>(PATCHBAY_BINARY, args);
  }

  HttpReply call(std::string method, std::string target, const json::value& body = nullptr,
                 std::string token = "-") {
    HttpCall request{.method = std::move(method), .target = std::move(target)};
    if (!body.is_null()) request.body = json::serialize(body);
    request.token = token == "-" ? token_ : token;
    auto reply = test::http_call(server_->port(), request);
    std::lock_guard lock(mutex_);
    seen_.push_back(reply.body);
    return reply;
  }

  // Runs `patchbay <args> --data-dir ... [--db ...]`.
  test::ProcessResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), PATCHBAY_BINARY);
    auto data = data_args();
    args.insert(args.end(), data.begin(), data.end());
    return test::run_process(args);
  }

  std::string create_token(const std::string& name, const std::string& role) {
    auto reply = call("POST", "/api/tokens", json::object{{"name", name}, {"role", role}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return std::string(reply.json().at("token").as_string());
  }

  test::TempDir dir_;
  std::string db_url_;
  std::unique_ptr<test::ServerProcess> server_;
  std::string token_;
  std::mutex mutex_;
  std::vector<std::string> seen_;  // every response body, for the secret check
};

TEST_P(ApiTest, HealthNeedsNoTokenAndEverythingElseDoes) {
  auto health = call("GET", "/api/health", nullptr, "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json().at("status"), "ok");
  EXPECT_FALSE(health.header("x-request-id").empty());

  auto anonymous = call("GET", "/api/connectors", nullptr, "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.json().at("error").at("code"), "unauthenticated");
  EXPECT_EQ(call("GET", "/api/connectors", nullptr, "pb_not-a-real-token").status, 401);
  EXPECT_EQ(call("GET", "/metrics", nullptr, "").status, 401);
  EXPECT_EQ(call("GET", "/api/nothing-here").status, 404);
  auto wrong_method = call("PATCH", "/api/connectors");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("allow"), "POST, GET");
}

TEST_P(ApiTest, RolesDecideWhoMayReadExecuteAndChange) {
  auto viewer = create_token("dashboards", "viewer");
  auto operator_token = create_token("workflows", "operator");
  auto wait = json::object{{"name", "wait"}, {"type", "delay"}, {"executionModel", "built_in"}};

  EXPECT_EQ(call("GET", "/api/connectors", nullptr, viewer).status, 200);
  auto denied = call("POST", "/api/connectors", wait, viewer);
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.json().at("error").at("message").as_string().find("needs 'admin'"),
            std::string::npos);
  EXPECT_EQ(call("POST", "/api/connectors", wait, operator_token).status, 403);
  ASSERT_EQ(call("POST", "/api/connectors", wait).status, 201);

  auto run = json::object{{"command", "wait"}, {"params", {{"delayMs", 0}}}};
  EXPECT_EQ(call("POST", "/api/connectors/wait/execute", run, viewer).status, 403);
  EXPECT_EQ(call("POST", "/api/connectors/wait/execute", run, operator_token).status, 200);
  EXPECT_EQ(call("GET", "/api/tokens", nullptr, operator_token).status, 403);

  // Revoked through the API: refused at once.
  ASSERT_EQ(call("DELETE", "/api/tokens/workflows").status, 204);
  EXPECT_EQ(call("GET", "/api/connectors", nullptr, operator_token).status, 401);

  auto audit = call("GET", "/api/audit?limit=50").json().as_array();
  bool executed_by_workflows = false;
  for (const auto& entry : audit) {
    if (entry.at("action") == "connector.execute" && entry.at("actor") == "workflows") {
      executed_by_workflows = true;
    }
  }
  EXPECT_TRUE(executed_by_workflows) << json::serialize(audit);
}

TEST_P(ApiTest, SeedScriptConnectorRunsAgainstAnAllowListedUpstreamWithSecretsMasked) {
  FakeUpstream crm;
  crm.set_handler([](const FakeUpstream::Request& request) {
    if (request.header("authorization") != std::string("Bearer ") + kApiKey) {
      return FakeUpstream::Reply::json(401, R"({"message": "bad key"})");
    }
    return FakeUpstream::Reply::json(
        200, R"({"data": [{"id": 1, "email": "ada@example.com"}], "total": 1})");
  });
  auto created = call("POST", "/api/connectors", my_crm(crm.url()));
  ASSERT_EQ(created.status, 201) << created.body;
  auto view = created.json().as_object();
  EXPECT_EQ(view.at("config").at("apiKey"), (json::object{{"value", "••••••"}, {"set", true}}));
  EXPECT_EQ(view.at("config").at("baseUrl"), json::value(crm.url()));

  auto run = call("POST", "/api/connectors/my-crm/execute",
                  json::object{{"command", "listContacts"}, {"params", {{"limit", 10}}}});
  ASSERT_EQ(run.status, 200) << run.body;
  auto result = run.json().as_object();
  EXPECT_EQ(result.at("success"), true) << run.body;
  EXPECT_EQ(result.at("payload").at("total"), 1);
  EXPECT_EQ(result.at("variables").at("contactCount"), 1);
  ASSERT_EQ(crm.requests().size(), 1u);
  EXPECT_EQ(crm.requests()[0].target, "/api/contacts?limit=10&offset=0");

  auto record = call("GET", "/api/executions/" + std::string(result.at("executionId").as_string()));
  ASSERT_EQ(record.status, 200);
  EXPECT_EQ(record.json().at("command"), "listContacts");
  EXPECT_EQ(record.json().at("params").at("limit"), 10);
  EXPECT_EQ(record.json().at("actor"), "admin");

  // A PUT that sends the mask back keeps the key; the connector still authenticates.
  auto edited = view;
  edited["description"] = "CRM, production tenant";
  auto updated = call("PUT", "/api/connectors/my-crm", edited);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json().at("revision"), 2);
  auto again = call("POST", "/api/connectors/" + std::string(view.at("id").as_string()) + "/test");
  EXPECT_EQ(again.json().at("success"), true) << again.body;

  // A script that echoes the key into its result: redacted in the answer and the record.
  auto leaky = my_crm(crm.url());
  leaky["name"] = "leaky";
  leaky["scriptSource"] =
      "function listContacts() { return {success: true, payload: {key: floh.config.apiKey}}; }\n"
      "function createContact() {}\nfunction test() {}\n";
  ASSERT_EQ(call("POST", "/api/connectors", leaky).status, 201);
  auto leaked =
      call("POST", "/api/connectors/leaky/execute", json::object{{"command", "listContacts"}});
  EXPECT_EQ(leaked.json().at("payload").at("key"), "[redacted]") << leaked.body;
  call("GET", "/api/executions/" + std::string(leaked.json().at("executionId").as_string()));
  call("GET", "/api/connectors");

  auto stopped = server_->stop();
  EXPECT_EQ(stopped, 0);
  for (const auto& body : seen_) EXPECT_EQ(body.find(kApiKey), std::string::npos) << body;
  EXPECT_EQ(server_->log().find(kApiKey), std::string::npos);
  if (GetParam() == "Sqlite") {
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "data")) {
      EXPECT_EQ(read_file(entry.path()).find(kApiKey), std::string::npos) << entry.path();
    }
  }
}

TEST_P(ApiTest, BadInputGetsTheDocumentedErrorAndChangesNothing) {
  auto raw = [&](const std::string& body) {
    HttpCall request{.method = "POST", .target = "/api/connectors", .body = body, .token = token_};
    return test::http_call(server_->port(), request);
  };
  auto malformed = raw(R"({"name": "x",)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.json().at("error").at("message").as_string().find("line 1"),
            std::string::npos);

  auto wrong_type =
      call("POST", "/api/connectors", json::object{{"name", 42}, {"executionModel", "built_in"}});
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.json().at("error").at("details").at("errors").at(0).at("path"), "name");

  auto unknown_field = call(
      "POST", "/api/connectors",
      json::object{
          {"name", "w"}, {"type", "delay"}, {"executionModel", "built_in"}, {"colour", "red"}});
  EXPECT_EQ(unknown_field.status, 400);
  auto unknown_type =
      call("POST", "/api/connectors",
           json::object{{"name", "w"}, {"type", "nope"}, {"executionModel", "built_in"}});
  EXPECT_EQ(unknown_type.status, 400);
  EXPECT_NE(unknown_type.body.find("not a registered built-in handler"), std::string::npos);
  auto bad_semver = call(
      "POST", "/api/connectors",
      json::object{
          {"name", "w"}, {"type", "delay"}, {"executionModel", "built_in"}, {"version", "1.x"}});
  EXPECT_EQ(bad_semver.status, 400);

  auto broken = my_crm("https://crm.example.com");
  broken["scriptSource"] = "function listContacts() {\n  return {success: true;\n}";
  auto syntax = call("POST", "/api/connectors", broken);
  EXPECT_EQ(syntax.status, 422);
  EXPECT_NE(syntax.body.find("my-crm.js:2:"), std::string::npos) << syntax.body;

  auto wait = json::object{{"name", "wait"}, {"type", "delay"}, {"executionModel", "built_in"}};
  ASSERT_EQ(call("POST", "/api/connectors", wait).status, 201);
  auto duplicate = call("POST", "/api/connectors", wait);
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(call("GET", "/api/connectors/missing").status, 404);
  EXPECT_EQ(call("POST", "/api/connectors/missing/execute", json::object{}).status, 404);
  EXPECT_EQ(call("GET", "/api/executions/x_0000000000000000").status, 404);
  auto bad_params = call("POST", "/api/connectors/wait/execute",
                         json::object{{"command", "wait"}, {"params", "delayMs=1"}});
  EXPECT_EQ(bad_params.status, 400);

  // 1 MiB is the limit outside connector writes and parse-oas (they take 64 MiB).
  std::string huge(2 * 1024 * 1024, 'x');
  auto too_large = call("POST", "/api/tokens", json::object{{"name", huge}});
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(too_large.json().at("error").at("code"), "payload_too_large");

  auto garbage = test::http_raw(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.status, 400);

  // Only "sample-script" (seeded) and "wait" exist.
  auto all = call("GET", "/api/connectors").json().as_array();
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(call("GET", "/api/health").status, 200);
}

TEST_P(ApiTest, ConnectorTypesFollowTheVersioningRules) {
  auto created = call("POST", "/api/connectors", my_crm("https://crm.example.com"));
  ASSERT_EQ(created.status, 201);
  auto type = call("GET", "/api/connector-types/my-crm").json().as_object();
  EXPECT_EQ(type.at("version"), "1.0.0");
  auto schema = type.at("configSchema").as_object();

  auto breaking = schema;
  breaking["commands"].as_object().erase("createContact");
  auto refused = call("PUT", "/api/connector-types/my-crm",
                      json::object{{"configSchema", breaking}, {"version", "1.0.1"}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json().at("error").at("details").at("suggestedVersion"), "2.0.0");

  auto bumped = call("PUT", "/api/connector-types/my-crm",
                     json::object{{"configSchema", breaking}, {"autoBump", true}});
  ASSERT_EQ(bumped.status, 200) << bumped.body;
  EXPECT_EQ(bumped.json().at("version"), "2.0.0");
  EXPECT_EQ(bumped.json().at("requiredBump"), "major");

  auto deprecated = breaking;
  deprecated["commands"].as_object()["listContacts"].as_object()["deprecated"] = true;
  deprecated["commands"].as_object()["listContacts"].as_object()["deprecatedMessage"] =
      "use searchContacts";
  ASSERT_EQ(call("PUT", "/api/connector-types/my-crm",
                 json::object{{"configSchema", deprecated}, {"version", "2.0.1"}})
                .status,
            200);
  auto caps = call("GET", "/api/connector-types/my-crm/capabilities").json().as_object();
  EXPECT_EQ(caps.at("version"), "2.0.1");
  EXPECT_EQ(caps.at("deprecatedCommands"), (json::array{"listContacts"}));
  EXPECT_EQ(call("GET", "/api/connector-types/my-crm").json().at("versions").as_array().size(), 3u);
  EXPECT_EQ(call("PUT", "/api/connector-types/my-crm",
                 json::object{{"configSchema", deprecated}, {"version", "banana"}})
                .status,
            400);
  auto builtin_caps = call("GET", "/api/connector-types/http/capabilities").json();
  EXPECT_FALSE(builtin_caps.at("commands").as_array().empty());
}

TEST_P(ApiTest, ExternalConnectorsTakeTheirSchemaRunSignedAndReportHealth) {
  FakeUpstream service;
  service.on("GET", "/schema", FakeUpstream::Reply::json(200, R"({
    "connectionConfig": {"apiKey": {"type": "string", "required": true, "secret": true}},
    "commands": {"ping": {"params": ["n"], "paramSchema": {"n": {"type": "number"}}}}})"));
  service.on("GET", "/health", FakeUpstream::Reply::json(200, R"({"status": "ok"})"));
  service.on("POST", "/execute", FakeUpstream::Reply::json(200, R"({"success": true,
    "payload": {"pong": 1}, "variables": {"pinged": true}})"));

  auto created = call("POST", "/api/connectors",
                      json::object{{"name", "ext"},
                                   {"executionModel", "external"},
                                   {"endpointUrl", service.url()},
                                   {"config", {{"apiKey", "ext-api-key-123"}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  // No configSchema was sent: the service's /schema filled it in.
  EXPECT_TRUE(created.json().at("configSchema").at("commands").as_object().contains("ping"));
  // The generated signing secret is shown this once.
  auto secret = std::string(created.json().at("signingSecret").as_string());
  EXPECT_TRUE(secret.starts_with("pbs_"));
  auto read = call("GET", "/api/connectors/ext");
  EXPECT_EQ(json::serialize(read.json().at("signingSecret")), R"({"set":true})");
  EXPECT_EQ(read.body.find(secret), std::string::npos);
  EXPECT_FALSE(read.json().at("config").as_object().contains("$signingSecret"));

  auto run = call("POST", "/api/connectors/ext/execute",
                  json::object{{"command", "ping"}, {"params", {{"n", 2}}}});
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(run.json().at("success"), true) << run.body;
  EXPECT_EQ(run.json().at("payload").at("pong"), 1);
  auto requests = service.requests();
  ASSERT_FALSE(requests.empty());
  const auto& sent = requests.back();
  EXPECT_EQ(sent.path, "/execute");
  EXPECT_EQ(sent.header("x-patchbay-signature"),
            external::sign(secret, sent.header("x-patchbay-timestamp"), sent.body));
  auto body = json::parse(sent.body);
  EXPECT_EQ(body.at("config").at("apiKey"), "ext-api-key-123");
  EXPECT_FALSE(body.at("config").as_object().contains("$signingSecret"));

  auto health = call("GET", "/api/connectors/ext/health");
  ASSERT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(health.json().at("healthy"), true);
  EXPECT_EQ(health.json().at("body").at("status"), "ok");

  // A new secret by PUT; the masked value keeps it; config updates keep it too.
  ASSERT_EQ(call("PUT", "/api/connectors/ext",
                 json::object{{"signingSecret", "0123456789abcdef0123456789abcdef"}})
                .status,
            200);
  ASSERT_EQ(call("PUT", "/api/connectors/ext",
                 json::object{{"config", {{"apiKey", secrets::kMask}}},
                              {"signingSecret", secrets::kMask}})
                .status,
            200);
  ASSERT_EQ(call("POST", "/api/connectors/ext/execute", json::object{{"command", "ping"}}).status,
            200);
  requests = service.requests();
  const auto& again = requests.back();
  EXPECT_EQ(again.header("x-patchbay-signature"),
            external::sign("0123456789abcdef0123456789abcdef",
                           again.header("x-patchbay-timestamp"), again.body));
  EXPECT_EQ(json::parse(again.body).at("config").at("apiKey"), "ext-api-key-123");
  for (const auto& seen : seen_) {
    EXPECT_EQ(seen.find("0123456789abcdef0123456789abcdef"), std::string::npos);
  }

  auto short_secret = call("PUT", "/api/connectors/ext", json::object{{"signingSecret", "short"}});
  EXPECT_EQ(short_secret.status, 400);
  auto on_script = call("POST", "/api/connectors",
                        json::object{{"name", "s"}, {"executionModel", "script"},
                                     {"scriptSource", "async function a() {}"},
                                     {"configSchema", {{"commands", {{"a", json::object{}}}}}},
                                     {"signingSecret", "0123456789abcdef0123"}});
  EXPECT_EQ(on_script.status, 400) << on_script.body;
}

TEST_P(ApiTest, AnExternalConnectorWithoutAnySchemaIsRefusedClearly) {
  FakeUpstream service;  // no /schema: 404
  auto created = call("POST", "/api/connectors",
                      json::object{{"name", "ext"},
                                   {"executionModel", "external"},
                                   {"endpointUrl", service.url("/v1")}});
  EXPECT_EQ(created.status, 422) << created.body;
  EXPECT_NE(created.body.find("configSchema"), std::string::npos);
  EXPECT_NE(created.body.find("/v1/schema"), std::string::npos) << created.body;
  EXPECT_EQ(call("GET", "/api/connectors/ext").status, 404);

  auto unreachable = call("POST", "/api/connectors",
                          json::object{{"name", "ext"},
                                       {"executionModel", "external"},
                                       {"endpointUrl", "http://169.254.169.254"}});
  EXPECT_EQ(unreachable.status, 502) << unreachable.body;
  EXPECT_NE(unreachable.body.find("allow-list it with PATCHBAY_HTTP_ALLOW"), std::string::npos)
      << unreachable.body;
}

TEST_P(ApiTest, EverythingSurvivesARestartAndTokensWorkFromTheCli) {
  FakeUpstream crm;
  crm.set_handler([](const FakeUpstream::Request&) {
    return FakeUpstream::Reply::json(200, R"({"data": [], "total": 0})");
  });
  ASSERT_EQ(call("POST", "/api/connectors", my_crm(crm.url())).status, 201);
  auto cli_token = cli({"token", "create", "--name", "from-cli", "--role", "operator"});
  ASSERT_EQ(cli_token.exit_code, 0) << cli_token.err;
  std::string operator_token = cli_token.out.substr(0, cli_token.out.find('\n'));
  EXPECT_EQ(call("GET", "/api/connectors", nullptr, operator_token).status, 200);

  ASSERT_EQ(server_->stop(), 0);
  start();
  ASSERT_TRUE(server_->running());
  EXPECT_TRUE(server_->admin_token().empty()) << "a second start must not mint another admin token";
  auto run = call("POST", "/api/connectors/my-crm/execute",
                  json::object{{"command", "listContacts"}}, operator_token);
  EXPECT_EQ(run.json().at("success"), true) << run.body;

  auto revoked = cli({"token", "revoke", "from-cli"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // the server's token cache
  EXPECT_EQ(call("GET", "/api/connectors", nullptr, operator_token).status, 401);
  auto listed = cli({"token", "list", "--json"});
  EXPECT_NE(listed.out.find("from-cli"), std::string::npos);
  EXPECT_EQ(listed.out.find("pb_"), std::string::npos) << "token values are never listed";
}

TEST_P(ApiTest, KillDuringABurstOfWritesLosesNothingCommitted) {
  std::atomic<bool> go{true};
  std::mutex mutex;
  std::vector<std::string> committed;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; go && i < 1000; ++i) {
        std::string name = "burst-" + std::to_string(w) + "-" + std::to_string(i);
        HttpCall request{.method = "POST",
                         .target = "/api/connectors",
                         .body = json::serialize(json::object{
                             {"name", name}, {"type", "delay"}, {"executionModel", "built_in"}}),
                         .token = token_};
        auto reply = test::http_call(server_->port(), request);
        if (reply.status == 201) {
          std::lock_guard lock(mutex);
          committed.push_back(name);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  server_->kill();
  go = false;
  for (auto& writer : writers) writer.join();
  ASSERT_GT(committed.size(), 10u);

  start();
  ASSERT_TRUE(server_->running());
  auto all = call("GET", "/api/connectors").json().as_array();
  std::set<std::string> present;
  for (const auto& connector : all) present.insert(std::string(connector.at("name").as_string()));
  for (const auto& name : committed) EXPECT_TRUE(present.contains(name)) << name;
}

TEST_P(ApiTest, ShutdownLetsInFlightExecutionsFinish) {
  ASSERT_EQ(call("POST", "/api/connectors",
                 json::object{{"name", "wait"}, {"type", "delay"}, {"executionModel", "built_in"}})
                .status,
            201);
  HttpReply slow;
  std::thread caller([&] {
    slow = call("POST", "/api/connectors/wait/execute",
                json::object{{"command", "wait"}, {"params", {{"delayMs", 800}}}});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(server_->stop(), 0);
  caller.join();
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.json().at("success"), true) << slow.body;
}

TEST_P(ApiTest, MetricsCountRequestsAndExecutions) {
  ASSERT_EQ(call("POST", "/api/connectors/sample-script/test").status, 200);
  auto metrics = call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(
      metrics.body.find(
          R"(patchbay_executions_total{connector="sample-script",command="test",outcome="success"} 1)"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("patchbay_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("patchbay_http_client_retries_total"), std::string::npos);
}

TEST_P(ApiTest, RotateKeyResealsEverySecretAndARestartedServerOpensThem) {
  FakeUpstream crm;
  crm.set_handler([](const FakeUpstream::Request& request) {
    bool ok = request.header("authorization") == std::string("Bearer ") + kApiKey;
    return FakeUpstream::Reply::json(ok ? 200 : 401, R"({"data": [], "total": 0})");
  });
  ASSERT_EQ(call("POST", "/api/connectors", my_crm(crm.url())).status, 201);
  ASSERT_EQ(server_->stop(), 0);
  auto data = dir_.path() / "data";
  auto old_key = read_file(data / "master.key");

  auto rotated = cli({"rotate-key"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("re-sealed 1 secret value(s) in 1 connector(s)"), std::string::npos)
      << rotated.out;
  EXPECT_EQ(read_file(data / "master.key.previous"), old_key);
  EXPECT_FALSE(std::filesystem::exists(data / "master.key.next"));
  EXPECT_NE(read_file(data / "master.key"), old_key);

  start();
  ASSERT_TRUE(server_->running());
  auto run =
      call("POST", "/api/connectors/my-crm/execute", json::object{{"command", "listContacts"}});
  EXPECT_EQ(run.json().at("success"), true) << run.body;
  // Rotating again with nothing left under the old key re-seals everything once more.
  ASSERT_EQ(server_->stop(), 0);
  auto again = cli({"rotate-key"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("re-sealed 1 secret value(s)"), std::string::npos) << again.out;
}

TEST_P(ApiTest, OptionsComeFromTheConfigFileUnlessTheCommandLineSaysOtherwise) {
  ASSERT_EQ(server_->stop(), 0);
  auto config = dir_.path() / "patchbay.toml";
  {
    std::ofstream out(config);
    out << "# patchbay serve options\nmax-body-bytes = 2048\nworkers = 4\n";
  }
  start({"--config", config.string()});
  ASSERT_TRUE(server_->running());
  std::string body = R"({"name": ")" + std::string(3000, 'x') + R"("})";
  HttpCall request{.method = "POST", .target = "/api/tokens", .body = body, .token = token_};
  EXPECT_EQ(test::http_call(server_->port(), request).status, 413);
  ASSERT_EQ(server_->stop(), 0);

  start({"--config", config.string(), "--max-body-bytes", "65536"});
  ASSERT_TRUE(server_->running());
  request.target = "/api/connectors";  // not a definition: read, then refused
  EXPECT_EQ(test::http_call(server_->port(), request).status, 400);

  {
    std::ofstream out(config);
    out << "max_body_bytes = 2048\nlisten-somewhere = true\n";
  }
  auto refused = test::run_process({PATCHBAY_BINARY, "serve", "--config", config.string()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("unknown key 'listen-somewhere'"), std::string::npos) << refused.err;
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiTest, ::testing::Values("Sqlite", "Postgres"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace patchbay
