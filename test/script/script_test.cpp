#include "script/script.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "http/loopback_client.hpp"
#include "support/fake_upstream.hpp"

namespace patchbay::script {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using test::FakeUpstream;

// floh.http through a loopback-allowed client; floh.log recorded.
class TestHost final : public ScriptHost {
 public:
  http::Response http(std::string_view url, const http::RequestOptions& options) override {
    ++http_calls;
    return http::testing::loopback_client().request(url, options);
  }
  void log(core::LogLevel level, std::string_view message) override {
    std::lock_guard lock(mutex);
    logs.emplace_back(level, std::string(message));
  }
  std::atomic<int> http_calls{0};
  std::mutex mutex;
  std::vector<std::pair<core::LogLevel, std::string>> logs;
};

core::ConnectorResult run(std::string_view source, std::string_view command,
                          json::object params = {}, json::object config = {},
                          json::object variables = {}, ScriptLimits limits = {},
                          ScriptHost* host = nullptr) {
  TestHost fallback;
  ScriptCall call{.source = source,
                  .command = command,
                  .params = &params,
                  .config = &config,
                  .variables = &variables,
                  .limits = limits};
  return core::outcome_to_result(run_script(call, host ? *host : fallback));
}

TEST(ScriptTest, ReturnsProtocolTwoResults) {
  auto result = run(R"(
    function hello() {
      const { name = "world" } = floh.params;
      return { success: true, payload: { greeting: `hello ${name}` }, variables: { greeted: 1 } };
    })",
                    "hello", {{"name", "Ada"}});
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(result.payload->at("greeting"), "hello Ada");
  EXPECT_EQ(result.variables->at("greeted"), 1);
}

TEST(ScriptTest, SeesParamsConfigAndVariables) {
  auto result =
      run("function echo() { return { payload: { p: floh.params, c: floh.config, v: floh.variables "
          "} }; }",
          "echo", {{"a", 1}}, {{"baseUrl", "https://x"}}, {{"userCount", 3}});
  ASSERT_TRUE(result.success);
  EXPECT_EQ(result.payload->at("p").at("a"), 1);
  EXPECT_EQ(result.payload->at("c").at("baseUrl"), "https://x");
  EXPECT_EQ(result.payload->at("v").at("userCount"), 3);
}

// floh's members are created on first read; to a script they behave as
// ordinary properties: enumerable, read-only namespaces, deletions that stick.
TEST(ScriptTest, FlohMembersBehaveAsOrdinaryProperties) {
  auto result = run(R"(
    function inspect() {
      const first = Object.keys(floh.http.get ? floh.http : {});
      const readOnly = (() => { floh.http = null; return floh.http !== null; })();
      delete floh.log.info;
      return { payload: {
        floh: Object.keys(floh).sort(),
        http: first.sort(),
        log: Object.keys(floh.log).sort(),
        oauth2: typeof floh.oauth2.clientCredentials,
        json: JSON.parse(JSON.stringify(floh)).params,
        hasPost: "post" in floh.http,
        info: typeof floh.log.info,
        readOnly,
        missing: typeof floh.nothing,
        proto: Object.getPrototypeOf(floh.http) === Object.prototype,
        tag: Object.prototype.toString.call(floh.log),
      } };
    })",
                    "inspect", {{"q", "x"}});
  ASSERT_TRUE(result.success) << result.error.value_or("");
  const auto& p = result.payload->as_object();
  EXPECT_EQ(p.at("floh"),
            *core::parse_json(R"(["config","http","log","oauth2","params","variables"])"));
  EXPECT_EQ(p.at("http"), *core::parse_json(R"(["delete","get","patch","post","put","request"])"));
  EXPECT_EQ(p.at("log"), *core::parse_json(R"(["debug","error","trace","warn"])"));
  EXPECT_EQ(p.at("oauth2"), "function");
  EXPECT_EQ(p.at("json"), *core::parse_json(R"({"q":"x"})"));
  EXPECT_EQ(p.at("hasPost"), true);
  EXPECT_EQ(p.at("info"), "undefined");
  EXPECT_EQ(p.at("readOnly"), true);
  EXPECT_EQ(p.at("missing"), "undefined");
  EXPECT_EQ(p.at("proto"), true);
  EXPECT_EQ(p.at("tag"), "[object Object]");
}

