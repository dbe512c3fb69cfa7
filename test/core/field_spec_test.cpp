#include "core/field_spec.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"

namespace patchbay::core {
namespace {

FieldSpec spec(const char* text) {
  std::vector<FieldError> errors;
  auto field = parse_field_spec("f", *parse_json(text), "f", errors);
  EXPECT_TRUE(errors.empty()) << text << ": " << (errors.empty() ? "" : errors[0].message);
  return field;
}

json::value ok(const FieldSpec& field, const json::value& value) {
  auto checked = check_field_value(field, value);
  EXPECT_TRUE(checked.has_value())
      << json::serialize(value) << ": " << (checked ? "" : checked.error().message);
  return checked ? *checked : json::value();
}

std::string refused(const FieldSpec& field, const json::value& value) {
  auto checked = check_field_value(field, value);
  EXPECT_FALSE(checked.has_value()) << json::serialize(value);
  return checked ? "" : checked.error().message;
}

TEST(FieldSpecTest, CoercesLosslessTextToNumbersAndBooleans) {
  auto number = spec(R"({"type": "number"})");
  EXPECT_EQ(ok(number, "10"), 10);
  EXPECT_EQ(ok(number, "2.5"), 2.5);
  EXPECT_EQ(ok(number, 3), 3);
  EXPECT_EQ(refused(number, "ten"), "expected number, got string \"ten\"");
  EXPECT_EQ(refused(number, "10 "), "expected number, got string \"10 \"");
  EXPECT_EQ(refused(number, "inf"), "expected number, got string \"inf\"");
  auto flag = spec(R"({"type": "boolean"})");
  EXPECT_EQ(ok(flag, "true"), true);
  EXPECT_EQ(ok(flag, false), false);
  EXPECT_EQ(refused(flag, "yes"), "expected boolean, got string \"yes\"");
  auto text = spec(R"({"type": "string"})");
  EXPECT_EQ(ok(text, 42), "42");
  EXPECT_EQ(refused(text, json::object{}), "expected string, got object {}");
}

TEST(FieldSpecTest, EnforcesIntegersAndBounds) {
  auto count = spec(R"({"type": "integer", "minimum": 1, "maximum": 10})");
  EXPECT_EQ(ok(count, "7"), 7);
  EXPECT_EQ(refused(count, 2.5), "expected integer, got number 2.5E0");
  EXPECT_EQ(refused(count, 0), "must be at least 1, got 0");
  EXPECT_EQ(refused(count, "11"), "must be at most 10, got 11");
}

TEST(FieldSpecTest, ChecksSelectOptionsAndEnums) {
  auto mode = spec(R"({"type": "select", "options": ["fast", {"value": 2, "label": "Two"}]})");
  EXPECT_EQ(ok(mode, "fast"), "fast");
  EXPECT_EQ(ok(mode, "2"), 2);  // text from a template stands for the option 2
  EXPECT_EQ(refused(mode, "slow"), "must be one of \"fast\", 2, got string \"slow\"");
  auto color = spec(R"({"type": "string", "enum": ["red", "green"]})");
  EXPECT_EQ(ok(color, "red"), "red");
  EXPECT_EQ(refused(color, "blue"), "must be one of \"red\", \"green\", got string \"blue\"");
}

TEST(FieldSpecTest, AcceptsIsoDatesOnly) {
  auto when = spec(R"({"type": "date"})");
  for (const char* good : {"2026-11-21", "2024-02-29", "2026-11-21T10:30:00Z",
                           "2026-11-21T10:30:00.123+01:00", "2026-11-21T10:30"}) {
    ok(when, good);
  }
  for (const char* bad : {"2026-13-01", "2023-02-29", "21/11/2026", "2026-11-21T25:00:00Z",
                          "2026-11-21Tnoon", "2026-11-21T10:30:00+1"}) {
    refused(when, bad);
  }
}

TEST(FieldSpecTest, UntypedAndRawFieldsAcceptAnything) {
  auto untyped = spec(R"({"description": "anything"})");
  EXPECT_EQ(ok(untyped, json::array{1, "a"}), (json::array{1, "a"}));
  EXPECT_EQ(untyped.effective_type(), FieldType::Raw);
}

TEST(FieldSpecTest, ReportsSpecProblems) {
  std::vector<FieldError> errors;
  parse_field_spec(
      "f", *parse_json(R"({"type": "select", "minimum": 5, "maximum": 1, "secret": "yes"})"), "p.f",
      errors);
  std::string all;
  for (const auto& e : errors) all += e.path + ": " + e.message + "\n";
  EXPECT_NE(all.find("p.f.secret: must be true or false"), std::string::npos) << all;
  EXPECT_NE(all.find("p.f.options: a select field needs at least one option"), std::string::npos)
      << all;
  EXPECT_NE(all.find("p.f: minimum and maximum apply to number and integer fields only"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("p.f.minimum: is greater than maximum"), std::string::npos) << all;
}

TEST(FieldSpecTest, MissingMeansAbsentNullOrEmptyText) {
  json::value empty = "";
  json::value null = nullptr;
  json::value zero = 0;
  EXPECT_TRUE(is_missing_value(nullptr));
  EXPECT_TRUE(is_missing_value(&null));
  EXPECT_TRUE(is_missing_value(&empty));
  EXPECT_FALSE(is_missing_value(&zero));
}

}  // namespace
}  // namespace patchbay::core
