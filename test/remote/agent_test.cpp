// The on-premise agent end to end: the real `patchbay serve` and real
// `patchbay agent` processes on loopback, and an "internal" HTTP service
// (FakeUpstream) that only the agent's allow-list lets through: the server's
// policy refuses loopback, as in production.

#include <chrono>
#include <csignal>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "agent/websocket_client.hpp"
#include "support/child_process.hpp"
#include "support/fake_upstream.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"

namespace patchbay {
namespace {

namespace json = boost::json;
using test::FakeUpstream;
using test::HttpCall;
using test::HttpReply;
using namespace std::chrono_literals;

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    internal_.set_handler([](const FakeUpstream::Request& request) {
      auto reply = FakeUpstream::Reply::json(200, R"({"path": ")" + request.target + R"("})");
      if (request.path == "/slow") reply.delay = 5s;
      if (request.path == "/ordered") {
        // Later requests answer sooner, so answers come back out of order.
        auto n = std::stoi(request.target.substr(request.target.find('=') + 1));
        reply.delay = std::chrono::milliseconds(400 - 40 * n);
      }
      return reply;
    });
    start_server();
    agent_token_ = create_token("agent-one", "agent");
  }

  void start_server(const std::string& listen = "127.0.0.1:0") {
    std::vector<std::string> args{"--listen", listen, "--data-dir", (dir_.path() / "data").string(),
                                  "--ws-idle-seconds", "2"};
    // The server must not reach the internal service itself.
    server_ = std::make_unique<test::ServerProcess>(PATCHBAY_BINARY, args,
                                                    std::vector<std::string>{"PATCHBAY_HTTP_ALLOW="});
    ASSERT_TRUE(server_->running());
    if (!server_->admin_token().empty()) token_ = server_->admin_token();
  }

  std::string endpoint() const {
    return "ws://127.0.0.1:" + std::to_string(server_->port()) + "/api/connectors/agents/ws";
  }

  std::unique_ptr<test::ChildProcess> start_agent(const std::string& id,
                                                  const std::string& token) {
    return std::make_unique<test::ChildProcess>(std::vector<std::string>{
        PATCHBAY_BINARY, "agent", "--server", endpoint(), "--token", token, "--id", id, "--name",
        "Test Agent", "--connectors", "internal-http,other", "--allow", "127.0.0.1/32",
        "--allow-ports", std::to_string(internal_.port())});
  }

  // Starts an agent and waits for its registration.
  std::unique_ptr<test::ChildProcess> registered_agent(const std::string& id = "agent-01") {
    auto agent = start_agent(id, agent_token_);
    EXPECT_FALSE(agent->wait_for_word_after("registered with ").empty()) << agent->log();
    return agent;
  }

  HttpReply call(std::string method, std::string target, const json::value& body = nullptr) {
    HttpCall request{.method = std::move(method), .target = std::move(target)};
    if (!body.is_null()) request.body = json::serialize(body);
    request.token = token_;
    return test::http_call(server_->port(), request);
  }

