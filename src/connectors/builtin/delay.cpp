// Pauses a run. Exists so workflows can pace calls to rate-limited APIs.

#include <chrono>
#include <cmath>
#include <thread>

#include "connectors/define/define_connector.hpp"

namespace patchbay::connectors::builtin {
namespace {

// Longer pauses belong to a workflow's scheduler, not to a blocked executor thread.
constexpr double kMaxDelayMs = 300'000;
constexpr double kDefaultDelayMs = 1'000;

struct WaitParams {
  double delayMs = kDefaultDelayMs;
};
BOOST_DESCRIBE_STRUCT(WaitParams, (), (delayMs))

using WaitCall = Call<WaitParams, json::object>;

CommandOutcome run_wait(const WaitCall& call) {
  std::this_thread::sleep_for(std::chrono::milliseconds(std::llround(call.params.delayMs)));
  return succeed({.payload = json::object{{"delayed", core::number_value(call.params.delayMs)}}});
}

}  // namespace

core::ConnectorDefinition make_delay() {
  return define_connector({
      .name = "delay",
      .version = "1.0.0",
      .description = "Wait for delayMs milliseconds.",
      .category = "utility",
      .default_command = "wait",
      .legacy_commandless_ui = true,
      .commands = {define_command<WaitParams>(
          "wait",
          {
              .description = "Wait for delayMs milliseconds, then succeed.",
              .params = {t::number("delayMs")
                             .default_to(kDefaultDelayMs)
                             .min(0)
                             .max(kMaxDelayMs)
                             .describe("How long to wait, in milliseconds (at most 300000).")},
              .outputs = {{"delayed"}},
              .mock = {{"default",
                        [](const WaitCall& call) -> CommandOutcome {
                          return succeed(
                              {.payload = json::object{
                                   {"delayed", core::number_value(call.params.delayMs)}}});
                        }}},
              .handler = run_wait,
          })},
  });
}

}  // namespace patchbay::connectors::builtin
