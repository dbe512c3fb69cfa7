// The real `patchbay` binary, run as a user would run it.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/process.hpp"

namespace patchbay {
namespace {

namespace json = boost::json;

using test::FakeUpstream;
using test::run_process;

test::ProcessResult patchbay(std::vector<std::string> args) {
  args.insert(args.begin(), PATCHBAY_BINARY);
  return run_process(args);
}

json::value parsed_stdout(const test::ProcessResult& run) {
  auto parsed = core::parse_json(run.out);
  EXPECT_TRUE(parsed.has_value()) << run.out << run.err;
  return parsed ? *parsed : json::value();
}

TEST(CliTest, PrintsItsVersion) {
  auto run = patchbay({"version"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.rfind("patchbay ", 0), 0u);
}

TEST(CliTest, ExecDelayPrintsASeedShapedResult) {
  auto run = patchbay({"exec", "delay", "--param", "delayMs=10"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(parsed_stdout(run),
            *core::parse_json(R"({"success": true, "payload": {"delayed": 10}})"));
}

TEST(CliTest, ExecHttpCallsTheUpstreamAndPrintsTheResponse) {
  FakeUpstream upstream;
  upstream.on("GET", "/status", FakeUpstream::Reply::json(200, R"({"ok": true})"));
  auto run = patchbay({"exec", "http", "--param", "method=GET", "--param",
                       "url=" + upstream.url("/status"), "--param", R"(headers={"X-Req": "1"})"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto result = parsed_stdout(run);
  EXPECT_EQ(result.at("success"), true);
  EXPECT_EQ(result.at("payload").at("status"), 200);
  EXPECT_EQ(result.at("payload").at("body"), (json::object{{"ok", true}}));
  ASSERT_EQ(upstream.requests().size(), 1u);
  EXPECT_EQ(upstream.requests()[0].header("x-req"), "1");
}

TEST(CliTest, CloudMetadataIsRefusedByTheSsrfPolicy) {
  // The suite allow-lists 127.0.0.0/8 only; 169.254.169.254 stays denied and no
  // packet leaves the machine.
  auto run = patchbay({"exec", "http", "--param", "url=http://169.254.169.254/latest/meta-data/"});
  EXPECT_EQ(run.exit_code, 1);
  auto result = parsed_stdout(run);
  EXPECT_EQ(result.at("diagnostics").at("code"), "policy_denied");
  EXPECT_NE(std::string(result.at("error").as_string())
                .find("169.254.169.254 is link-local 169.254.0.0/16 (includes cloud metadata"),
            std::string::npos)
      << result.at("error");
}

TEST(CliTest, FailureResultsExitWithOne) {
  FakeUpstream upstream;
  upstream.on("GET", "/down", FakeUpstream::Reply::json(503, R"({"error": "maintenance"})"));
  auto run = patchbay({"exec", "http", "--param", "url=" + upstream.url("/down")});
  EXPECT_EQ(run.exit_code, 1);
  auto result = parsed_stdout(run);
  EXPECT_EQ(result.at("success"), false);
  EXPECT_EQ(result.at("diagnostics").at("statusCode"), 503);
}

TEST(CliTest, MissingParamsAreReportedAsAResult) {
  auto run = patchbay({"exec", "http"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(parsed_stdout(run).at("error"), "Missing required field(s): url");
}

TEST(CliTest, MockScenariosRunWithoutWaiting) {
  auto run = patchbay({"exec", "delay", "wait", "--param", "delayMs=100000", "--mock", "default"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(parsed_stdout(run).at("payload").at("delayed"), 100000);
}

TEST(CliTest, UsageErrorsExitWithTwo) {
  auto unknown_type = patchbay({"exec", "nope"});
  EXPECT_EQ(unknown_type.exit_code, 2);
  EXPECT_NE(unknown_type.err.find("unknown connector type 'nope'; built-in types: delay, http"),
            std::string::npos)
      << unknown_type.err;
  auto bad_pair = patchbay({"exec", "delay", "--param", "delayMs"});
  EXPECT_EQ(bad_pair.exit_code, 2);
  EXPECT_NE(bad_pair.err.find("must look like key=value"), std::string::npos);
  EXPECT_EQ(patchbay({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(patchbay({}).exit_code, 2);
  EXPECT_EQ(patchbay({"--log-level", "loud", "version"}).exit_code, 2);
}

TEST(CliTest, TypesListsBuiltinsAsTextAndJson) {
  auto text = patchbay({"types"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("delay 1.0.0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("wait (default)"), std::string::npos) << text.out;
  auto as_json = patchbay({"types", "--json"});
  auto list = parsed_stdout(as_json);
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.at(0).at("name"), "delay");
  EXPECT_EQ(list.at(1)
                .at("configSchema")
                .at("commands")
                .at("request")
                .at("paramSchema")
                .at("url")
                .at("required"),
            true);
}

TEST(CliTest, ExecRunsTheSeedsScriptConnectorWithItsSchema) {
  FakeUpstream upstream;
  upstream.on("GET", "/api/contacts", FakeUpstream::Reply::json(200, R"({"data": [{"id": 1}], "total": 1})"));
  std::string cases = PATCHBAY_TEST_CASES_DIR;
  auto run = patchbay({"exec", "--script", cases + "/scripts/seed_my_crm.js", "--schema",
                       cases + "/definitions/seed_script_connector.json", "listContacts",
                       "--param", "limit=5", "--connection", "baseUrl=" + upstream.url(),
                       "--connection", "apiKey=sk-1"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(parsed_stdout(run), *core::parse_json(
      R"({"success": true, "payload": {"contacts": [{"id": 1}], "total": 1}, "variables": {"contactCount": 1}})"));
  EXPECT_EQ(upstream.requests().at(0).target, "/api/contacts?limit=5&offset=0");
}

TEST(CliTest, ExecScriptWithoutSchemaRunsAnyTopLevelFunction) {
  auto run = patchbay({"exec", "--script", std::string(PATCHBAY_TEST_CASES_DIR) + "/scripts/seed_my_crm.js",
                       "nope"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(parsed_stdout(run).at("error"),
            "Unknown command 'nope' for connector 'seed_my_crm'. Available commands: listContacts, "
            "createContact, test");
}

TEST(CliTest, ExecScriptRejectsSyntaxErrorsWithTheirPosition) {
  test::TempDir dir;
  test::write_text(dir.path() / "broken.js", "function ok() {}\nfunction bad() { return ; ) }\n");
  auto run = patchbay({"exec", "--script", (dir.path() / "broken.js").string(), "ok"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("script does not compile: SyntaxError"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("(broken.js:2:"), std::string::npos) << run.err;
}

TEST(CliTest, KeygenPrintsOrWritesAKeyOnce) {
  auto printed = patchbay({"keygen"});
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_EQ(printed.out.size(), 65u);  // 64 hex digits and a newline
  test::TempDir dir;
  auto file = (dir.path() / "master.key").string();
  EXPECT_EQ(patchbay({"keygen", "--out", file}).exit_code, 0);
  auto again = patchbay({"keygen", "--out", file});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("cannot create key file"), std::string::npos);
}

TEST(CliTest, DebugLogsGoToStderrAsJsonLines) {
  auto run =
      patchbay({"--log-level", "debug", "--log-json", "exec", "delay", "--param", "delayMs=1"});
  EXPECT_EQ(run.exit_code, 0);
  auto line = core::parse_json(run.err.substr(0, run.err.find('\n')));
  ASSERT_TRUE(line.has_value()) << run.err;
  EXPECT_EQ(line->at("message"), "connector command finished");
  EXPECT_EQ(line->at("connector"), "delay");
}

}  // namespace
}  // namespace patchbay
