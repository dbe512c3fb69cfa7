// HttpServer's WebSocket endpoint and TLS, driven by the agent's WebSocketClient
// (and, where a peer must misbehave, by a raw TCP socket) on loopback. Waits are
// liveness bounds on events, never timing assertions.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <curl/curl.h>
#include <gtest/gtest.h>

#include "agent/websocket_client.hpp"
#include "server/http_server.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"

namespace patchbay {
namespace {

using agent::WebSocketClient;
using agent::WebSocketClientOptions;
using server::HttpRequest;
using server::HttpResponse;
using server::HttpServer;
using server::HttpServerOptions;
using server::WebSocketConnection;
using server::WebSocketListener;

// A bound on waiting for an event that must happen; not a performance figure.
constexpr std::chrono::seconds kLiveness{10};

// Messages and closes seen by one end, with waits for them.
class Recorder {
 public:
  void message(std::string text) { add(messages_, std::move(text)); }
  void closed(std::string why) { add(closes_, std::move(why)); }
  bool wait_messages(std::size_t count) { return wait(messages_, count); }
  bool wait_closes(std::size_t count) { return wait(closes_, count); }
  std::vector<std::string> messages() { return copy(messages_); }
  std::vector<std::string> closes() { return copy(closes_); }

 private:
  void add(std::vector<std::string>& list, std::string text) {
    std::lock_guard lock(mutex_);
    list.push_back(std::move(text));
    changed_.notify_all();
  }
  bool wait(const std::vector<std::string>& list, std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kLiveness, [&] { return list.size() >= count; });
  }
  std::vector<std::string> copy(const std::vector<std::string>& list) {
    std::lock_guard lock(mutex_);
    return list;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> messages_;
  std::vector<std::string> closes_;
};

// Echoes every message; "close:CODE:REASON" makes the server close instead, and
// "flood:COUNT:BYTES" makes it send COUNT messages of BYTES each.
class EchoListener : public WebSocketListener {
 public:
  EchoListener(std::shared_ptr<WebSocketConnection> connection, Recorder& recorder)
      : connection_(std::move(connection)), recorder_(recorder) {}

  void on_message(std::string text) override {
    recorder_.message(text);
    if (text.rfind("close:", 0) == 0) {
      auto colon = text.find(':', 6);
      connection_->close(static_cast<std::uint16_t>(std::stoi(text.substr(6, colon - 6))),
                         text.substr(colon + 1));
      return;
    }
    if (text.rfind("flood:", 0) == 0) {
      auto colon = text.find(':', 6);
      int count = std::stoi(text.substr(6, colon - 6));
      std::size_t bytes = std::stoul(text.substr(colon + 1));
      for (int i = 0; i < count; ++i) connection_->send(std::string(bytes, 'x'));
      return;
    }
    connection_->send(std::move(text));
  }
  void on_close(std::string why) override { recorder_.closed(std::move(why)); }

 private:
  std::shared_ptr<WebSocketConnection> connection_;
  Recorder& recorder_;
};

// WebSocket at /echo (nothing else); plain requests answer "hello <path>".
class EchoHandler : public server::RequestHandler {
 public:
  void handle(HttpRequest request, server::Responder respond) override {
    respond(
        HttpResponse{.status = 200, .content_type = "text/plain", .body = "hello " + request.path});
  }
  HttpResponse transport_error(int status, std::string_view message) override {
    return HttpResponse{
        .status = status, .content_type = "text/plain", .body = std::string(message)};
  }
  std::shared_ptr<WebSocketListener> websocket(
      const HttpRequest& request, std::shared_ptr<WebSocketConnection> connection) override {
    if (request.path != "/echo") return nullptr;
    EXPECT_EQ(connection->remote_address(), "127.0.0.1");
    return std::make_shared<EchoListener>(std::move(connection), server);
  }

  Recorder server;  // what the server-side listeners saw
};

HttpServerOptions loopback(HttpServerOptions options = {}) {
  options.address = "127.0.0.1";
  options.port = 0;
  return options;
}

// An HttpServer with the echo handler, started.
struct EchoServer {
  explicit EchoServer(HttpServerOptions options = {})
      : http(loopback(std::move(options)), handler) {
    auto started = http.start();
    EXPECT_TRUE(started) << (started ? "" : started.error().message);
  }
  std::string url(const std::string& path, const std::string& scheme = "ws") const {
    return scheme + "://127.0.0.1:" + std::to_string(http.port()) + path;
  }