TEST(ScriptTest, ModernJavaScriptWorks) {
  auto result = run(R"(
    class Counter { #n = 0; inc() { return ++this.#n; } }
    const sum = (...xs) => xs.reduce((a, b) => a + b, 0);
    function modern() {
      const c = new Counter(); c.inc(); c.inc();
      const m = new Map([["a", 1]]); const s = new Set([1, 1, 2]);
      const [first, ...rest] = [1, 2, 3];
      return { payload: { n: c.inc(), sum: sum(1, 2, 3), m: m.get("a"), s: s.size, first, rest,
                          json: JSON.parse('{"x":1}').x, opt: floh.params?.missing ?? "dflt" } };
    })",
                    "modern");
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(*result.payload,
            *core::parse_json(
                R"({"n":3,"sum":6,"m":1,"s":2,"first":1,"rest":[2,3],"json":1,"opt":"dflt"})"));
}

TEST(ScriptTest, NothingReturnedIsSuccessAndAsyncCommandsSettle) {
  EXPECT_TRUE(run("function noop() {}", "noop").success);
  auto result =
      run("async function later() { const v = await Promise.resolve(7); return { payload: v }; }",
          "later");
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(*result.payload, 7);
  auto rejected = run("async function bad() { throw new Error('nope'); }", "bad");
  EXPECT_FALSE(rejected.success);
  EXPECT_NE(rejected.error->find("nope"), std::string::npos);
}

TEST(ScriptTest, LegacyKeysAreRejectedWithTheUpgradeMessage) {
  auto result = run("function old() { return { success: true, data: { id: 1 } }; }", "old");
  EXPECT_FALSE(result.success);
  EXPECT_NE(result.error->find("protocol 2.0"), std::string::npos);
}

TEST(ScriptTest, ThrownErrorsCarryTheStackWithLineAndColumn) {
  auto result = run(
      "function a() {\n  b();\n}\nfunction b() {\n  throw new TypeError('bad input');\n}\n", "a");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "Script error: TypeError: bad input (connector.js:5:9)");
  EXPECT_EQ(result.diagnostics->at("line"), 5);
  EXPECT_EQ(result.diagnostics->at("column"), 9);
  std::string stack(result.diagnostics->at("stack").as_string());
  EXPECT_NE(stack.find("b@connector.js:5"), std::string::npos) << stack;
  EXPECT_NE(stack.find("a@connector.js:2"), std::string::npos) << stack;
}

TEST(ScriptTest, AMissingFunctionListsTheDefinedOnes) {
  auto result =
      run("function listContacts() {}\nfunction test() {}\nconst x = 1;", "createContact");
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error,
            "Script defines no function 'createContact'. Functions defined: listContacts, test");
}

TEST(ScriptTest, SyntaxErrorsNameLineAndColumn) {
  auto checked = check_script("function ok() {}\nfunction broken( {\n}", "crm.js");
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().code, core::ErrorCode::InvalidDefinition);
  // `broken( {` may start a destructuring parameter, so the parser fails at the `}`.
  EXPECT_NE(checked.error().message.find("(crm.js:3:1)"), std::string::npos)
      << checked.error().message;
  EXPECT_EQ(checked.error().details.at("line"), 3);
  EXPECT_TRUE(check_script("function fine() { return 1; }").has_value());
  auto at_run = run("function x( {", "x");
  EXPECT_FALSE(at_run.success);
  EXPECT_NE(at_run.error->find("Script does not compile: SyntaxError"), std::string::npos);
}

TEST(ScriptTest, ListsTheFunctionsAScriptDefines) {
  auto names = script_functions(
      "function a() {}\nvar b = function() {};\nconst c = () => 1;\nfunction d() {}");
  ASSERT_TRUE(names.has_value());
  EXPECT_EQ(*names,
            (std::vector<std::string>{"a", "b", "d"}));  // lexical `const` is not a global property
}

