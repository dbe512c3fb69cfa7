#include <chrono>

#include <gtest/gtest.h>

#include "connectors/registry.hpp"
#include "core/json.hpp"
#include "dispatch/dispatch.hpp"

namespace patchbay::connectors {

namespace json = boost::json;
namespace {

core::ConnectorResult run_delay(json::object config) {
  core::ConnectorContext ctx;
  ctx.config = std::move(config);
  return dispatch::execute_definition(*find_builtin("delay"), ctx);
}

TEST(DelayConnectorTest, WaitsAtLeastDelayMsThenReportsIt) {
  auto started = std::chrono::steady_clock::now();
  auto result = run_delay({{"delayMs", 30}});
  auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result.success);
  EXPECT_EQ(json::value(core::to_json(result)),
            (json::object{{"success", true}, {"payload", json::object{{"delayed", 30}}}}));
  EXPECT_GE(waited, std::chrono::milliseconds(30));
}

TEST(DelayConnectorTest, AcceptsTheExplicitWaitCommand) {
  auto result = run_delay({{"command", "wait"}, {"delayMs", "0"}});
  ASSERT_TRUE(result.success);
  EXPECT_EQ(result.payload->at("delayed"), 0);
}

TEST(DelayConnectorTest, RejectsNegativeDelays) {
  auto result = run_delay({{"delayMs", -1}});
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "Invalid param 'delayMs': must be at least 0, got -1");
}

}  // namespace
}  // namespace patchbay::connectors