  EchoHandler handler;
  HttpServer http;
};

// A WebSocketClient whose callbacks go to a Recorder.
struct Client {
  explicit Client(WebSocketClientOptions options)
      : client(std::move(options),
               {.on_message = [this](std::string text) { seen.message(std::move(text)); },
                .on_close = [this](std::string why) { seen.closed(std::move(why)); }}) {}

  Recorder seen;
  WebSocketClient client;
};

WebSocketClientOptions to(std::string url) {
  WebSocketClientOptions options;
  options.url = std::move(url);
  return options;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// An echo server with default options and one client connected to /echo.
class WebSocketEchoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connected = client.client.connect();
    ASSERT_TRUE(connected) << connected.error().message;
  }

  EchoServer server;
  Client client{to(server.url("/echo"))};
};

TEST_F(WebSocketEchoTest, EchoesAThousandMessagesInOrder) {
  for (int i = 0; i < 1000; ++i) client.client.send("message " + std::to_string(i));
  ASSERT_TRUE(client.seen.wait_messages(1000));
  auto echoed = client.seen.messages();
  ASSERT_EQ(echoed.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(echoed[i], "message " + std::to_string(i));
  EXPECT_TRUE(client.seen.closes().empty());
}

TEST(WebSocketTest, RefusedPathAnswers404AndPlainRequestsStillWork) {
  EchoServer server;
  Client client(to(server.url("/nowhere")));
  auto connected = client.client.connect();
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().code, core::ErrorCode::Unavailable);
  EXPECT_TRUE(contains(connected.error().message, "404")) << connected.error().message;
  EXPECT_TRUE(contains(connected.error().message, server.url("/nowhere")))
      << connected.error().message;
  EXPECT_TRUE(client.seen.closes().empty());  // a failed connect() calls no callback

  auto reply = test::http_call(server.http.port(), {.target = "/plain"});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "hello /plain");
}

TEST_F(WebSocketEchoTest, ServerCloseCodeAndReasonReachTheClient) {
  client.client.send("close:4001:asked to leave");
  ASSERT_TRUE(client.seen.wait_closes(1));
  EXPECT_EQ(client.seen.closes()[0], "closed by the server: 4001 asked to leave");
  ASSERT_TRUE(server.handler.server.wait_closes(1));
  EXPECT_EQ(server.handler.server.closes()[0], "closed by the server: 4001 asked to leave");
}

TEST_F(WebSocketEchoTest, ClientCloseReachesTheServer) {
  client.client.send("first");
  ASSERT_TRUE(client.seen.wait_messages(1));
  client.client.close(1000, "bye");
  ASSERT_TRUE(server.handler.server.wait_closes(1));
  EXPECT_EQ(server.handler.server.closes()[0], "closed by the client: 1000 bye");
  ASSERT_TRUE(client.seen.wait_closes(1));
  EXPECT_EQ(client.seen.closes()[0], "closed by the client: 1000 bye");
  client.client.send("after close");  // dropped, no crash
  EXPECT_EQ(server.handler.server.messages(), std::vector<std::string>{"first"});
}

TEST_F(WebSocketEchoTest, ClientCanConnectAgainAfterAClose) {
  auto again = client.client.connect();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::Conflict);
  client.client.close();
  ASSERT_TRUE(client.seen.wait_closes(1));
  ASSERT_TRUE(client.client.connect());
  client.client.send("second life");
  ASSERT_TRUE(client.seen.wait_messages(1));
  EXPECT_EQ(client.seen.messages()[0], "second life");
}

// The handshake done by hand, then nothing: a peer that went away without a FIN.
class RawPeer {
 public:
  explicit RawPeer(unsigned short port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    std::string upgrade =
        "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    boost::asio::write(socket_, boost::asio::buffer(upgrade));
    auto n = boost::asio::read_until(socket_, boost::asio::dynamic_buffer(buffer_), "\r\n\r\n");
    response_ = buffer_.substr(0, n);
    buffer_.erase(0, n);
  }

  const std::string& response() const { return response_; }

