// POST /api/connectors/parse-oas on the real `patchbay serve`: the same draft as
// `patchbay oas import`, a draft posted unchanged to POST /api/connectors that
// executes against a loopback upstream, GitHub's 13 MB description through the
// API, and bad input answered 400/413 with a reason.

#include <filesystem>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/json.hpp"
#include "support/fake_upstream.hpp"
#include "support/files.hpp"
#include "support/http_call.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"

namespace patchbay {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using test::FakeUpstream;
using test::HttpCall;
using test::HttpReply;

fs::path corpus_file(const std::string& name) {
  return fs::path(PATCHBAY_SOURCE_DIR) / ".." / "shared" / "oas-corpus" / name;
}

class OasApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<test::ServerProcess>(
        PATCHBAY_BINARY, std::vector<std::string>{"--data-dir", (dir_.path() / "data").string()});
    ASSERT_TRUE(server_->running());
    token_ = server_->admin_token();
  }

  HttpReply call(std::string method, std::string target, std::string body) {
    HttpCall request{.method = std::move(method), .target = std::move(target), .body = std::move(body)};
    request.token = token_;
    return test::http_call(server_->port(), request);
  }
  HttpReply call(std::string method, std::string target, const json::value& body) {
    return call(std::move(method), std::move(target), json::serialize(body));
  }

  test::TempDir dir_;
  std::unique_ptr<test::ServerProcess> server_;
  std::string token_;
};

TEST_F(OasApiTest, ApiAndCliGiveTheSameDraftWhichRunsOnceCreated) {
  fs::path spec = corpus_file("readme-oas-examples__oas2.0-petstore__1.0.0.yaml");
  std::string text = test::read_text(spec);

  // The spec as text (YAML) ...
  auto parsed = call("POST", "/api/connectors/parse-oas", json::object{{"spec", text}});
  ASSERT_EQ(parsed.status, 200) << parsed.body;
  // ... and through the CLI, written to a file.
  fs::path out = dir_.path() / "draft.json";
  auto cli = test::run_process({PATCHBAY_BINARY, "oas", "import", spec.string(), "--out", out.string()});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.err.find("imported \"swagger-petstore\" (Swagger 2.0): 20 operations, 21 commands"),
            std::string::npos)
      << cli.err;
  json::value draft = parsed.json();
  EXPECT_EQ(draft, json::parse(test::read_text(out)));

  // Posted unchanged (warnings included), with a connection config.
  FakeUpstream upstream;
  upstream.on("GET", "/v2/pet/7", FakeUpstream::Reply::json(200, R"({"id": 7, "name": "rex"})"));
  draft.as_object()["config"] = json::object{{"baseUrl", upstream.url("/v2")}, {"apiKey", "key-9"}};
  auto created = call("POST", "/api/connectors", draft);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json().at("config").at("apiKey").at("set"), true);

  auto run = call("POST", "/api/connectors/swagger-petstore/execute",
                  json::object{{"command", "getPetById"}, {"params", {{"petId", 7}}}});
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(run.json().at("success"), true) << run.body;
  EXPECT_EQ(run.json().at("payload").at("name"), "rex");
  ASSERT_EQ(upstream.requests().size(), 1u);
  EXPECT_EQ(upstream.requests()[0].header("api_key"), "key-9");

  // The capabilities carry the generated commands.
  auto capabilities = call("GET", "/api/connector-types/swagger-petstore/capabilities", std::string());
  EXPECT_EQ(capabilities.status, 200) << capabilities.body;
}