TEST(ScriptTest, LogsAtEveryLevel) {
  TestHost host;
  auto result = run(R"(function log() {
      floh.log.trace("t"); floh.log.debug("d", 1); floh.log.info("i", {a: 1});
      floh.log.warn("w"); floh.log.error("e"); })",
                    "log", {}, {}, {}, {}, &host);
  ASSERT_TRUE(result.success);
  ASSERT_EQ(host.logs.size(), 5u);
  EXPECT_EQ(host.logs[0], std::make_pair(core::LogLevel::Trace, std::string("t")));
  EXPECT_EQ(host.logs[1].second, "d 1");
  EXPECT_EQ(host.logs[2].second, "i {\"a\":1}");
  EXPECT_EQ(host.logs[4].first, core::LogLevel::Error);
}

TEST(ScriptTest, HttpVerbsGoThroughTheHost) {
  FakeUpstream upstream;
  upstream.set_handler([](const FakeUpstream::Request& r) {
    return FakeUpstream::Reply::json(
        200, R"({"method": ")" + r.method + R"(", "body": )" +
                 (r.body.empty() ? "null" : "\"" + std::string(r.body.size(), 'x') + "\"") +
                 R"(, "auth": ")" + r.header("authorization") + "\"}");
  });
  auto result = run(R"(function calls() {
      const base = floh.config.baseUrl, h = { Authorization: "Bearer k" };
      const out = [floh.http.get(base + "/a", h), floh.http.post(base + "/b", JSON.stringify({x: 1}), h),
                   floh.http.put(base + "/c", {y: 2}, h), floh.http.patch(base + "/d", "raw", h),
                   floh.http.delete(base + "/e", h)];
      return { payload: out.map(r => [r.status, r.body.method, r.body.auth, r.headers["content-type"]]) };
    })",
                    "calls", {}, {{"baseUrl", upstream.url()}});
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(*result.payload, *core::parse_json(R"([
      [200, "GET", "Bearer k", "application/json"], [200, "POST", "Bearer k", "application/json"],
      [200, "PUT", "Bearer k", "application/json"], [200, "PATCH", "Bearer k", "application/json"],
      [200, "DELETE", "Bearer k", "application/json"]])"));
  auto requests = upstream.requests();
  EXPECT_EQ(requests[1].header("content-type"), "application/json");  // JSON.stringify body
  EXPECT_EQ(requests[1].body, R"({"x":1})");
  EXPECT_EQ(requests[2].body, R"({"y":2})");
  EXPECT_EQ(requests[3].body, "raw");
}

// Header values are sent as JSON would show them; what JSON leaves out is left
// out; a response that is not JSON arrives as its text.
TEST(ScriptTest, HeaderValuesAndTextResponsesConvertAsJsonWould) {
  FakeUpstream upstream;
  upstream.set_handler([](const FakeUpstream::Request& r) {
    return FakeUpstream::Reply::text(200, "n=" + r.header("x-n") + " b=" + r.header("x-b") + " u=" +
                                              (r.headers.contains("x-u") ? "present" : "absent"));
  });
  auto result = run(R"(function f() {
      const r = floh.http.get(floh.config.baseUrl + "/t",
                              { "X-N": 42, "X-B": true, "X-U": undefined, "X-F": () => 1 });
      const errors = [];
      for (const bad of ["text", [1, 2]]) {
        try { floh.http.get(floh.config.baseUrl + "/t", bad); } catch (e) { errors.push(e.message); }
      }
      return { payload: { body: r.body, type: r.headers["content-type"], errors } };
    })",
                    "f", {}, {{"baseUrl", upstream.url()}});
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(result.payload->at("body"), "n=42 b=true u=absent");
  EXPECT_EQ(result.payload->at("type"), "text/plain");
  ASSERT_EQ(result.payload->at("errors").as_array().size(), 2u);
  for (const auto& error : result.payload->at("errors").as_array()) {
    EXPECT_EQ(error, "floh.http: headers must be an object of name: value");
  }
  EXPECT_EQ(upstream.requests().size(), 1u);
}

