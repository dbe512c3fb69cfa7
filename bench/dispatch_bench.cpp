// What the dispatcher costs per call: a full execute_definition() (routing,
// defaults, required and type checks, typed conversion, normalization) against
// calling the same handler directly, in the same run. The ratio is the figure
// bench/RESULTS.md reports; absolute times depend on the machine.

#include <benchmark/benchmark.h>

#include "connectors/define/define_connector.hpp"
#include "dispatch/dispatch.hpp"

namespace {

using namespace patchbay;
using namespace patchbay::connectors;

struct ListParams {
  std::int64_t limit = 0;
  std::optional<std::string> cursor;
  std::optional<std::string> mode;
};
BOOST_DESCRIBE_STRUCT(ListParams, (), (limit, cursor, mode))

struct Connection {
  std::string baseUrl;
  std::string apiKey;
};
BOOST_DESCRIBE_STRUCT(Connection, (), (baseUrl, apiKey))

CommandOutcome list(const Call<ListParams, Connection>& call) {
  return succeed({.payload = json::object{{"limit", call.params.limit}},
                  .variables = json::object{{"count", 0}}});
}

const core::ConnectorDefinition& definition() {
  static const core::ConnectorDefinition def = define_connector({
      .name = "bench",
      .connection = {t::string("baseUrl").required(), t::secret("apiKey").required()},
      .commands = {define_command<ListParams, Connection>(
          "list", {.params = {t::integer("limit").default_to(50).min(1).max(500),
                              t::string("cursor"), t::select("mode", {"fast", "full"})},
                   .handler = list})},
  });
  return def;
}

core::ConnectorContext context() {
  core::ConnectorContext ctx;
  ctx.config = {{"command", "list"}, {"limit", "25"}, {"mode", "fast"}};
  ctx.connector_config = {{"baseUrl", "https://api.example.com"}, {"apiKey", "sk-bench"}};
  return ctx;
}

void BM_DirectHandlerCall(benchmark::State& state) {
  const ListParams params{25, std::nullopt, std::string("fast")};
  const Connection connection{"https://api.example.com", "sk-bench"};
  const auto ctx = context();
  const json::object raw_params = ctx.config;
  core::CommandCall raw{
      "bench", "list", raw_params, ctx.connector_config, ctx, core::null_logger()};
  for (auto _ : state) {
    auto result = core::outcome_to_result(
        list(Call<ListParams, Connection>{params, connection, ctx, core::null_logger(), raw}));
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_DirectHandlerCall);

void BM_ExecuteDefinition(benchmark::State& state) {
  const auto& def = definition();
  const auto ctx = context();
  for (auto _ : state) {
    auto result = dispatch::execute_definition(def, ctx);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ExecuteDefinition);

}  // namespace

BENCHMARK_MAIN();