TEST_F(OasApiTest, CliReadsRelativeFileRefsAndSelects) {
  test::write_text(dir_.path() / "spec" / "api.yaml", R"(openapi: 3.0.3
info: {title: Split API, version: "1"}
servers: [{url: "https://split.example.com"}]
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        content:
          application/json:
            schema: {$ref: "schemas/thing.yaml#/Thing"}
  /other:
    get: {operationId: other}
)");
  test::write_text(dir_.path() / "spec" / "schemas" / "thing.yaml",
                   "Thing: {type: object, properties: {label: {type: string}}}\n");
  auto cli = test::run_process({PATCHBAY_BINARY, "oas", "import",
                                (dir_.path() / "spec" / "api.yaml").string(), "--select",
                                "createThing", "--name", "split"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  auto draft = json::parse(cli.out);
  EXPECT_EQ(draft.at("name"), "split");
  const auto& commands = draft.at("configSchema").at("commands").as_object();
  EXPECT_EQ(commands.size(), 1u);
  EXPECT_EQ(json::serialize(commands.at("createThing").at("params")), R"(["label"])");

  // Through the API the same ref cannot be read: a warning names it.
  auto reply = call("POST", "/api/connectors/parse-oas",
                    json::object{{"spec", test::read_text(dir_.path() / "spec" / "api.yaml")}});
  ASSERT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("external $ref \\\"schemas/thing.yaml\\\" is not resolved"),
            std::string::npos)
      << reply.body;

  auto missing = test::run_process({PATCHBAY_BINARY, "oas", "import", "/nonexistent/api.yaml"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot read '/nonexistent/api.yaml'"), std::string::npos);
}

TEST_F(OasApiTest, SpecAsObjectWithSelectAndName) {
  auto spec = json::parse(test::read_text(corpus_file("api-spec-converter__polls__unversioned.json")));
  auto reply = call("POST", "/api/connectors/parse-oas",
                    json::object{{"spec", spec}, {"select", json::array{"getQuestions"}}, {"name", "polls"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto draft = reply.json().as_object();
  EXPECT_EQ(draft.at("name"), "polls");
  const auto& commands = draft.at("configSchema").at("commands").as_object();
  EXPECT_TRUE(commands.contains("getQuestions")) << json::serialize(commands);
  EXPECT_LE(commands.size(), 2u);  // the selected one, and test when it qualifies
}

TEST_F(OasApiTest, GithubsDescriptionImportsAndItsDraftIsAccepted) {
  std::string text = test::read_text(corpus_file("github.com__api.github.com__23.0.2.json"));
  ASSERT_GT(text.size(), 10'000'000u);
  auto reply = call("POST", "/api/connectors/parse-oas", "{\"spec\": " + text + "}");
  ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 500);
  auto draft = reply.json();
  EXPECT_EQ(draft.at("configSchema").at("commands").as_object().size(), 1224u);
  auto created = call("POST", "/api/connectors", draft);
  ASSERT_EQ(created.status, 201) << created.body.substr(0, 500);
}

TEST_F(OasApiTest, BadInputIsRefusedWithAReason) {
  auto message = [](const HttpReply& reply) {
    return std::string(reply.json().at("error").at("message").as_string());
  };
  auto not_json = call("POST", "/api/connectors/parse-oas", std::string("{nope"));
  EXPECT_EQ(not_json.status, 400);
  EXPECT_NE(message(not_json).find("the body is not valid JSON"), std::string::npos);

  auto no_spec = call("POST", "/api/connectors/parse-oas", json::object{{"specs", 1}});
  EXPECT_EQ(no_spec.status, 400);
  EXPECT_EQ(message(no_spec), "unknown member \"specs\"; the body takes spec, select and name");

  auto wrong_version = call("POST", "/api/connectors/parse-oas",
                            json::object{{"spec", json::object{{"openapi", "2.5.0"}}}});
  EXPECT_EQ(wrong_version.status, 400);
  EXPECT_EQ(message(wrong_version), "OpenAPI version 2.5.0 is not supported (3.0.x and 3.1.x are)");

  auto bad_yaml = call("POST", "/api/connectors/parse-oas", json::object{{"spec", "a: [b"}});
  EXPECT_EQ(bad_yaml.status, 400);
  EXPECT_NE(message(bad_yaml).find("not valid YAML"), std::string::npos) << message(bad_yaml);

  std::string deep = "{\"spec\": " + std::string(5000, '[') + std::string(5000, ']') + "}";
  auto nested = call("POST", "/api/connectors/parse-oas", deep);
  EXPECT_EQ(nested.status, 400);
  EXPECT_NE(message(nested).find("nested deeper than"), std::string::npos);

  // 100 MB is over the 64 MiB import limit: refused before it is read.
  std::string huge = "{\"spec\": \"" + std::string(100'000'000, 'x') + "\"}";
  auto too_large = call("POST", "/api/connectors/parse-oas", huge);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_NE(too_large.body.find("over the limit of 67108864 bytes"), std::string::npos);

  // Other routes keep the ordinary 1 MiB limit.
  auto elsewhere = call("POST", "/api/tokens", "{\"name\": \"" + std::string(2'000'000, 'x') + "\"}");
  EXPECT_EQ(elsewhere.status, 413);

  // And the server is still there.
  EXPECT_EQ(call("GET", "/api/health", std::string()).status, 200);
}

}  // namespace
}  // namespace patchbay