TEST(ScriptTest, HttpFailuresAreCatchableErrors) {
  auto result = run(R"(function f() {
      try { floh.http.get("http://169.254.169.254/latest/"); }
      catch (e) { return { success: false, error: String(e.message) }; } })",
                    "f");
  EXPECT_FALSE(result.success);
  EXPECT_NE(result.error->find("policy_denied"), std::string::npos) << *result.error;
}

TEST(ScriptTest, RequestTakesAnyMethodAndABodyWithIt) {
  FakeUpstream upstream;
  auto result = run(R"(function calls() {
      const base = floh.config.baseUrl;
      return { payload: [floh.http.request("OPTIONS", base + "/o").status,
                         floh.http.request("head", base + "/h").status,
                         floh.http.request("DELETE", base + "/d", {why: "dup"}, {"X-A": "1"}).status] };
    })",
                    "calls", {}, {{"baseUrl", upstream.url()}});
  ASSERT_TRUE(result.success) << result.error.value_or("");
  auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "OPTIONS");
  EXPECT_EQ(requests[1].method, "HEAD");
  EXPECT_EQ(requests[2].method, "DELETE");
  EXPECT_EQ(requests[2].body, R"({"why":"dup"})");
  EXPECT_EQ(requests[2].header("x-a"), "1");

  auto refused =
      run(R"(function f() { return floh.http.request("BREW", "http://127.0.0.1/"); })", "f");
  ASSERT_FALSE(refused.success);
  EXPECT_NE(refused.error->find("floh.http.request: the first argument must be an HTTP method"),
            std::string::npos)
      << *refused.error;
}

TEST(ScriptTest, OAuth2NeedsAHostThatOffersIt) {
  auto result = run(R"(function f() {
      try { floh.oauth2.clientCredentials({tokenUrl: "http://127.0.0.1/t", clientId: "c", clientSecret: "s"}); }
      catch (e) { return { success: false, error: String(e.message) }; } })",
                    "f");
  ASSERT_FALSE(result.success);
  EXPECT_EQ(*result.error,
            "OAuth2 token request failed (policy_denied): OAuth2 tokens are not available to this "
            "script host");
  auto bad = run(R"(function f() { return floh.oauth2.clientCredentials("nope"); })", "f");
  ASSERT_FALSE(bad.success);
  EXPECT_NE(bad.error->find("pass {tokenUrl, clientId, clientSecret, scope}"), std::string::npos);
}

TEST(ScriptTest, ScriptsHaveNoHostAccess) {
  auto result = run(R"(function probe() {
      return { payload: [typeof require, typeof process, typeof setTimeout, typeof fetch,
                         typeof XMLHttpRequest, typeof ArrayBuffer, typeof Uint8Array,
                         typeof SharedArrayBuffer, typeof WebAssembly, typeof Atomics,
                         typeof DataView, typeof os, typeof load, typeof print,
                         typeof Int8Array, typeof Int16Array, typeof Uint16Array,
                         typeof Int32Array, typeof Uint32Array, typeof Float32Array,
                         typeof Float64Array, typeof Uint8ClampedArray, typeof BigInt64Array,
                         typeof BigUint64Array, typeof CompileError, typeof LinkError,
                         typeof RuntimeError] };
    })",
                    "probe");
  ASSERT_TRUE(result.success) << result.error.value_or("");
  for (const auto& kind : result.payload->as_array()) EXPECT_EQ(kind, "undefined");
}

TEST(ScriptTest, EachExecutionGetsAFreshRealm) {
  const char* source = R"(
    var counter = (typeof counter === "number" ? counter : 0) + 1;
    function polluted() {
      Object.prototype.hacked = "yes";
      Array.prototype.push = function() { return -1; };
      globalThis.leak = 42;
      return { payload: counter };
    }
    function check() {
      return { payload: [counter, ({}).hacked === undefined, [].push(1), typeof leak] };
    })";
  EXPECT_EQ(*run(source, "polluted").payload, 1);
  EXPECT_EQ(*run(source, "check").payload, *core::parse_json(R"([1, true, 1, "undefined"])"));
}

