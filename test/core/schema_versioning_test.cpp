#include "core/schema_versioning.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"

namespace patchbay::core {
namespace {

ConfigSchema schema(const char* text) {
  auto json = parse_json(text);
  EXPECT_TRUE(json.has_value()) << text;
  auto parsed = parse_config_schema(*json);
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : ConfigSchema{};
}

Semver v(const char* text) { return *Semver::parse(text); }

// The base every rule test changes one thing of.
constexpr const char* kBase = R"({
  "connectionConfig": {
    "baseUrl": {"type": "string", "required": true},
    "region": {"type": "string"}
  },
  "commands": {
    "listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                  "paramSchema": {"limit": {"type": "number", "default": 50}}},
    "getUser": {"params": ["id"], "outputs": ["user"],
                "paramSchema": {"id": {"type": "string", "required": true}}}
  }
})";

struct Rule {
  const char* name;
  const char* changed;
  Bump expected;
  const char* reason;
};

class SchemaVersioningRuleTest : public ::testing::TestWithParam<Rule> {};

TEST_P(SchemaVersioningRuleTest, RequiresTheSeedsBump) {
  const Rule& rule = GetParam();
  SchemaDiff d = diff(schema(kBase), schema(rule.changed));
  EXPECT_EQ(d.required(), rule.expected) << rule.name;
  auto reasons = d.reasons_for(rule.expected);
  ASSERT_EQ(reasons.size(), 1u) << rule.name;
  EXPECT_EQ(reasons.front(), rule.reason);
}

// One case per rule of seed 001's "Versioning" list, then patchbay's additions.
INSTANTIATE_TEST_SUITE_P(
    SeedRules, SchemaVersioningRuleTest,
    ::testing::Values(
        Rule{"MajorRemovedCommand", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}}}})",
             Bump::Major, "removed command 'getUser'"},
        Rule{"MajorRemovedParam", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"}},
          "commands": {"listUsers": {"params": [], "outputs": ["users", "total"]},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Major, "removed param 'limit' from command 'listUsers'"},
        Rule{"MajorNewParamWithoutDefault", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"}},
          "commands": {"listUsers": {"params": ["limit", "cursor"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}, "cursor": {"type": "string"}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Major, "new param 'cursor' of command 'listUsers' without a default"},
        Rule{"MajorRemovedOutput", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Major, "removed output 'total' from command 'listUsers'"},
        Rule{"MajorRemovedConnectionField", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Major, "removed connection-config field 'region'"},
        Rule{"MajorNewRequiredConnectionField", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"},
                               "apiKey": {"type": "string", "required": true, "secret": true}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Major, "new required connection-config field 'apiKey'"},
        Rule{"MinorNewCommand", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}},
                       "deleteUser": {"params": ["id"]}}})",
             Bump::Minor, "new command 'deleteUser'"},
        Rule{"MinorNewParamWithDefault", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"}},
          "commands": {"listUsers": {"params": ["limit", "order"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50},
                                       "order": {"type": "string", "default": "asc"}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Minor, "new param 'order' of command 'listUsers' with a default"},
        Rule{"MinorNewOutput", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total", "nextCursor"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Minor, "new output 'nextCursor' on command 'listUsers'"},
        Rule{"MinorNewOptionalConnectionField", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"},
                               "timeoutMs": {"type": "number"}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Minor, "new optional connection-config field 'timeoutMs'"},
        Rule{"MajorExistingFieldBecomesRequired", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true},
                               "region": {"type": "string", "required": true}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Major, "connection-config field 'region' became required"},
        Rule{"MajorParamChangesType", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "string", "default": "50"}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Major,
             "param 'limit' of command 'listUsers' changed type from number to string"},
        Rule{"PatchDescriptionOnly", R"({
          "connectionConfig": {"baseUrl": {"type": "string", "required": true, "description": "Base"},
                               "region": {"type": "string"}},
          "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                       "paramSchema": {"limit": {"type": "number", "default": 50}}},
                       "getUser": {"params": ["id"], "outputs": ["user"],
                                   "paramSchema": {"id": {"type": "string", "required": true}}}}})",
             Bump::Patch,
             "connection-config field 'baseUrl' changed its description or constraints"}),
    [](const auto& rule) { return std::string(rule.param.name); });

TEST(SchemaVersioningTest, IdenticalSchemasNeedNoBump) {
  EXPECT_EQ(diff(schema(kBase), schema(kBase)).required(), Bump::None);
  EXPECT_TRUE(diff(schema(kBase), schema(kBase)).changes.empty());
}

TEST(SchemaVersioningTest, RejectsPatchBumpOnBreakingChangeWithSuggestedVersion) {
  SchemaDiff d = diff(schema(kBase), schema(R"({"commands": {}})"));
  ASSERT_EQ(d.required(), Bump::Major);
  auto result = validate_bump(v("1.4.2"), v("1.4.3"), d);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::Conflict);
  EXPECT_NE(result.error().message.find("below the floor 2.0.0"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("removed command 'listUsers'"), std::string::npos);
  EXPECT_EQ(result.error().details.at("suggestedVersion"), "2.0.0");
  EXPECT_EQ(result.error().details.at("requiredBump"), "major");
}

TEST(SchemaVersioningTest, AcceptsBumpsAtOrAboveTheFloor) {
  SchemaDiff minor = diff(schema(kBase), schema(R"({
      "connectionConfig": {"baseUrl": {"type": "string", "required": true}, "region": {"type": "string"},
                           "x": {"type": "string"}},
      "commands": {"listUsers": {"params": ["limit"], "outputs": ["users", "total"],
                   "paramSchema": {"limit": {"type": "number", "default": 50}}},
                   "getUser": {"params": ["id"], "outputs": ["user"],
                               "paramSchema": {"id": {"type": "string", "required": true}}}}})"));
  ASSERT_EQ(minor.required(), Bump::Minor);
  EXPECT_TRUE(validate_bump(v("1.4.2"), v("1.5.0"), minor).has_value());
  EXPECT_TRUE(validate_bump(v("1.4.2"), v("2.0.0"), minor).has_value());
  EXPECT_FALSE(validate_bump(v("1.4.2"), v("1.4.3"), minor).has_value());
}

TEST(SchemaVersioningTest, UnchangedSchemaMayKeepItsVersionButNeverGoDown) {
  SchemaDiff none = diff(schema(kBase), schema(kBase));
  EXPECT_TRUE(validate_bump(v("1.4.2"), v("1.4.2"), none).has_value());
  auto down = validate_bump(v("1.4.2"), v("1.4.1"), none);
  ASSERT_FALSE(down.has_value());
  EXPECT_NE(down.error().message.find("versions never go down"), std::string::npos);
}

TEST(SchemaVersioningTest, AutoBumpComputesTheFloor) {
  EXPECT_EQ(auto_bump(v("1.4.2"), diff(schema(kBase), schema(R"({"commands": {}})"))).to_string(),
            "2.0.0");
  EXPECT_EQ(auto_bump(v("1.4.2"), diff(schema(kBase), schema(kBase))).to_string(), "1.4.2");
}

}  // namespace
}  // namespace patchbay::core
