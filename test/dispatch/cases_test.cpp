// Runs every data case in test/cases/dispatch/: a context for the "fixture"
// connector (or a built-in) and the exact ConnectorResult expected. A new case
// is a new file, not new C++.

#include <filesystem>

#include <gtest/gtest.h>

#include "connectors/registry.hpp"
#include "core/json.hpp"
#include "dispatch/dispatch.hpp"
#include "dispatch/fixture_connector.hpp"
#include "support/files.hpp"

namespace patchbay::dispatch {
namespace {

namespace json = boost::json;

namespace fs = std::filesystem;

std::vector<std::string> case_files() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(fs::path(PATCHBAY_TEST_CASES_DIR) / "dispatch")) {
    if (entry.path().extension() == ".json") out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

json::object member_object(const json::object& obj, std::string_view key) {
  const auto* found = obj.if_contains(key);
  return found && found->is_object() ? found->get_object() : json::object{};
}

class DispatchCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DispatchCaseTest, ProducesTheExpectedResult) {
  auto parsed = core::parse_json(
      test::read_text(fs::path(PATCHBAY_TEST_CASES_DIR) / "dispatch" / GetParam()));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const auto& c = parsed->as_object();
  static const core::ConnectorDefinition fixture = test::make_fixture();
  std::string connector(core::string_member(c, "connector").value_or("fixture"));
  const core::ConnectorDefinition* def =
      connector == "fixture" ? &fixture : connectors::find_builtin(connector);
  ASSERT_NE(def, nullptr) << connector;

  core::ConnectorContext ctx;
  ctx.config = member_object(c, "config");
  ctx.connector_config = member_object(c, "connectorConfig");
  ctx.variables = member_object(c, "variables");
  ctx.mock = std::string(core::string_member(c, "mock").value_or(""));
  ctx.step_id = "s";
  ctx.run_id = "r";
  auto result = execute_definition(*def, ctx);
  EXPECT_EQ(json::value(core::to_json(result)), c.at("expect"))
      << core::string_member(c, "description").value_or("")
      << "\nactual: " << core::json_pretty(core::to_json(result));
}

INSTANTIATE_TEST_SUITE_P(Cases, DispatchCaseTest, ::testing::ValuesIn(case_files()),
                         [](const auto& test_case) {
                           std::string name = test_case.param.substr(0, test_case.param.size() - 5);
                           for (auto& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace patchbay::dispatch
