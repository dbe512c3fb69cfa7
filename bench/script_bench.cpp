// Script connector execution cost, through patchbay's real path: the dispatcher
// runs the seed's `listContacts` script in a fresh realm (stencil cached), with
// floh.http.get answered by a canned in-process response.
//
// Reports median/p95 per execution (one thread), executions/s with 1 and 2
// threads, how late a runaway script is stopped after its deadline (p95), and
// resident memory. Rerun: build/bench/script_bench [executions]
// The peer (QuickJS via quickjs-emscripten under Node): bench/peer/run.sh

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/json.hpp"
#include "dispatch/dispatch.hpp"
#include "script/script.hpp"

namespace {

using namespace patchbay;
using Clock = std::chrono::steady_clock;

// The seed's script, shared with the tests and the peer benchmark.
std::string seed_script() {
  std::ifstream in(PATCHBAY_SEED_SCRIPT);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// floh.http.get answered in-process, as the peer's host function is.
class CannedHost final : public script::ScriptHost {
 public:
  http::Response http(std::string_view, const http::RequestOptions&) override {
    http::Response response;
    response.status = 200;
    response.is_successful = true;
    response.body = *core::parse_json(
        R"({"data": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}], "total": 2})");
    response.headers = {{"content-type", "application/json"}};
    return response;
  }
  void log(core::LogLevel, std::string_view) override {}
};

core::ConnectorDefinition definition() {
  auto json = core::parse_json(R"({
    "name": "bench-crm", "executionModel": "script", "scriptSource": "x",
    "configSchema": {
      "connectionConfig": {"baseUrl": {"type": "string", "required": true},
                           "apiKey": {"type": "string", "required": true, "secret": true}},
      "commands": {"listContacts": {"params": ["limit", "offset"],
                   "paramSchema": {"limit": {"type": "number", "default": 50},
                                   "offset": {"type": "number", "default": 0}}}}}})");
  auto def = *core::parse_connector_definition(*json);
  def.script_source = seed_script();
  if (def.script_source.empty()) {
    std::fprintf(stderr, "cannot read %s\n", PATCHBAY_SEED_SCRIPT);
    std::exit(1);
  }
  for (auto& command : def.config_schema.commands) {
    command.handler = [source = def.script_source,
                       name = command.name](const core::CommandCall& call) {
      CannedHost host;
      return script::run_script({.source = source,
                                 .filename = "bench-crm.js",
                                 .command = name,
                                 .params = &call.params,
                                 .config = &call.connection,
                                 .variables = &call.context.variables},
                                host);
    };
  }
  return def;
}

core::ConnectorContext context() {
  core::ConnectorContext ctx;
  ctx.config = {{"command", "listContacts"}, {"limit", 10}};
  ctx.connector_config = {{"baseUrl", "https://crm.example.com"}, {"apiKey", "sk-bench"}};
  return ctx;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// Steady-state executions/s: each thread first creates its engine context and
// warms up with 200 executions, as a server worker has long before and as the
// peer does before its timed loop; the clock runs from when all are ready.
double throughput(int threads, int per_thread, const core::ConnectorDefinition& def) {
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  std::latch ready(threads + 1);
  std::latch go(1);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto ctx = context();
      for (int i = 0; i < 200; ++i) failures += !dispatch::execute_definition(def, ctx).success;
      ready.count_down();
      go.wait();
      for (int i = 0; i < per_thread; ++i)
        failures += !dispatch::execute_definition(def, ctx).success;
    });
  }
  ready.arrive_and_wait();
  auto start = Clock::now();
  go.count_down();
  for (auto& w : workers) w.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failures > 0) std::abort();
  return threads * per_thread / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int executions = argc > 1 ? std::max(100, std::atoi(argv[1])) : 5000;
  long rss_before = resident_kib();
  auto def = definition();
  // SCRIPT_BENCH_ONLY_THREADS=N: only the N-thread throughput (for profilers).
  if (const char* only = std::getenv("SCRIPT_BENCH_ONLY_THREADS")) {
    int threads = std::max(1, std::atoi(only));
    std::printf("throughput %d threads %8.0f /s\n", threads,
                throughput(threads, executions, def));
    return 0;
  }
  auto ctx = context();
  for (int i = 0; i < 200; ++i) {
    if (!dispatch::execute_definition(def, ctx).success) {
      std::fprintf(stderr, "warm-up failed: %s\n",
                   dispatch::execute_definition(def, ctx).error.value_or("?").c_str());
      return 1;
    }
  }

  std::vector<double> micros;
  micros.reserve(executions);
  for (int i = 0; i < executions; ++i) {
    auto start = Clock::now();
    auto result = dispatch::execute_definition(def, ctx);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!result.success) return 1;
  }
  long rss_one_worker = resident_kib();

  // As many executions per thread as the peer runs per process.
  double one = throughput(1, executions, def);
  double two = throughput(2, executions, def);

  // A runaway script: how long after its wall-time deadline does it stop?
  std::vector<double> late;
  script::ScriptLimits limits;
  limits.wall_time = std::chrono::milliseconds(20);
  CannedHost host;
  // Under valgrind the spinning scripts dominate; SCRIPT_BENCH_NO_RUNAWAY skips them.
  int runaway_runs = std::getenv("SCRIPT_BENCH_NO_RUNAWAY") ? 1 : 50;
  for (int i = 0; i < runaway_runs; ++i) {
    auto start = Clock::now();
    auto outcome = script::run_script(
        {.source = "function spin() { for (;;) {} }", .command = "spin", .limits = limits}, host);
    auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    late.push_back(elapsed - static_cast<double>(limits.wall_time.count()));
  }

  std::printf("script_bench: seed listContacts, fresh realm per execution, %d executions\n",
              executions);
  std::printf("  per execution     median %7.1f us   p95 %7.1f us\n", percentile(micros, 0.5),
              percentile(micros, 0.95));
  std::printf("  throughput        1 thread %8.0f /s   2 threads %8.0f /s\n", one, two);
  std::printf("  runaway stop      p95 %.2f ms after the deadline (median %.2f ms)\n",
              percentile(late, 0.95), percentile(late, 0.5));
  std::printf("  resident          %ld KiB before, %ld KiB after one worker (%+ld KiB)\n",
              rss_before, rss_one_worker, rss_one_worker - rss_before);
  // For bench/peer/run.sh, in the peer's format.
  std::printf("{\"engine\":\"patchbay\",\"executions\":%d,\"medianMicros\":%.1f,"
              "\"p95Micros\":%.1f,\"perSecond\":%.0f,\"perSecond2\":%.0f,"
              "\"runawayP95Millis\":%.2f,\"residentDeltaKiB\":%ld}\n",
              executions, percentile(micros, 0.5), percentile(micros, 0.95), one, two,
              percentile(late, 0.95), rss_one_worker - rss_before);
  return 0;
}
