#include "dispatch/dispatch.hpp"

#include <gtest/gtest.h>

#include "dispatch/fixture_connector.hpp"
#include "support/recording_logger.hpp"

namespace patchbay::dispatch {
namespace {

namespace json = boost::json;

const core::ConnectorDefinition& fixture() {
  static const core::ConnectorDefinition def = test::make_fixture();
  return def;
}

core::ConnectorContext context(json::object config) {
  core::ConnectorContext ctx;
  ctx.config = std::move(config);
  ctx.connector_config = {{"baseUrl", "https://api.example.com"}, {"apiKey", "k"}};
  ctx.step_id = "step-1";
  ctx.run_id = "run-1";
  return ctx;
}

TEST(DispatchTest, FixtureIsAValidDefinition) {
  EXPECT_TRUE(core::validate_definition(fixture()).empty());
}

TEST(DispatchTest, RunsTheDefaultCommandWhenConfigHasNone) {
  auto result = execute_definition(fixture(), context({{"limit", "5"}}));
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(result.payload->at("typedLimit"), 5.0);
  EXPECT_EQ(result.payload->at("typedBaseUrl"), "https://api.example.com");
  EXPECT_EQ(result.payload->at("params").at("limit"), 5);        // "5" coerced to the number 5
  EXPECT_EQ(result.payload->at("connection").at("retries"), 2);  // connection default applied
}

TEST(DispatchTest, LogsAStructuredWarningWhenADeprecatedCommandRuns) {
  test::RecordingLogger logger;
  auto result = execute_definition(fixture(), context({{"command", "legacyList"}}), logger);
  EXPECT_TRUE(result.success);
  auto warnings = logger.at_level(core::LogLevel::Warn);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].fields.at("event"), "deprecated_command");
  EXPECT_EQ(warnings[0].fields.at("command"), "legacyList");
  EXPECT_EQ(warnings[0].fields.at("deprecatedMessage"), "Use echo instead");
  EXPECT_EQ(warnings[0].fields.at("runId"), "run-1");
}

TEST(DispatchTest, NonDeprecatedCommandsLogNoWarning) {
  test::RecordingLogger logger;
  (void)execute_definition(fixture(), context({{"command", "echo"}}), logger);
  EXPECT_TRUE(logger.at_level(core::LogLevel::Warn).empty());
}

TEST(DispatchTest, DebugLineRecordsTheOutcome) {
  test::RecordingLogger logger;
  (void)execute_definition(fixture(), context({{"command", "throwPlain"}}), logger);
  auto debug = logger.at_level(core::LogLevel::Debug);
  ASSERT_EQ(debug.size(), 1u);
  EXPECT_EQ(debug[0].fields.at("success"), false);
  EXPECT_EQ(debug[0].fields.at("connector"), "fixture");
}

TEST(DispatchTest, ErrorMapThatThrowsFallsBackToTheOriginalMessage) {
  auto def = test::make_fixture();
  def.error_map = [](const std::exception&) -> std::optional<core::Failure> {
    throw std::logic_error("mapper broke");
  };
  auto result = execute_definition(def, context({{"command", "throwPlain"}}));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "boom (and errorMap threw: mapper broke)");
}

TEST(DispatchTest, CommandWithoutHandlerFailsClearly) {
  auto def = test::make_fixture();
  def.execution_model = core::ExecutionModel::External;
  def.config_schema.commands[0].handler = nullptr;
  auto result = execute_definition(def, context({{"command", "echo"}}));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error,
            "Connector 'fixture' (external) cannot run command 'echo' in this process: no "
            "handler is attached");
}

}  // namespace
}  // namespace patchbay::dispatch