  std::string create_token(const std::string& name, const std::string& role) {
    auto reply = call("POST", "/api/tokens", json::object{{"name", name}, {"role", role}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.status == 201 ? std::string(reply.json().at("token").as_string()) : "";
  }

  void create_http_connector(const std::string& name, const std::string& agent = "") {
    json::object body{{"name", name}, {"type", "http"}, {"executionModel", "built_in"}};
    if (!agent.empty()) body["agent"] = agent;
    auto reply = call("POST", "/api/connectors", body);
    ASSERT_EQ(reply.status, 201) << reply.body;
  }

  json::object get(const std::string& connector, const std::string& path) {
    auto reply = call("POST", "/api/connectors/" + connector + "/execute",
                      json::object{{"params", {{"url", internal_.url(path)}, {"method", "GET"}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json().as_object();
  }

  json::object agent_view(const std::string& id) {
    auto reply = call("GET", "/api/agents");
    EXPECT_EQ(reply.status, 200) << reply.body;
    auto agents = reply.json();
    for (const auto& agent : agents.as_array()) {
      if (agent.at("agentId") == json::value(id)) return agent.as_object();
    }
    return {};
  }

  // Polls GET /api/agents until the agent has `status` (a liveness wait).
  bool wait_for_status(const std::string& id, const std::string& status) {
    for (int i = 0; i < 200; ++i) {
      auto view = agent_view(id);
      if (!view.empty() && view.at("status") == json::value(status)) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  test::TempDir dir_;
  FakeUpstream internal_;
  std::unique_ptr<test::ServerProcess> server_;
  std::string token_;
  std::string agent_token_;
};

TEST_F(AgentTest, CommandsRunOnTheAgentWhichReachesWhatTheServerCannot) {
  auto agent = registered_agent();
  create_http_connector("internal-http");  // claimed by name in --connectors
  create_http_connector("direct-http");    // not claimed: runs on the server

  auto through_agent = get("internal-http", "/hello");
  ASSERT_EQ(through_agent.at("success"), true) << json::serialize(through_agent);
  EXPECT_EQ(through_agent.at("payload").at("status"), 200);
  EXPECT_EQ(through_agent.at("payload").at("body").at("path"), "/hello");

  auto direct = get("direct-http", "/hello");
  EXPECT_EQ(direct.at("success"), false);
  EXPECT_NE(json::serialize(direct).find("policy_denied"), std::string::npos);
  EXPECT_EQ(internal_.requests().size(), 1u);

  // The "agent" field binds a connector of any name; a script runs on the agent too.
  auto script = call("POST", "/api/connectors",
                     json::object{{"name", "internal-script"},
                                  {"executionModel", "script"},
                                  {"agent", "agent-01"},
                                  {"scriptSource",
                                   "async function fetchIt() { const r = await floh.http.get(\"" +
                                       internal_.url("/from-script") +
                                       "\"); return {success: true, payload: r.body}; }"},
                                  {"configSchema", {{"commands", {{"fetchIt", json::object{}}}}}}});
  ASSERT_EQ(script.status, 201) << script.body;
  auto scripted = call("POST", "/api/connectors/internal-script/execute",
                       json::object{{"command", "fetchIt"}});
  ASSERT_EQ(scripted.json().at("success"), true) << scripted.body;
  EXPECT_EQ(scripted.json().at("payload").at("path"), "/from-script");

  auto view = agent_view("agent-01");
  ASSERT_FALSE(view.empty());
  EXPECT_EQ(view.at("status"), "online");
  EXPECT_EQ(view.at("agentName"), "Test Agent");
  EXPECT_EQ(json::serialize(view.at("connectorNames")), R"(["internal-http","other"])");
  EXPECT_EQ(view.at("token"), "agent-one");
  EXPECT_EQ(view.at("commands"), 2);
}

TEST_F(AgentTest, ConcurrentCommandsGetTheirOwnAnswers) {
  auto agent = registered_agent();
  create_http_connector("internal-http");
  constexpr int kCommands = 8;
  std::vector<std::future<json::object>> answers;
  for (int n = 0; n < kCommands; ++n) {
    answers.push_back(std::async(std::launch::async, [this, n] {
      return get("internal-http", "/ordered?n=" + std::to_string(n));
    }));
  }
  for (int n = 0; n < kCommands; ++n) {
    auto result = answers[static_cast<std::size_t>(n)].get();
    ASSERT_EQ(result.at("success"), true) << json::serialize(result);
    EXPECT_EQ(result.at("payload").at("body").at("path"),
              json::value("/ordered?n=" + std::to_string(n)));
  }
}

TEST_F(AgentTest, AnAgentKilledMidCommandFailsItClearlyAndWorksAgainAfterReconnecting) {
  auto agent = registered_agent();
  create_http_connector("internal-http");
  auto started = std::chrono::steady_clock::now();
  auto pending = std::async(std::launch::async, [this] { return get("internal-http", "/slow"); });
  for (int i = 0; i < 200 && internal_.requests().empty(); ++i) std::this_thread::sleep_for(25ms);
  ASSERT_EQ(internal_.requests().size(), 1u) << "the command never reached the internal service";
  agent->kill();

  auto failed = pending.get();
  EXPECT_EQ(failed.at("success"), false);
  EXPECT_NE(std::string(failed.at("error").as_string()).find("disconnected while running"),
            std::string::npos)
      << json::serialize(failed);
  // Answered when the connection dropped, not when the 5 s reply would have come.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);

  ASSERT_TRUE(wait_for_status("agent-01", "offline"));
  auto offline = get("internal-http", "/hello");
  EXPECT_EQ(offline.at("success"), false);
  EXPECT_NE(std::string(offline.at("error").as_string()).find("is offline"), std::string::npos);

  agent = registered_agent();
  EXPECT_EQ(get("internal-http", "/hello").at("success"), true);
}

TEST_F(AgentTest, ACommandTheAgentDoesNotAnswerInTimeFailsThen) {
  auto agent = registered_agent();
  auto created = call("POST", "/api/connectors",
                      json::object{{"name", "internal-http"},
                                   {"type", "http"},
                                   {"executionModel", "built_in"},
                                   {"limits", {{"wallTimeMs", 300}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto slow = get("internal-http", "/slow");  // the service takes 5 s
  EXPECT_EQ(slow.at("success"), false);
  EXPECT_NE(std::string(slow.at("error").as_string()).find("did not answer within"),
            std::string::npos)
      << json::serialize(slow);
  EXPECT_EQ(slow.at("diagnostics").at("reason"), "timeout");
  // The agent is still fine for the next command.
  EXPECT_EQ(get("internal-http", "/hello").at("success"), true);
}

TEST_F(AgentTest, TheAgentRegistersAgainAfterTheServerRestarts) {
  auto agent = registered_agent();
  create_http_connector("internal-http");
  auto listen = "127.0.0.1:" + std::to_string(server_->port());
  ASSERT_EQ(server_->stop(), 0);
  start_server(listen);
  // The agent's backoff brings it back on its own.
  EXPECT_TRUE(agent->wait_for_output([](const std::string& out) {
    auto first = out.find("registered with ");
    return first != std::string::npos && out.find("registered with ", first + 1) != std::string::npos;
  })) << agent->log();
  EXPECT_EQ(get("internal-http", "/hello").at("success"), true);
}

TEST_F(AgentTest, HeartbeatsNoticeAFrozenAgent) {
  auto agent = registered_agent();
  agent->signal(SIGSTOP);  // alive but silent: no pong, no close
  EXPECT_TRUE(wait_for_status("agent-01", "offline"));
  EXPECT_NE(std::string(agent_view("agent-01").at("disconnectReason").as_string()).size(), 0u);
  agent->signal(SIGCONT);
  EXPECT_TRUE(wait_for_status("agent-01", "online"));
}

TEST_F(AgentTest, BadTokensAndBadRegistrationsAreRefused) {
  // An admin token is not an agent token.
  auto admin = start_agent("agent-admin", token_);
  EXPECT_TRUE(admin->wait_for_output(
      [](const std::string& out) { return out.find("refused by the server") != std::string::npos; }))
      << admin->log();
  EXPECT_NE(admin->output().find("4403"), std::string::npos) << admin->output();
  EXPECT_EQ(admin->stop(), 3);

  auto forged = start_agent("agent-forged", "pb_not-a-real-token");
  EXPECT_TRUE(forged->wait_for_output(
      [](const std::string& out) { return out.find("refused by the server") != std::string::npos; }));
  EXPECT_NE(forged->output().find("4401"), std::string::npos) << forged->output();

  // A registration that is not one: closed with 4400.
  std::mutex mutex;
  std::condition_variable closed;
  std::string why;
  agent::WebSocketClient client({.url = endpoint()},
                                {.on_message = [](std::string) {},
                                 .on_close =
                                     [&](std::string reason) {
                                       std::lock_guard lock(mutex);
                                       why = std::move(reason);
                                       closed.notify_all();
                                     }});
  ASSERT_TRUE(client.connect().has_value());
  client.send(R"({"agentId": "x", "apiToken": 5})");
  std::unique_lock lock(mutex);
  EXPECT_TRUE(closed.wait_for(lock, 10s, [&] { return !why.empty(); }));
  EXPECT_NE(why.find("4400"), std::string::npos) << why;
  lock.unlock();

  EXPECT_TRUE(agent_view("agent-admin").empty());
  EXPECT_TRUE(agent_view("agent-forged").empty());
  EXPECT_TRUE(agent_view("x").empty());
}

TEST_F(AgentTest, AgentsConnectOverTlsAndCheckTheServersCertificate) {
  auto file = [this](const std::string& name) { return (dir_.path() / name).string(); };
  auto made = test::run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                 "-subj", "/CN=localhost", "-addext",
                                 "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "1",
                                 "-keyout", file("server.key"), "-out", file("server.pem")});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  test::ServerProcess tls(PATCHBAY_BINARY,
                          {"--data-dir", file("tls-data"), "--tls-cert", file("server.pem"),
                           "--tls-key", file("server.key")},
                          {"PATCHBAY_HTTP_ALLOW="});
  ASSERT_TRUE(tls.running()) << tls.output();
  auto token = test::run_process({PATCHBAY_BINARY, "token", "create", "--name", "tls-agent",
                                  "--role", "agent", "--data-dir", file("tls-data")});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  auto agent_token = token.out.substr(0, token.out.find('\n'));
  auto wss = "wss://127.0.0.1:" + std::to_string(tls.port()) + "/api/connectors/agents/ws";
  std::vector<std::string> args{PATCHBAY_BINARY, "agent", "--server", wss, "--token", agent_token,
                                "--id", "agent-tls"};

  // Without the server's CA the certificate is not trusted: no registration.
  test::ChildProcess untrusting(args);
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    refused = untrusting.log().find("certificate verify failed") != std::string::npos;
    if (!refused) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(refused) << untrusting.log();
  EXPECT_EQ(untrusting.output().find("registered"), std::string::npos);

  args.insert(args.end(), {"--ca-file", file("server.pem")});
  test::ChildProcess trusting(args);
  EXPECT_EQ(trusting.wait_for_word_after("registered with "), wss) << trusting.log();
}

}  // namespace
}  // namespace patchbay
