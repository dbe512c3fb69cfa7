// Seed 001's script connector example and the sample-script connector, run
// unchanged through the dispatcher with script handlers attached.

#include <filesystem>

#include <gtest/gtest.h>

#include "connectors/seeds/seeds.hpp"
#include "core/json.hpp"
#include "dispatch/dispatch.hpp"
#include "script/script.hpp"
#include "support/fake_upstream.hpp"
#include "support/files.hpp"
#include "support/recording_logger.hpp"

namespace patchbay::script {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using test::FakeUpstream;

core::ConnectorDefinition seed_crm() {
  auto json = core::parse_json(test::read_text(fs::path(PATCHBAY_TEST_CASES_DIR) /
                                               "definitions/seed_script_connector.json"));
  json->as_object()["scriptSource"] =
      test::read_text(fs::path(PATCHBAY_TEST_CASES_DIR) / "scripts/seed_my_crm.js");
  auto def = core::parse_connector_definition(*json);
  EXPECT_TRUE(def.has_value());
  attach_script_handlers(*def);
  return std::move(*def);
}

core::ConnectorContext context(json::object config, json::object connection = {}) {
  core::ConnectorContext ctx;
  ctx.config = std::move(config);
  ctx.connector_config = std::move(connection);
  ctx.step_id = "step-1";
  ctx.run_id = "run-1";
  return ctx;
}

class SeedCrmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_.set_handler([](const FakeUpstream::Request& r) {
      if (r.header("authorization") != "Bearer sk-live")
        return FakeUpstream::Reply::json(401, "{}");
      if (r.method == "GET" && r.path == "/api/contacts") {
        return FakeUpstream::Reply::json(200,
                                         R"({"data": [{"id": "c1"}, {"id": "c2"}], "total": 2})");
      }
      if (r.method == "POST" && r.path == "/api/contacts")
        return FakeUpstream::Reply::json(201, R"({"id": "c3"})");
      if (r.path == "/api/health") return FakeUpstream::Reply::json(200, R"({"ok": true})");
      return FakeUpstream::Reply::json(404, "{}");
    });
  }
  json::object connection(std::string key = "sk-live") {
    return {{"baseUrl", upstream_.url()}, {"apiKey", std::move(key)}};
  }
  FakeUpstream upstream_;
  core::ConnectorDefinition def_ = seed_crm();
};

TEST_F(SeedCrmTest, ListContactsUsesDefaultsAndFillsBothSlots) {
  auto result =
      dispatch::execute_definition(def_, context({{"command", "listContacts"}}, connection()));
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(*result.payload,
            *core::parse_json(R"({"contacts": [{"id": "c1"}, {"id": "c2"}], "total": 2})"));
  EXPECT_EQ(result.variables->at("contactCount"), 2);
  EXPECT_EQ(upstream_.requests().at(0).target, "/api/contacts?limit=50&offset=0");
}

TEST_F(SeedCrmTest, CreateContactPostsJson) {
  auto result = dispatch::execute_definition(def_, context({{"command", "createContact"},
                                                            {"email", "a@example.com"},
                                                            {"firstName", "Ada"},
                                                            {"lastName", "L"}},
                                                           connection()));
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(result.payload->at("contactId"), "c3");
  auto request = upstream_.requests().at(0);
  EXPECT_EQ(
      *core::parse_json(request.body),
      *core::parse_json(R"({"email": "a@example.com", "first_name": "Ada", "last_name": "L"})"));
}

TEST_F(SeedCrmTest, TestCommandAndUpstreamErrors) {
  EXPECT_TRUE(
      dispatch::execute_definition(def_, context({{"command", "test"}}, connection())).success);
  auto refused = dispatch::execute_definition(
      def_, context({{"command", "listContacts"}}, connection("wrong")));
  EXPECT_FALSE(refused.success);
  EXPECT_EQ(refused.error, "API returned 401");
}

TEST_F(SeedCrmTest, RequiredConnectionFieldsAreCheckedFirst) {
  auto result = dispatch::execute_definition(def_, context({{"command", "test"}}));
  EXPECT_EQ(result.error, "Missing required field(s): baseUrl, apiKey");
  EXPECT_TRUE(upstream_.requests().empty());
}

class SampleScriptTest : public ::testing::Test {
 protected:
  SampleScriptTest() { attach_script_handlers(def_); }
  core::ConnectorResult run(json::object config, json::object connection = {}) {
    return dispatch::execute_definition(def_, context(std::move(config), std::move(connection)),
                                        logger_);
  }
  core::ConnectorDefinition def_ = connectors::sample_script_connector();
  test::RecordingLogger logger_;
};

TEST_F(SampleScriptTest, TestReportsVersionAndCount) {
  auto result = run({{"command", "test"}}, {{"version", "2.1.0"}});
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(*result.payload, *core::parse_json(R"({"version": "2.1.0", "employeeCount": 5})"));
  EXPECT_EQ(logger_.at_level(core::LogLevel::Info).at(0).message, "sample-script test command");
}

