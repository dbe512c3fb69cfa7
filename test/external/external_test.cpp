// The protocol 2.0 client against FakeUpstream on loopback: the request it sends
// (body, signature), each way an answer can be wrong, transport failures, the
// retry rules, /schema and /health.

#include <chrono>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "core/json.hpp"
#include "dispatch/dispatch.hpp"
#include "external/external.hpp"
#include "http/client.hpp"
#include "support/fake_upstream.hpp"

namespace patchbay::external {
namespace {

namespace json = boost::json;
using test::FakeUpstream;
using Reply = FakeUpstream::Reply;

constexpr const char* kSecret = "pbs_test-secret-0123456789";

core::ConnectorDefinition definition_for(const FakeUpstream& upstream,
                                         std::optional<std::int64_t> wall_time_ms = {}) {
  auto def = core::parse_connector_definition(json::parse(R"({
    "name": "inventory", "executionModel": "external", "endpointUrl": ")" +
                                                          upstream.url("/svc/") + R"(",
    "configSchema": {
      "connectionConfig": {"apiKey": {"type": "string", "secret": true, "required": true}},
      "commands": {"listItems": {"params": ["limit"],
                                 "paramSchema": {"limit": {"type": "number", "default": 50}}}}
    }})"));
  EXPECT_TRUE(def.has_value()) << (def ? "" : def.error().message);
  def->limits.wall_time_ms = wall_time_ms;
  attach_external_handlers(*def, {.url = def->endpoint_url, .signing_secret = kSecret,
                                  .instance = "inventory"});
  return std::move(*def);
}

core::ConnectorResult run(const core::ConnectorDefinition& def) {
  core::ConnectorContext context;
  context.config = {{"command", "listItems"}, {"limit", 5}};
  context.connector_config = {{"apiKey", "k-123"}};
  context.variables = {{"project_id", "proj-1"}};
  context.step_id = "step-1";
  context.run_id = "run-123";
  return dispatch::execute_definition(def, context);
}

std::string reason_of(const core::ConnectorResult& result) {
  if (!result.diagnostics || !result.diagnostics->is_object()) return "";
  const auto* reason = result.diagnostics->get_object().if_contains("reason");
  return reason && reason->is_string() ? std::string(reason->get_string()) : "";
}

TEST(Sign, MatchesAnIndependentHmacSha256) {
  // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'pbs_test-secret-0123456789'
  EXPECT_EQ(sign(kSecret, "1700000000", R"({"a":1})"),
            "v1=6b327f98151657d2627f817f8a99066ce069b26e7327d3db177683220cd13f21");
  EXPECT_EQ(sign(kSecret, "1700000000", ""),
            "v1=76b1f7563ea7c51fe9c637f13e0a32296d66154494b47c1d9b85d71015c44649");
}

TEST(SigningSecret, IsRandomAndUrlSafe) {
  auto a = generate_signing_secret();
  auto b = generate_signing_secret();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 4u + 43u);
  EXPECT_TRUE(a.starts_with("pbs_"));
  EXPECT_EQ(a.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", 4),
            std::string::npos);
}

TEST(Execute, SendsTheSeedRequestSignedAndReadsTheSlots) {
  FakeUpstream upstream;
  upstream.on("POST", "/svc/execute",
              Reply::json(200, R"({"success": true, "payload": {"users": [1, 2]},
                                   "variables": {"userCount": 2}})"));
  auto result = run(definition_for(upstream));
  ASSERT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(json::serialize(*result.payload), R"({"users":[1,2]})");
  EXPECT_EQ(json::serialize(*result.variables), R"({"userCount":2})");
  EXPECT_FALSE(result.diagnostics);

  auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& sent = requests[0];
  auto body = json::parse(sent.body).as_object();
  EXPECT_EQ(body.at("protocolVersion"), "2.0");
  EXPECT_EQ(body.at("command"), "listItems");
  EXPECT_EQ(json::serialize(body.at("config")), R"({"apiKey":"k-123"})");
  EXPECT_EQ(json::serialize(body.at("params")), R"({"limit":5})");
  EXPECT_EQ(json::serialize(body.at("variables")), R"({"project_id":"proj-1"})");
  EXPECT_EQ(json::serialize(body.at("metadata")),
            R"({"stepId":"step-1","runId":"run-123","timeout":30000})");
  EXPECT_EQ(sent.header("content-type"), "application/json");
  auto timestamp = sent.header("x-patchbay-timestamp");
  ASSERT_FALSE(timestamp.empty());
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  EXPECT_LE(std::abs(std::stoll(timestamp) - now), 5);
  EXPECT_EQ(sent.header("x-patchbay-signature"), sign(kSecret, timestamp, sent.body));
}

TEST(Execute, AProtocolFailureKeepsItsErrorAndDiagnostics) {
  FakeUpstream upstream;
  upstream.on("POST", "/svc/execute",
              Reply::json(200, R"({"success": false, "error": "Upstream rejected the request",
                                   "diagnostics": {"statusCode": 502}})"));
  auto result = run(definition_for(upstream));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, "Upstream rejected the request");
  EXPECT_EQ(json::serialize(*result.diagnostics), R"({"statusCode":502})");
}

