#include "connectors/define/define_connector.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "dispatch/dispatch.hpp"

namespace patchbay::connectors {
namespace {

struct WidgetConnection {
  std::string baseUrl;
  std::string apiKey;
};
BOOST_DESCRIBE_STRUCT(WidgetConnection, (), (baseUrl, apiKey))

struct ListParams {
  std::int64_t limit = 0;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(ListParams, (), (limit, cursor))

using ListCall = Call<ListParams, WidgetConnection>;

core::ConnectorDefinition make_widget() {
  return define_connector({
      .name = "widget",
      .version = "1.2.0",
      .description = "Widget platform connector.",
      .category = "crm",
      .tags = {"demo"},
      .connection = {t::string("baseUrl").required().describe("API base URL."),
                     t::secret("apiKey").required().describe("API key.")},
      .commands = {define_command<ListParams, WidgetConnection>(
          "listWidgets",
          {
              .description = "List widgets.",
              .params = {t::integer("limit").default_to(50).min(1), t::string("cursor")},
              .outputs = {{"widgets", "total"}},
              .handler = [](const ListCall& call) -> CommandOutcome {
                return succeed(
                    {.payload = json::object{{"limit", call.params.limit},
                                             {"hasCursor", call.params.cursor.has_value()},
                                             {"auth", "Bearer " + call.connection.apiKey}}});
              },
          })},
  });
}

TEST(DefineConnectorTest, BuildsTheSeedShapedDefinition) {
  auto def = make_widget();
  EXPECT_TRUE(core::validate_definition(def).empty());
  auto expected = core::parse_json(R"({
    "name": "widget", "type": "widget", "description": "Widget platform connector.",
    "version": "1.2.0", "executionModel": "built_in", "category": "crm", "tags": ["demo"],
    "status": "stable",
    "configSchema": {
      "connectionConfig": {
        "baseUrl": {"type": "string", "required": true, "description": "API base URL."},
        "apiKey": {"type": "string", "required": true, "secret": true, "description": "API key."}
      },
      "commands": {
        "listWidgets": {
          "params": ["limit", "cursor"], "description": "List widgets.",
          "outputs": ["widgets", "total"],
          "paramSchema": {"limit": {"type": "integer", "default": 50, "minimum": 1},
                          "cursor": {"type": "string"}}
        }
      }
    }
  })");
  EXPECT_EQ(json::value(core::to_json(def)), *expected) << core::json_pretty(core::to_json(def));
}

TEST(DefineConnectorTest, HandlersSeeTypedParamsAndConnection) {
  core::ConnectorContext ctx;
  ctx.config = {{"command", "listWidgets"}, {"cursor", "abc"}};
  ctx.connector_config = {{"baseUrl", "https://w.example"}, {"apiKey", "sk-1"}};
  auto result = dispatch::execute_definition(make_widget(), ctx);
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(result.payload->at("limit"), 50);
  EXPECT_EQ(result.payload->at("hasCursor"), true);
  EXPECT_EQ(result.payload->at("auth"), "Bearer sk-1");
}

TEST(DefineConnectorTest, AStructThatDoesNotFitTheSchemaFailsClearly) {
  // `limit` is declared optional in the schema but required by the struct.
  auto def = make_widget();
  def.config_schema.commands[0].param_schema[0].default_value.reset();
  core::ConnectorContext ctx;
  ctx.config = {{"command", "listWidgets"}};
  ctx.connector_config = {{"baseUrl", "https://w.example"}, {"apiKey", "sk-1"}};
  auto result = dispatch::execute_definition(def, ctx);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error,
            "Command 'listWidgets': params do not fit the handler's Params: limit: required but "
            "absent");
}

TEST(DefineConnectorTest, FieldBuildersCarryTheirSpecs) {
  core::FieldSpec mode = t::select("mode", {"a", "b"}).default_to("a").label("Mode");
  EXPECT_EQ(mode.type, core::FieldType::Select);
  EXPECT_EQ(mode.options.size(), 2u);
  EXPECT_EQ(*mode.default_value, "a");
  EXPECT_EQ(mode.label, "Mode");
  core::FieldSpec key = t::secret("apiKey").required();
  EXPECT_TRUE(key.secret);
  EXPECT_TRUE(key.required);
  EXPECT_EQ(key.type, core::FieldType::String);
  core::FieldSpec when = t::date("since");
  EXPECT_EQ(when.type, core::FieldType::Date);
  core::FieldSpec anything = t::raw("body");
  EXPECT_EQ(anything.type, core::FieldType::Raw);
  core::FieldSpec ratio = t::number("ratio").default_to(2.0);
  EXPECT_EQ(json::serialize(*ratio.default_value), "2");
}

}  // namespace
}  // namespace patchbay::connectors