TEST_F(SampleScriptTest, LookupEmployeeByIdOrEmail) {
  auto by_email = run({{"command", "lookupEmployee"}, {"email", "GRACE@example.com"}});
  ASSERT_TRUE(by_email.success);
  EXPECT_EQ(by_email.payload->at("id"), "e-101");
  EXPECT_EQ(by_email.variables->at("employeeId"), "e-101");
  auto missing = run({{"command", "lookupEmployee"}, {"id", "e-999"}});
  EXPECT_FALSE(missing.success);
  EXPECT_EQ(missing.error, "Employee not found");
  auto neither = run({{"command", "lookupEmployee"}});
  EXPECT_EQ(neither.error, "lookupEmployee needs an id or an email");
}

TEST_F(SampleScriptTest, ListEmployeesFiltersAndLimits) {
  auto result = run({{"command", "listEmployees"}, {"department", "research"}, {"limit", "1"}});
  ASSERT_TRUE(result.success);
  EXPECT_EQ(result.payload->at("total"), 1);
  EXPECT_EQ(result.payload->at("employees").at(0).at("id"), "e-102");
  auto bad = run({{"command", "listEmployees"}, {"department", "sales"}});
  EXPECT_FALSE(bad.success);  // paramSchema select, checked before the script runs
}

TEST_F(SampleScriptTest, CreateEmployeeValidates) {
  auto created =
      run({{"command", "createEmployee"}, {"name", "Joan Clarke"}, {"email", "joan@example.com"}});
  ASSERT_TRUE(created.success);
  EXPECT_EQ(created.payload->at("simulated"), true);
  auto invalid = run({{"command", "createEmployee"}, {"email", "ada@example.com"}});
  EXPECT_FALSE(invalid.success);
  EXPECT_EQ(invalid.error, "Invalid employee: name is required; email is already taken");
  EXPECT_EQ(invalid.diagnostics->at("problems").as_array().size(), 2u);
}

TEST_F(SampleScriptTest, EchoReturnsItsInputs) {
  core::ConnectorContext ctx = context({{"command", "echo"}, {"x", 1}}, {{"version", "1"}});
  ctx.variables = {{"userCount", 4}};
  auto result = dispatch::execute_definition(def_, ctx);
  ASSERT_TRUE(result.success);
  EXPECT_EQ(
      *result.payload,
      *core::parse_json(
          R"({"params": {"x": 1}, "config": {"version": "1"}, "variables": {"userCount": 4}})"));
}

TEST_F(SampleScriptTest, SecretsNeverReachTheLog) {
  auto def = def_;
  def.config_schema.commands.push_back(core::CommandSpec{.name = "leak"});
  def.script_source += "\nfunction leak() { floh.log.warn('key=' + floh.config.apiKey); }\n";
  attach_script_handlers(def);
  (void)dispatch::execute_definition(
      def, context({{"command", "leak"}}, {{"apiKey", "sk-very-secret"}}), logger_);
  auto warnings = logger_.at_level(core::LogLevel::Warn);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].message, "key=[redacted]");
}

TEST(ScriptConnectorLimitsTest, TheDefinitionsOwnLimitsApply) {
  auto json = core::parse_json(R"({"name": "slow", "executionModel": "script",
      "scriptSource": "function spin() { for (;;) {} }",
      "limits": {"wallTimeMs": 100, "heapMiB": 16},
      "configSchema": {"commands": {"spin": {"params": []}}}})");
  auto def = core::parse_connector_definition(*json);
  ASSERT_TRUE(def.has_value()) << def.error().message;
  EXPECT_EQ(json::value(core::to_json(*def)).at("limits"),
            (json::object{{"wallTimeMs", 100}, {"heapMiB", 16}}));
  attach_script_handlers(*def);
  auto result = dispatch::execute_definition(*def, context({{"command", "spin"}}));
  EXPECT_EQ(result.error, "Script stopped: wall time limit of 100 ms reached");
}

TEST(ScriptConnectorLimitsTest, OutOfRangeLimitsAreRejectedWithTheirPath) {
  auto json = core::parse_json(R"({"name": "x", "executionModel": "script", "scriptSource": "1",
      "limits": {"wallTimeMs": 0, "heapMiB": 2.5, "maxHttp": 1}})");
  auto def = core::parse_connector_definition(*json);
  ASSERT_FALSE(def.has_value());
  std::string all;
  for (const auto& e : def.error().field_errors()) all += e.path + ": " + e.message + "\n";
  EXPECT_NE(all.find("limits.wallTimeMs: must be an integer from 1 to 300000"), std::string::npos)
      << all;
  EXPECT_NE(all.find("limits.heapMiB: must be an integer from 1 to 1024"), std::string::npos)
      << all;
  EXPECT_NE(all.find("limits.maxHttp: unknown key"), std::string::npos) << all;
}

}  // namespace
}  // namespace patchbay::script