TEST(Execute, LegacyKeysAreRejectedWithTheUpgradeMessage) {
  FakeUpstream upstream;
  upstream.on("POST", "/svc/execute",
              Reply::json(200, R"({"success": true, "data": {"a": 1}, "outputVariables": {}})"));
  auto result = run(definition_for(upstream));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.error, core::kLegacyProtocolMessage);
  EXPECT_EQ(reason_of(result), "legacy_protocol");
  EXPECT_EQ(json::serialize(result.diagnostics->at("legacyKeys")), R"(["data","outputVariables"])");
}

struct BadAnswer {
  const char* name;
  Reply reply;
  const char* reason;
  const char* message_part;
};

class ExecuteBadAnswer : public ::testing::TestWithParam<BadAnswer> {};

TEST_P(ExecuteBadAnswer, IsItsOwnFailure) {
  FakeUpstream upstream;
  upstream.on("POST", "/svc/execute", GetParam().reply);
  auto result = run(definition_for(upstream));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(reason_of(result), GetParam().reason);
  EXPECT_NE(result.error.value_or("").find(GetParam().message_part), std::string::npos)
      << result.error.value_or("");
  EXPECT_EQ(result.diagnostics->at("statusCode"), GetParam().reply.status);
  EXPECT_EQ(result.diagnostics->at("endpoint"), json::value(upstream.url("/svc/execute")));
}

INSTANTIATE_TEST_SUITE_P(
    Answers, ExecuteBadAnswer,
    ::testing::Values(
        BadAnswer{"NotJson", Reply::json(200, R"({"success": tru)"), "invalid_json",
                  "not JSON"},
        BadAnswer{"TextBody", Reply::text(200, "all good"), "invalid_json", "not JSON"},
        BadAnswer{"Array", Reply::json(200, "[1, 2]"), "invalid_response", "JSON of type array"},
        BadAnswer{"NoSuccess", Reply::json(200, R"({"payload": 1})"), "invalid_response",
                  "has no 'success'"},
        BadAnswer{"StringSuccess", Reply::json(200, R"({"success": "yes"})"), "invalid_response",
                  "'success' of type string"},
        BadAnswer{"ArrayVariables", Reply::json(200, R"({"success": true, "variables": [1]})"),
                  "invalid_response", "'variables' of type array"},
        BadAnswer{"NumberError", Reply::json(200, R"({"success": false, "error": 5})"),
                  "invalid_response", "'error' of type number"},
        BadAnswer{"ServerError", Reply::text(500, "boom"), "status", "answered HTTP 500"},
        BadAnswer{"FailureBody502",
                  Reply::json(502, R"({"success": false, "error": "database is down"})"),
                  "status", "HTTP 502: database is down"}),
    [](const auto& case_info) { return std::string(case_info.param.name); });

