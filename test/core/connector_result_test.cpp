#include "core/connector_result.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"

namespace patchbay::core {
namespace {

ConnectorResult from_text(const char* text) { return outcome_to_result(*parse_json(text)); }

TEST(OutcomeToResultTest, SucceedBuilderFillsPayloadAndVariables) {
  auto result = outcome_to_result(
      succeed({.payload = json::object{{"id", 7}}, .variables = json::object{{"userCount", 3}}}));
  EXPECT_EQ(
      json::value(to_json(result)),
      *parse_json(R"({"success": true, "payload": {"id": 7}, "variables": {"userCount": 3}})"));
}

TEST(OutcomeToResultTest, FailBuilderKeepsDiagnosticsAndVariables) {
  auto result = outcome_to_result(fail({.error = "Connection refused",
                                        .diagnostics = json::object{{"statusCode", 503}},
                                        .variables = json::object{{"failed", true}}}));
  EXPECT_EQ(json::value(to_json(result)), *parse_json(R"({"success": false,
      "variables": {"failed": true}, "diagnostics": {"statusCode": 503},
      "error": "Connection refused"})"));
}

TEST(OutcomeToResultTest, MovingToJsonGivesWhatCopyingGives) {
  ConnectorResult result{false, json::value(json::array{1, 2}), json::object{{"v", 1}},
                         json::value(json::object{{"statusCode", 502}}), "upstream failed"};
  auto copied = to_json(result);
  EXPECT_EQ(to_json(std::move(result)), copied);
}

TEST(OutcomeToResultTest, NothingNonObjectAndEmptyObjectMeanSuccess) {
  EXPECT_EQ(outcome_to_result(std::monostate{}), ConnectorResult{});
  EXPECT_EQ(from_text("42"), ConnectorResult{});
  EXPECT_EQ(from_text("\"done\""), ConnectorResult{});
  EXPECT_EQ(from_text("null"), ConnectorResult{});
  EXPECT_EQ(from_text("[1]"), ConnectorResult{});
  EXPECT_EQ(from_text("{}"), ConnectorResult{});
}

TEST(OutcomeToResultTest, DiagnosticsAreDroppedOnSuccess) {
  EXPECT_FALSE(from_text(R"({"success": true, "diagnostics": {"x": 1}})").diagnostics);
  ConnectorResult verbatim{true, json::value(1), std::nullopt, json::value("drop me"),
                           std::nullopt};
  EXPECT_FALSE(outcome_to_result(verbatim).diagnostics);
  EXPECT_EQ(outcome_to_result(verbatim).payload, json::value(1));
}

TEST(OutcomeToResultTest, FullResultIsReturnedVerbatimOnFailure) {
  ConnectorResult result{false, std::nullopt, json::object{{"a", 1}}, json::value("why"),
                         std::nullopt};
  EXPECT_EQ(outcome_to_result(result), result);  // success: false without an error is legal
}

TEST(OutcomeToResultTest, PlainObjectsFollowTheSlots) {
  auto ok = from_text(R"({"payload": {"users": []}, "variables": {"n": 0}})");
  EXPECT_TRUE(ok.success);
  EXPECT_EQ(ok.variables->at("n"), 0);
  auto failed = from_text(R"({"error": "nope", "diagnostics": {"statusCode": 404}})");
  EXPECT_FALSE(failed.success);
  EXPECT_EQ(failed.error, "nope");
  EXPECT_EQ(failed.diagnostics->at("statusCode"), 404);
  auto failed_with_variables =
      from_text(R"({"success": false, "error": "x", "variables": {"flag": true}})");
  EXPECT_EQ(failed_with_variables.variables->at("flag"), true);
}

TEST(OutcomeToResultTest, RejectsLegacyProtocolKeysWithAnUpgradeMessage) {
  for (const char* legacy : {R"({"success": true, "data": {"id": 1}})",
                             R"({"success": true, "outputVariables": {"a": 1}})"}) {
    auto result = from_text(legacy);
    EXPECT_FALSE(result.success) << legacy;
    EXPECT_NE(result.error->find("protocol 2.0"), std::string::npos);
    EXPECT_TRUE(result.diagnostics->as_object().contains("legacyKeys"));
  }
}

TEST(OutcomeToResultTest, RejectsMalformedSlots) {
  auto bad_variables = from_text(R"({"success": true, "variables": [1, 2]})");
  EXPECT_FALSE(bad_variables.success);
  EXPECT_NE(bad_variables.error->find("'variables' must be an object"), std::string::npos);
  auto bad_success = from_text(R"({"success": "yes"})");
  EXPECT_FALSE(bad_success.success);
  EXPECT_NE(bad_success.error->find("'success' must be true or false"), std::string::npos);
}

}  // namespace
}  // namespace patchbay::core
