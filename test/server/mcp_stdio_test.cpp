// `patchbay mcp` on stdio, the real binary fed a script of lines: the
// lifecycle, malformed and oversize lines, a last line without its newline,
// stdout holding nothing but messages, and the REST client of --server against
// a real server (wrong token, unreachable server, bad options).

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "core/json.hpp"
#include "support/files.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"

namespace patchbay {
namespace {

namespace json = boost::json;

constexpr std::string_view kInitialize =
    R"({"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"stdio-test","version":"1"}}})";

// Every stdout line parsed; a line that is not JSON fails the test.
std::vector<json::value> messages(const std::string& out) {
  std::vector<json::value> all;
  std::size_t start = 0;
  while (start < out.size()) {
    auto end = out.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "every message ends with a newline";
    if (end == std::string::npos) end = out.size();
    auto parsed = core::parse_json(std::string_view(out).substr(start, end - start));
    EXPECT_TRUE(parsed) << "not a message on stdout: " << out.substr(start, end - start);
    if (parsed) all.push_back(*parsed);
    start = end + 1;
  }
  return all;
}

const json::value* reply_to(const std::vector<json::value>& all, const json::value& id) {
  for (const auto& message : all) {
    if (message.as_object().contains("id") && message.at("id") == id) return &message;
  }
  return nullptr;
}

class McpStdioTest : public ::testing::Test {
 protected:
  test::ProcessResult mcp(std::vector<std::string> args, const std::string& input) {
    args.insert(args.begin(), {PATCHBAY_BINARY, "mcp"});
    return test::run_process(args, input);
  }
  std::vector<std::string> local() { return {"--data-dir", (dir_.path() / "data").string()}; }

  test::TempDir dir_;
};

TEST_F(McpStdioTest, LifecycleAndMalformedLines) {
  std::string input;
  input += R"({"jsonrpc":"2.0","id":0,"method":"tools/list"})" "\n";  // before initialize
  input += std::string(kInitialize) + "\r\n";                           // CRLF is fine
  input += R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n";
  input += "\n   \n";                                                   // blank lines: ignored
  input += "this is not json\n";
  input += R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})" "\n";
  input += R"({"jsonrpc":"2.0","id":2,"method":"resources/list"})" "\n";
  input += R"({"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})" "\n";
  input += R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"list_connectors","arguments":{}}})" "\n";
  input += R"({"jsonrpc":"2.0","id":5,"method":"ping"})";  // no newline at the end
  auto run = mcp(local(), input);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto all = messages(run.out);

  auto early = reply_to(all, 0);
  ASSERT_NE(early, nullptr);
  EXPECT_EQ(early->at("error").at("code"), -32600);
  auto init = reply_to(all, "init");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->at("result").at("protocolVersion"), "2025-06-18");
  int parse_errors = 0;
  for (const auto& message : all) {
    if (message.as_object().contains("error") && message.at("error").at("code") == -32700) ++parse_errors;
  }
  EXPECT_EQ(parse_errors, 1);
  EXPECT_GE(reply_to(all, 1)->at("result").at("tools").as_array().size(), 10u);
  EXPECT_EQ(reply_to(all, 2)->at("result").at("resources").as_array().size(), 5u);
  EXPECT_EQ(reply_to(all, 3)->at("error").at("code"), -32600);  // initialized already
  EXPECT_TRUE(reply_to(all, 4)->at("result").at("structuredContent").at("connectors").is_array());
  ASSERT_NE(reply_to(all, 5), nullptr);
  EXPECT_EQ(all.size(), 8u);
}

TEST_F(McpStdioTest, OversizeLinesAreSkippedAndTheSessionGoesOn) {
  std::string input = std::string(kInitialize) + "\n";
  input += R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"parse_openapi_spec","arguments":{"spec":")" +
           std::string(300 * 1024, 'x') + "\"}}}\n";
  input += R"({"jsonrpc":"2.0","id":2,"method":"ping"})" "\n";
  auto run = mcp({"--max-message-bytes", "65536", "--data-dir", (dir_.path() / "data").string()}, input);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto all = messages(run.out);
  ASSERT_EQ(all.size(), 3u) << run.out.substr(0, 2000);
  EXPECT_TRUE(all[1].at("id").is_null());
  EXPECT_EQ(all[1].at("error").at("code"), -32600);
  EXPECT_NE(json::serialize(all[1]).find("over 65536 bytes"), std::string::npos);
  EXPECT_NE(reply_to(all, 2), nullptr);
  EXPECT_NE(run.err.find("size limit"), std::string::npos) << "the skip is logged on stderr";
}

TEST_F(McpStdioTest, OptionsAreChecked) {
  auto none = mcp({}, "");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--server URL --token T"), std::string::npos) << none.err;
  auto both = mcp({"--server", "http://127.0.0.1:1", "--token", "t", "--data-dir", "x"}, "");
  EXPECT_EQ(both.exit_code, 2);
  auto scheme = mcp({"--server", "ftp://127.0.0.1", "--token", "t"}, "");
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_NE(scheme.err.find("not http or https"), std::string::npos) << scheme.err;
  auto no_token = mcp({"--server", "http://127.0.0.1:8080"}, "");
  EXPECT_EQ(no_token.exit_code, 2);
  EXPECT_NE(no_token.err.find("token"), std::string::npos) << no_token.err;
}

TEST_F(McpStdioTest, ThroughAServerTheTokenDecides) {
  test::ServerProcess server(PATCHBAY_BINARY, {"--data-dir", (dir_.path() / "served").string()});
  ASSERT_TRUE(server.running());
  std::string input = std::string(kInitialize) + "\n" +
                      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_connectors"}})" "\n";

  auto good = mcp({"--server", server.url(), "--token", server.admin_token()}, input);
  ASSERT_EQ(good.exit_code, 0) << good.err;
  auto good_messages = messages(good.out);
  auto listed = reply_to(good_messages, 1);
  ASSERT_NE(listed, nullptr);
  EXPECT_FALSE(listed->at("result").as_object().contains("isError")) << json::serialize(*listed);

  auto wrong = mcp({"--server", server.url(), "--token", "pbt_wrong"}, input);
  auto wrong_messages = messages(wrong.out);
  auto refused = reply_to(wrong_messages, 1);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->at("result").at("isError"), true);
  EXPECT_NE(json::serialize(*refused).find("unauthenticated"), std::string::npos);

  // Nobody listening: a tool error naming the server, not a hang or a crash.
  auto away = mcp({"--server", "http://127.0.0.1:1", "--token", "t"}, input);
  ASSERT_EQ(away.exit_code, 0) << away.err;
  auto away_messages = messages(away.out);
  auto unreachable = reply_to(away_messages, 1);
  ASSERT_NE(unreachable, nullptr);
  EXPECT_NE(json::serialize(*unreachable).find("cannot reach patchbay at http://127.0.0.1:1"),
            std::string::npos);
}

}  // namespace
}  // namespace patchbay