TEST(Execute, ABodyExcerptIsBounded) {
  FakeUpstream upstream;
  upstream.on("POST", "/svc/execute", Reply::text(500, std::string(100'000, 'x')));
  auto result = run(definition_for(upstream));
  auto excerpt = std::string(result.diagnostics->at("bodyExcerpt").as_string());
  EXPECT_EQ(excerpt, std::string(kExcerptBytes, 'x') + "...");
}

TEST(Execute, TimeoutIsTheConnectorsWallTime) {
  FakeUpstream upstream;
  auto slow = Reply::json(200, R"({"success": true})");
  slow.delay = std::chrono::milliseconds(3'000);
  upstream.on("POST", "/svc/execute", slow);
  auto result = run(definition_for(upstream, 200));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(reason_of(result), "timeout");
  EXPECT_EQ(json::parse(upstream.requests().at(0).body).at("metadata").at("timeout"), 200);
}

TEST(Execute, OversizeAnswersAreRefused) {
  FakeUpstream upstream;
  upstream.on("POST", "/svc/execute",
              Reply::json(200, R"({"success": true, "payload": ")" +
                                   std::string(http::kMaxResponseBytes + 1, 'a') + R"("})"));
  auto result = run(definition_for(upstream));
  EXPECT_FALSE(result.success);
  EXPECT_EQ(reason_of(result), "too_large");
}

TEST(Execute, AResetIsNotSentAgainButARefusedConnectionIs) {
  {
    FakeUpstream upstream;
    Reply reset;
    reset.reset = true;
    upstream.on("POST", "/svc/execute", reset);
    auto result = run(definition_for(upstream));
    EXPECT_FALSE(result.success);
    // The service may have acted on it: one attempt only.
    EXPECT_EQ(upstream.requests().size(), 1u);
  }
  // A port nobody listens on: nothing was sent, so trying again is safe.
  std::string closed_url;
  {
    FakeUpstream gone;
    closed_url = gone.url("/svc");
  }
  auto def = core::parse_connector_definition(json::parse(
      R"({"name": "gone", "executionModel": "external", "endpointUrl": ")" + closed_url +
      R"(", "configSchema": {"commands": {"ping": {}}}})"));
  ASSERT_TRUE(def.has_value());
  attach_external_handlers(*def, {.url = def->endpoint_url, .signing_secret = kSecret});
  core::ConnectorContext context;
  context.config = {{"command", "ping"}};
  auto result = dispatch::execute_definition(*def, context);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(reason_of(result), "connect_failed");
}

TEST(Execute, A429IsRetriedAfterItsRetryAfter) {
  FakeUpstream upstream;
  int calls = 0;
  upstream.set_handler([&calls](const FakeUpstream::Request&) {
    if (++calls == 1) {
      auto busy = Reply::json(429, R"({"success": false, "error": "slow down"})");
      busy.headers.emplace_back("Retry-After", "0");
      return busy;
    }
    return Reply::json(200, R"({"success": true, "payload": "second"})");
  });
  auto result = run(definition_for(upstream));
  EXPECT_TRUE(result.success) << result.error.value_or("");
  EXPECT_EQ(upstream.requests().size(), 2u);
}

TEST(Schema, IsFetchedSigned) {
  FakeUpstream upstream;
  upstream.on("GET", "/svc/schema", Reply::json(200, R"({"commands": {"ping": {}}})"));
  auto schema = fetch_schema({.url = upstream.url("/svc"), .signing_secret = kSecret});
  ASSERT_TRUE(schema.has_value()) << schema.error().message;
  EXPECT_TRUE(schema->contains("commands"));
  auto requests = upstream.requests();
  const auto& sent = requests.at(0);
  EXPECT_EQ(sent.header("x-patchbay-signature"),
            sign(kSecret, sent.header("x-patchbay-timestamp"), ""));
}

TEST(Schema, MissingBadAndRefusedAreDistinct) {
  FakeUpstream upstream;
  auto missing = fetch_schema({.url = upstream.url(), .signing_secret = kSecret});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);

  upstream.on("GET", "/schema", Reply::json(200, "[1]"));
  auto array = fetch_schema({.url = upstream.url(), .signing_secret = kSecret});
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(array.error().code, core::ErrorCode::UpstreamFailed);
  EXPECT_NE(array.error().message.find("not a configSchema object"), std::string::npos);

  upstream.on("GET", "/schema", Reply::json(401, R"({"error": "bad signature"})"));
  auto refused = fetch_schema({.url = upstream.url(), .signing_secret = kSecret});
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("signingSecret"), std::string::npos);
}

TEST(Health, ReportsStatusBodyAndUnreachableServices) {
  FakeUpstream upstream;
  upstream.on("GET", "/health", Reply::json(200, R"({"status": "ok"})"));
  auto healthy = check_health({.url = upstream.url(), .signing_secret = kSecret});
  EXPECT_EQ(healthy.at("healthy"), true);
  EXPECT_EQ(healthy.at("status"), 200);
  EXPECT_EQ(json::serialize(healthy.at("body")), R"({"status":"ok"})");

  upstream.on("GET", "/health", Reply::text(503, "draining"));
  auto draining = check_health({.url = upstream.url(), .signing_secret = kSecret});
  EXPECT_EQ(draining.at("healthy"), false);
  EXPECT_EQ(draining.at("body"), "draining");

  auto denied = check_health({.url = "http://169.254.169.254", .signing_secret = kSecret});
  EXPECT_EQ(denied.at("healthy"), false);
  EXPECT_EQ(denied.at("reason"), "policy_denied");
}

}  // namespace
}  // namespace patchbay::external