  void hang_up() {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // One masked frame from the client side (payload under 126 bytes).
  void send_frame(unsigned char opcode, const std::string& payload) {
    std::string frame;
    frame += static_cast<char>(0x80 | opcode);
    frame += static_cast<char>(0x80 | payload.size());
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
      frame += static_cast<char>(payload[i] ^ mask[i % 4]);
    boost::asio::write(socket_, boost::asio::buffer(frame));
  }

  // The next frame from the server that is not a ping: {opcode, payload}.
  std::pair<int, std::string> read_frame() {
    for (;;) {
      fill(2);
      int opcode = static_cast<unsigned char>(buffer_[0]) & 0x0f;
      std::size_t length = static_cast<unsigned char>(buffer_[1]) & 0x7f;  // small frames only
      fill(2 + length);
      std::string payload = buffer_.substr(2, length);
      buffer_.erase(0, 2 + length);
      if (opcode != 0x9) return {opcode, payload};
    }
  }

 private:
  void fill(std::size_t bytes) {
    while (buffer_.size() < bytes) {
      char chunk[512];
      auto n = socket_.read_some(boost::asio::buffer(chunk));
      buffer_.append(chunk, n);
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::string buffer_;
  std::string response_;
};

TEST(WebSocketTest, HeartbeatDropsASilentPeerAndKeepsALiveOne) {
  HttpServerOptions options;
  options.websocket_idle_timeout = std::chrono::seconds(2);
  EchoServer server(options);
  Client live(to(server.url("/echo")));  // answers pings on its own
  ASSERT_TRUE(live.client.connect());
  RawPeer silent(server.http.port());
  ASSERT_TRUE(contains(silent.response(), "101")) << silent.response();

  ASSERT_TRUE(server.handler.server.wait_closes(1));
  EXPECT_EQ(server.handler.server.closes()[0],
            "heartbeat timeout: nothing received from the client for 2 s");
  // The live client was idle at least as long, and is still connected.
  EXPECT_TRUE(live.seen.closes().empty());
  live.client.send("still here");
  ASSERT_TRUE(live.seen.wait_messages(1));
  EXPECT_EQ(server.handler.server.closes().size(), 1u);
}

TEST(WebSocketTest, APeerThatStopsReadingIsDroppedBeforeItsQueueGrowsPast64MiB) {
  EchoServer server;
  RawPeer reader_on_strike(server.http.port());
  ASSERT_TRUE(contains(reader_on_strike.response(), "101")) << reader_on_strike.response();
  reader_on_strike.send_frame(0x1, "flood:100:1048576");  // 100 MiB, never read

  ASSERT_TRUE(server.handler.server.wait_closes(1));
  EXPECT_EQ(server.handler.server.closes()[0],
            "the client reads too slowly: over 67108864 bytes waiting to be sent");
  // The server goes on serving others.
  Client other(to(server.url("/echo")));
  ASSERT_TRUE(other.client.connect());
  other.client.send("still serving");
  ASSERT_TRUE(other.seen.wait_messages(1));
}

TEST(WebSocketTest, BinaryMessageClosesWith1003) {
  EchoServer server;
  RawPeer peer(server.http.port());
  peer.send_frame(0x2, "\x01\x02");
  auto [opcode, payload] = peer.read_frame();
  EXPECT_EQ(opcode, 0x8);
  ASSERT_GE(payload.size(), 2u);
  EXPECT_EQ((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]),
            1003);
  peer.send_frame(0x8, payload.substr(0, 2));  // answer the close, then hang up as a client does
  peer.hang_up();
  ASSERT_TRUE(server.handler.server.wait_closes(1));
  EXPECT_EQ(server.handler.server.closes()[0],
            "closed by the server: the client sent a binary message (1003)");
}

TEST(WebSocketTest, OversizeMessageClosesWith1009) {
  HttpServerOptions options;
  options.websocket_max_message_bytes = 1024;
  EchoServer server(options);
  Client client(to(server.url("/echo")));
  ASSERT_TRUE(client.client.connect());
  client.client.send(std::string(1000, 'a'));
  client.client.send(std::string(2000, 'b'));
  ASSERT_TRUE(client.seen.wait_closes(1));
  EXPECT_TRUE(contains(client.seen.closes()[0], "closed by the server: 1009"))
      << client.seen.closes()[0];
  ASSERT_TRUE(server.handler.server.wait_closes(1));
  // The echo of the first may lose the race with the close frame; its arrival may not.
  EXPECT_EQ(server.handler.server.messages(), std::vector<std::string>{std::string(1000, 'a')});
  EXPECT_EQ(server.handler.server.closes()[0],
            "closed by the server: a message over the limit of 1024 bytes (1009)");
}

TEST_F(WebSocketEchoTest, StopClosesOpenConnectionsAndTellsBothSides) {
  Client second(to(server.url("/echo")));
  ASSERT_TRUE(second.client.connect());
  server.http.stop();
  auto server_closes = server.handler.server.closes();
  EXPECT_EQ(server_closes, (std::vector<std::string>{"server stopping", "server stopping"}));
  for (auto* each : {&client, &second}) {
    ASSERT_TRUE(each->seen.wait_closes(1));
    EXPECT_EQ(each->seen.closes()[0], "closed by the server: 1001 server stopping");
  }
  EXPECT_EQ(server.http.open_connections(), 0u);
}

TEST(WebSocketTest, ClientRefusesBadUrls) {
  for (const auto* url : {"http://127.0.0.1/echo", "not a url", "ws:///echo", "ws://h/echo#x"}) {
    Client client(to(url));
    auto connected = client.client.connect();
    ASSERT_FALSE(connected) << url;
    EXPECT_EQ(connected.error().code, core::ErrorCode::InvalidArgument) << url;
    EXPECT_TRUE(contains(connected.error().message, url)) << connected.error().message;
  }
}

TEST(WebSocketTest, ClientReportsARefusedConnection) {
  unsigned short port = 0;
  {
    EchoServer gone;
    port = gone.http.port();
  }
  Client client(to("ws://127.0.0.1:" + std::to_string(port) + "/echo"));
  auto connected = client.client.connect();
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().code, core::ErrorCode::Unavailable);
  EXPECT_TRUE(contains(connected.error().message, "cannot connect")) << connected.error().message;
}

// A throwaway CA-less setup: a self-signed certificate for 127.0.0.1 and
// localhost, and a second one whose key does not match the first.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    make_certificate("server");
    make_certificate("other");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static void make_certificate(const std::string& name) {
    auto made = test::run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                   "-subj", "/CN=localhost", "-addext",
                                   "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "1",
                                   "-keyout", file(name + ".key"), "-out", file(name + ".pem")});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  static std::string file(const std::string& name) { return (dir_->path() / name).string(); }

  static HttpServerOptions tls_options() {
    HttpServerOptions options;
    options.tls_certificate_file = file("server.pem");
    options.tls_private_key_file = file("server.key");
    return options;
  }

  static test::TempDir* dir_;
};
test::TempDir* TlsTest::dir_ = nullptr;

