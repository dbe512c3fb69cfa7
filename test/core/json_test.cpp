#include "core/json.hpp"

#include <gtest/gtest.h>

namespace patchbay::core {
namespace {

struct Connection {
  std::string baseUrl;
  std::optional<double> timeoutMs;
  std::optional<std::vector<std::string>> scopes;
};
BOOST_DESCRIBE_STRUCT(Connection, (), (baseUrl, timeoutMs, scopes))

TEST(JsonTest, ConvertsObjectsToDescribedStructs) {
  auto full = from_object<Connection>(
      parse_json(R"({"baseUrl": "https://x", "timeoutMs": 5, "scopes": ["a"], "extra": 1})")
          ->as_object());
  ASSERT_TRUE(full.has_value()) << full.error().message;
  EXPECT_EQ(full->baseUrl, "https://x");
  EXPECT_EQ(full->timeoutMs, 5.0);
  EXPECT_EQ(full->scopes, std::vector<std::string>{"a"});

  auto minimal =
      from_object<Connection>(parse_json(R"({"baseUrl": "h", "timeoutMs": null})")->as_object());
  ASSERT_TRUE(minimal.has_value());
  EXPECT_FALSE(minimal->timeoutMs.has_value());
}

TEST(JsonTest, NamesTheMemberThatDoesNotConvert) {
  auto missing = from_object<Connection>(json::object{});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "baseUrl: required but absent");
  auto wrong = from_object<Connection>(parse_json(R"({"baseUrl": 5})")->as_object());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().message, "baseUrl: cannot read number 5 as the declared type");
}

TEST(JsonTest, ParseErrorsNameLineAndColumn) {
  auto bad = parse_json("{\n  \"a\": 1,\n  oops\n}");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("line 3, column 3"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(parse_json("{} trailing").has_value());
  EXPECT_FALSE(parse_json("").has_value());
}

TEST(JsonTest, RefusesNumbersNoDoubleHolds) {
  for (const char* text : {"1e400", "[-1e400]", R"({"a": {"b": 0e400}})"}) {
    auto parsed = parse_json(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_NE(parsed.error().message.find("too large or too small"), std::string::npos);
  }
  EXPECT_EQ(*parse_json("1e-400"), 0.0);
}

TEST(JsonTest, WritesIntegralNumbersAsIntegers) {
  EXPECT_EQ(json::serialize(number_value(10.0)), "10");
  EXPECT_EQ(json::serialize(number_value(2.5)), "2.5E0");
  EXPECT_EQ(json::serialize(number_value(-3.0)), "-3");
}

TEST(JsonTest, PrettyPrintsNestedValues) {
  EXPECT_EQ(json_pretty(*parse_json(R"({"a": [1, {}], "b": "x"})")),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": \"x\"\n}");
}

}  // namespace
}  // namespace patchbay::core
