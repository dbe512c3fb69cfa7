#include "core/connector_definition.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "support/files.hpp"

namespace patchbay::core {
namespace {

namespace fs = std::filesystem;

json::value load_case(const std::string& name) {
  auto parsed =
      parse_json(test::read_text(fs::path(PATCHBAY_TEST_CASES_DIR) / "definitions" / name));
  EXPECT_TRUE(parsed.has_value()) << name;
  return parsed ? *parsed : json::value();
}

std::vector<FieldError> errors_of(const char* text) {
  auto json = parse_json(text);
  EXPECT_TRUE(json.has_value()) << text;
  auto parsed = parse_connector_definition(*json);
  EXPECT_FALSE(parsed.has_value()) << text;
  return parsed ? std::vector<FieldError>{} : parsed.error().field_errors();
}

bool has_error(const std::vector<FieldError>& errors, const std::string& path,
               const std::string& fragment) {
  for (const auto& e : errors) {
    if (e.path == path && e.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

std::string describe(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.path + ": " + e.message + "\n";
  return out;
}

class SeedExampleTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SeedExampleTest, RoundTripsThroughTheModel) {
  json::value original = load_case(GetParam());
  auto parsed = parse_connector_definition(original);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(json::value(to_json(*parsed)), original) << json_pretty(to_json(*parsed));
}

INSTANTIATE_TEST_SUITE_P(Seed001, SeedExampleTest,
                         ::testing::Values("seed_script_connector.json", "seed_deprecation.json",
                                           "seed_external_connector.json",
                                           "seed_builtin_instance.json"));

TEST(ConnectorDefinitionTest, ReadsTheSeedScriptExample) {
  auto parsed = parse_connector_definition(load_case("seed_script_connector.json"));
  ASSERT_TRUE(parsed.has_value());
  const auto& def = *parsed;
  EXPECT_EQ(def.execution_model, ExecutionModel::Script);
  EXPECT_EQ(def.tags, (std::vector<std::string>{"sales", "contacts"}));
  ASSERT_EQ(def.config_schema.commands.size(), 3u);
  EXPECT_EQ(def.config_schema.commands[0].name, "listContacts");
  const auto* limit = def.config_schema.commands[0].find_param_spec("limit");
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->type, FieldType::Number);
  EXPECT_EQ(*limit->default_value, 50);
  const auto* api_key = def.config_schema.find_connection_field("apiKey");
  ASSERT_NE(api_key, nullptr);
  EXPECT_TRUE(api_key->secret);
  EXPECT_TRUE(api_key->required);
  EXPECT_EQ(def.config_schema.commands[2].outputs, std::vector<std::string>{});
  EXPECT_FALSE(def.config_schema.commands[1].outputs->empty());
}

TEST(ConnectorDefinitionTest, ReportsEveryProblemWithItsPath) {
  auto errors = errors_of(R"({
    "name": "bad name!",
    "version": "1.0",
    "executionModel": "script",
    "tags": ["ok", 3],
    "configSchema": {
      "connectionConfig": {"apiKey": {"type": "strnig", "requried": true}},
      "commands": {
        "list": {"params": ["limit", "limit"], "paramSchema": {"limit": {"type": "number", "default": "x"}}},
        "2bad": {"params": [], "outputs": "all"}
      }
    }
  })");
  EXPECT_TRUE(has_error(errors, "tags[1]", "must be a string")) << describe(errors);
  EXPECT_TRUE(
      has_error(errors, "configSchema.connectionConfig.apiKey.type", "unknown type 'strnig'"))
      << describe(errors);
  EXPECT_TRUE(has_error(errors, "configSchema.connectionConfig.apiKey.requried", "unknown key"))
      << describe(errors);
  EXPECT_TRUE(has_error(errors, "configSchema.commands.list.paramSchema.limit.default",
                        "expected number, got string \"x\""))
      << describe(errors);
  EXPECT_TRUE(
      has_error(errors, "configSchema.commands.2bad.outputs", "must be an array of strings"))
      << describe(errors);
}

TEST(ConnectorDefinitionTest, ChecksSemanticsOnceTheShapeIsRight) {
  auto errors = errors_of(R"({
    "name": "bad name!",
    "version": "1.0",
    "executionModel": "script",
    "defaultCommand": "missing",
    "configSchema": {
      "commands": {
        "list": {"params": ["limit", "limit", "command"], "paramSchema": {"other": {"type": "number"}}},
        "2bad": {"params": [], "addedInVersion": "one"}
      }
    }
  })");
  EXPECT_TRUE(has_error(errors, "name", "must be 1-100 characters")) << describe(errors);
  EXPECT_TRUE(has_error(errors, "version", "needs three numeric parts")) << describe(errors);
  EXPECT_TRUE(has_error(errors, "scriptSource", "is required for script connectors"))
      << describe(errors);
  EXPECT_TRUE(
      has_error(errors, "defaultCommand", "'missing' is not one of the commands: list, 2bad"))
      << describe(errors);
  EXPECT_TRUE(has_error(errors, "configSchema.commands.list.params[1]", "'limit' is listed twice"))
      << describe(errors);
  EXPECT_TRUE(has_error(errors, "configSchema.commands.list.params[2]", "'command' is reserved"))
      << describe(errors);
  EXPECT_TRUE(has_error(errors, "configSchema.commands.list.paramSchema.other",
                        "'other' is not listed in params"))
      << describe(errors);
  EXPECT_TRUE(has_error(errors, "configSchema.commands.2bad", "must be identifiers"))
      << describe(errors);
  EXPECT_TRUE(has_error(errors, "configSchema.commands.2bad.addedInVersion", "invalid version"))
      << describe(errors);
}

TEST(ConnectorDefinitionTest, RequiresWhatEachExecutionModelNeeds) {
  EXPECT_TRUE(has_error(errors_of(R"({"name": "x", "executionModel": "built_in"})"), "type",
                        "is required for built_in"));
  EXPECT_TRUE(has_error(errors_of(R"({"name": "x", "executionModel": "external"})"), "endpointUrl",
                        "is required"));
  EXPECT_TRUE(has_error(
      errors_of(R"({"name": "x", "executionModel": "external", "endpointUrl": "ftp://h/x"})"),
      "endpointUrl", "must use http or https"));
  EXPECT_TRUE(has_error(
      errors_of(R"({"name": "x", "executionModel": "external", "endpointUrl": "https://u:p@h/"})"),
      "endpointUrl", "must not carry credentials"));
  EXPECT_TRUE(has_error(errors_of(R"({"name": "x"})"), "executionModel", "is required"));
  EXPECT_TRUE(has_error(errors_of(R"({"name": "x", "executionModel": "wasm"})"), "executionModel",
                        "must be built_in, script, oas or external"));
  EXPECT_TRUE(has_error(errors_of(R"([1, 2])"), "", "must be a JSON object"));
}

TEST(ConnectorDefinitionTest, RejectsUnknownKeysSoTyposAreNotSilentlyIgnored) {
  auto errors = errors_of(R"({"name": "x", "type": "x", "executionModel": "built_in",
                              "execution_model": "script",
                              "configSchema": {"command": {}}})");
  EXPECT_TRUE(has_error(errors, "execution_model", "unknown key")) << describe(errors);
  EXPECT_TRUE(has_error(errors, "configSchema.command", "unknown key")) << describe(errors);
}

TEST(ConnectorDefinitionTest, DefaultsVersionAndDerivesParamsFromParamSchema) {
  auto parsed = parse_connector_definition(*parse_json(R"({
    "name": "x", "type": "x", "executionModel": "built_in",
    "configSchema": {"commands": {"run": {"paramSchema": {"a": {"type": "string"}}}}}})"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->version, "1.0.0");
  EXPECT_EQ(parsed->config_schema.commands[0].params, std::vector<std::string>{"a"});
}

TEST(ConnectorDefinitionTest, LegacyCommandlessTypesCarryAnEmptySchema) {
  ConnectorDefinition def;
  def.name = def.type = "delay";
  def.legacy_commandless_ui = true;
  def.config_schema.commands.push_back(CommandSpec{.name = "wait"});
  EXPECT_TRUE(type_row_schema(def).empty());
  def.legacy_commandless_ui = false;
  EXPECT_TRUE(type_row_schema(def).contains("commands"));
}

}  // namespace
}  // namespace patchbay::core