// GET over HTTPS with libcurl, trusting `ca_file`: {status, body}, or {0, error}.
std::pair<long, std::string> https_get(const std::string& url, const std::string& ca_file) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, std::size_t size, std::size_t count, void* out) {
        static_cast<std::string*>(out)->append(data, size * count);
        return size * count;
      });
  auto code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) return {0, curl_easy_strerror(code)};
  return {status, body};
}

TEST_F(TlsTest, HttpsRequestIsAnswered) {
  EchoServer server(tls_options());
  auto [status, body] = https_get(server.url("/plain", "https"), file("server.pem"));
  EXPECT_EQ(status, 200) << body;
  EXPECT_EQ(body, "hello /plain");
  // The same port speaks no plain HTTP.
  auto [plain_status, plain_body] = https_get(server.url("/plain", "http"), file("server.pem"));
  EXPECT_NE(plain_status, 200) << plain_body;
}

TEST_F(TlsTest, WssClientTrustingTheCaEchoes) {
  EchoServer server(tls_options());
  auto options = to(server.url("/echo", "wss"));
  options.ca_file = file("server.pem");
  Client client(options);
  auto connected = client.client.connect();
  ASSERT_TRUE(connected) << connected.error().message;
  client.client.send("over tls");
  ASSERT_TRUE(client.seen.wait_messages(1));
  EXPECT_EQ(client.seen.messages()[0], "over tls");
  client.client.close(1000, "bye");
  ASSERT_TRUE(server.handler.server.wait_closes(1));
  EXPECT_EQ(server.handler.server.closes()[0], "closed by the client: 1000 bye");
  ASSERT_TRUE(client.seen.wait_closes(1));
  EXPECT_EQ(client.seen.closes()[0], "closed by the client: 1000 bye");
}

TEST_F(TlsTest, StopClosesWssConnections) {
  EchoServer server(tls_options());
  auto options = to(server.url("/echo", "wss"));
  options.ca_file = file("server.pem");
  Client client(options);
  ASSERT_TRUE(client.client.connect());
  server.http.stop();
  EXPECT_EQ(server.handler.server.closes(), std::vector<std::string>{"server stopping"});
  ASSERT_TRUE(client.seen.wait_closes(1));
  EXPECT_EQ(client.seen.closes()[0], "closed by the server: 1001 server stopping");
}

TEST_F(TlsTest, WssClientWithoutTheCaFailsOnTheCertificate) {
  EchoServer server(tls_options());
  Client client(to(server.url("/echo", "wss")));
  auto connected = client.client.connect();
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().code, core::ErrorCode::Unavailable);
  EXPECT_TRUE(contains(connected.error().message, "certificate")) << connected.error().message;
  EXPECT_TRUE(server.handler.server.closes().empty());
}

