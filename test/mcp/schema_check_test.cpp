// check_against_schema: the subset of JSON Schema the tools' inputSchemas use,
// and that every published schema is one it understands.

#include "mcp/schema_check.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "mcp/tools.hpp"

namespace patchbay::mcp {
namespace {

namespace json = boost::json;

const json::object kSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 5},
    "count": {"type": "integer"},
    "spec": {"type": ["object", "string"]},
    "mode": {"enum": ["a", "b"]},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    "nested": {"type": "object", "properties": {"x": {"type": "boolean"}}, "required": ["x"]}
  },
  "required": ["name"],
  "additionalProperties": false})").as_object();

std::string problem(std::string_view arguments) {
  return check_against_schema(kSchema, json::parse(arguments)).value_or("ok");
}

TEST(SchemaCheck, AcceptsConformingArguments) {
  EXPECT_EQ(problem(R"({"name": "abc"})"), "ok");
  EXPECT_EQ(problem(R"({"name": "abc", "count": 3, "spec": "openapi: 3.0.0", "mode": "b",
                       "tags": ["x"], "nested": {"x": true}})"), "ok");
  EXPECT_EQ(problem(R"({"name": "a", "count": 3.0, "spec": {}})"), "ok");  // 3.0 is an integer
}

TEST(SchemaCheck, NamesThePathOfTheFirstProblem) {
  EXPECT_EQ(problem(R"([])"), "arguments: must be object, not array");
  EXPECT_EQ(problem(R"({})"), "arguments: \"name\" is required");
  EXPECT_EQ(problem(R"({"name": ""})"), "arguments.name: must have at least 1 characters");
  EXPECT_EQ(problem(R"({"name": "toolong"})"), "arguments.name: must have at most 5 characters");
  EXPECT_EQ(problem(R"({"name": "a", "count": 1.5})"), "arguments.count: must be integer, not number");
  EXPECT_EQ(problem(R"({"name": "a", "spec": 4})"), "arguments.spec: must be object or string, not number");
  EXPECT_EQ(problem(R"({"name": "a", "mode": "c"})"), "arguments.mode: must be one of a, b");
  EXPECT_EQ(problem(R"({"name": "a", "tags": ["x", 2]})"), "arguments.tags[1]: must be string, not number");
  EXPECT_EQ(problem(R"({"name": "a", "tags": ["x", "y", "z"]})"), "arguments.tags: must have at most 2 items");
  EXPECT_EQ(problem(R"({"name": "a", "nested": {}})"), "arguments.nested: \"x\" is required");
  EXPECT_EQ(problem(R"({"name": "a", "colour": 1})"),
            "arguments: unknown member \"colour\" (known: name, count, spec, mode, tags, nested)");
}

// Every keyword a published tool schema uses is one the checker applies (or
// documentation): a schema that says more than is checked would mislead.
TEST(SchemaCheck, ToolSchemasUseOnlyCheckedKeywords) {
  const std::set<std::string> known = {"type", "properties", "required", "additionalProperties",
                                       "enum", "items", "minItems", "maxItems", "minLength",
                                       "maxLength", "description", "default", "title", "examples",
                                       "$schema"};
  std::function<void(const json::value&, const std::string&)> walk = [&](const json::value& schema,
                                                                          const std::string& where) {
    if (!schema.is_object()) return;
    for (const auto& [key, value] : schema.as_object()) {
      EXPECT_TRUE(known.contains(std::string(key))) << where << " uses " << key;
      if (key == "properties" && value.is_object()) {
        for (const auto& [name, sub] : value.as_object()) walk(sub, where + "." + std::string(name));
      } else if (key == "items") {
        walk(value, where + "[]");
      }
    }
  };
  ASSERT_GE(tool_catalog().size(), 9u);
  for (const auto& tool : tool_catalog()) walk(tool.input_schema, tool.name);
}

}  // namespace
}  // namespace patchbay::mcp