TEST(ScriptTest, ConcurrentExecutionsAreIsolated) {
  const char* source = R"(
    function work() {
      globalThis.mine = floh.params.id;
      let acc = 0; for (let i = 0; i < 20000; i++) acc += i;
      return { payload: { id: globalThis.mine, acc } };
    })";
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto result = run(source, "work", {{"id", t * 100 + i}});
        if (result.success && result.payload->at("id") == t * 100 + i) ++correct;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(correct.load(), 160);
}

// --- limits ---------------------------------------------------------------

TEST(ScriptLimitTest, WallTimeStopsAnInfiniteLoop) {
  ScriptLimits limits;
  limits.wall_time = 200ms;
  auto started = std::chrono::steady_clock::now();
  auto result = run("function spin() { while (true) {} }", "spin", {}, {}, {}, limits);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "Script stopped: wall time limit of 200 ms reached");
  EXPECT_EQ(result.diagnostics->at("limit"), "wall_time");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(ScriptLimitTest, CpuTimeStopsALoopThatSwallowsErrors) {
  ScriptLimits limits;
  limits.cpu_time = 150ms;
  auto result = run("function stubborn() { while (true) { try { while (true) {} } catch (e) {} } }",
                    "stubborn", {}, {}, {}, limits);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.diagnostics->at("limit"), "cpu_time");
}

TEST(ScriptLimitTest, HeapLimitStopsAMemoryBomb) {
  ScriptLimits limits;
  limits.heap_bytes = 32 * 1024 * 1024;
  auto result =
      run("function bomb() { const a = []; while (true) a.push({ x: a.length, y: [1, 2, 3] }); }",
          "bomb", {}, {}, {}, limits);
  EXPECT_FALSE(result.success);
  EXPECT_NE(result.error->find("heap limit"), std::string::npos) << *result.error;
  // The thread's engine is usable afterwards.
  EXPECT_TRUE(run("function ok() { return { payload: 1 }; }", "ok").success);
}

TEST(ScriptLimitTest, MemoryOutsideTheGcHeapCountsToo) {
  ScriptLimits limits;
  limits.heap_bytes = 16 * 1024 * 1024;  // so the process may grow by at most 64 MiB
  auto result = run(R"(function strings() {
      const base = "x".repeat(1 << 23);
      const keep = [];
      for (let i = 0; ; i++) keep.push(base.toUpperCase() + i);
    })",
                    "strings", {}, {}, {}, limits);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.diagnostics->at("limit"), "memory") << *result.error;
}

TEST(ScriptLimitTest, DeepRecursionFailsNamingIt) {
  auto result = run("function deep(n) { return deep((n || 0) + 1) + 1; }", "deep");
  EXPECT_FALSE(result.success);
  EXPECT_NE(result.error->find("too much recursion"), std::string::npos) << *result.error;
}

TEST(ScriptLimitTest, HttpCallLimitEndsTheExecution) {
  FakeUpstream upstream;
  upstream.on("GET", "/x", FakeUpstream::Reply::json(200, "{}"));
  ScriptLimits limits;
  limits.max_http_calls = 3;
  TestHost host;
  auto result = run(R"(function many() {
      for (let i = 0; i < 10; i++) { try { floh.http.get(floh.config.url); } catch (e) {} }
      return { payload: "finished" }; })",
                    "many", {}, {{"url", upstream.url("/x")}}, {}, limits, &host);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.diagnostics->at("limit"), "http_calls");
  EXPECT_EQ(host.http_calls.load(), 3);
}

TEST(ScriptLimitTest, OversizedScriptsAreRefused) {
  ScriptLimits limits;
  limits.max_source_bytes = 100;
  std::string big = "function f() {}\n" + std::string(200, ' ');
  auto result = run(big, "f", {}, {}, {}, limits);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.diagnostics->at("limit"), "script_size");
}

}  // namespace
}  // namespace patchbay::script