TEST_F(TlsTest, StartFailsOnOnlyOneTlsFile) {
  EchoHandler handler;
  auto options = loopback(tls_options());
  options.tls_private_key_file.clear();
  HttpServer only_certificate(options, handler);
  auto started = only_certificate.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_TRUE(contains(started.error().message, "private key")) << started.error().message;

  options = loopback(tls_options());
  options.tls_certificate_file.clear();
  HttpServer only_key(options, handler);
  started = only_key.start();
  ASSERT_FALSE(started);
  EXPECT_TRUE(contains(started.error().message, "certificate file")) << started.error().message;
}

TEST_F(TlsTest, StartFailsOnUnusableTlsFiles) {
  EchoHandler handler;
  test::write_text(dir_->path() / "garbage.pem", "not a certificate\n");
  struct Case {
    std::string certificate, key, expected;
  };
  for (const auto& c : std::vector<Case>{
           {file("missing.pem"), file("server.key"), "cannot read the TLS certificate file"},
           {file("server.pem"), file("missing.key"), "cannot read the TLS private key file"},
           {file("garbage.pem"), file("server.key"), "holds no usable PEM certificate"},
           {file("server.pem"), file("garbage.pem"), "holds no usable PEM key"},
           {file("server.pem"), file("other.key"), "key values mismatch"}}) {
    auto options = loopback();
    options.tls_certificate_file = c.certificate;
    options.tls_private_key_file = c.key;
    HttpServer http(options, handler);
    auto started = http.start();
    ASSERT_FALSE(started) << c.certificate << " " << c.key;
    EXPECT_EQ(started.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_TRUE(contains(started.error().message, c.expected)) << started.error().message;
  }
}

// `patchbay serve` as an operator runs it: flags, environment and config file.
TEST_F(TlsTest, ServeWithTlsFlagsAnswersHttps) {
  test::TempDir data;
  test::ServerProcess server(PATCHBAY_BINARY, {"--data-dir", (data.path() / "data").string(),
                                               "--tls-cert", file("server.pem"), "--tls-key",
                                               file("server.key"), "--ws-idle-seconds", "5"});
  ASSERT_TRUE(server.running()) << server.output();
  EXPECT_EQ(server.url(), "https://127.0.0.1:" + std::to_string(server.port()));
  auto [status, body] = https_get(server.url() + "/api/health", file("server.pem"));
  EXPECT_EQ(status, 200) << body;
}

TEST_F(TlsTest, ServeTakesTlsFilesFromTheEnvironmentAndTheConfigFile) {
  test::TempDir data;
  test::ServerProcess from_env(
      PATCHBAY_BINARY, {"--data-dir", (data.path() / "env").string()},
      {"PATCHBAY_TLS_CERT=" + file("server.pem"), "PATCHBAY_TLS_KEY=" + file("server.key")});
  ASSERT_TRUE(from_env.running()) << from_env.output();
  EXPECT_EQ(from_env.url().rfind("https://", 0), 0u) << from_env.url();

  auto config = data.path() / "patchbay.toml";
  test::write_text(config, "tls-cert = \"" + file("server.pem") + "\"\ntls-key = \"" +
                               file("server.key") + "\"\nws-idle-seconds = 10\n");
  test::ServerProcess from_file(PATCHBAY_BINARY, {"--data-dir", (data.path() / "file").string(),
                                                  "--config", config.string()});
  ASSERT_TRUE(from_file.running()) << from_file.output();
  EXPECT_EQ(from_file.url().rfind("https://", 0), 0u) << from_file.url();
}

TEST_F(TlsTest, ServeRefusesACertificateWithoutAKeyAndAnIdleTimeOutOfRange) {
  test::TempDir data;
  auto refused =
      test::run_process({PATCHBAY_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir",
                         (data.path() / "data").string(), "--tls-cert", file("server.pem")});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(contains(refused.out, "private key")) << refused.out << refused.err;
  // Refused before the store was made: no admin token was issued and lost.
  EXPECT_FALSE(std::filesystem::exists(data.path() / "data"));

  auto out_of_range = test::run_process({PATCHBAY_BINARY, "serve", "--ws-idle-seconds", "1"});
  EXPECT_NE(out_of_range.exit_code, 0);
  EXPECT_TRUE(contains(out_of_range.err, "--ws-idle-seconds")) << out_of_range.err;
}

}  // namespace
}  // namespace patchbay
