// Connector descriptions (oas/describe.hpp) to drafts: the draft is a valid script
// connector whose script compiles and defines every command; its commands run
// through the dispatcher and the SpiderMonkey sandbox against FakeUpstream and send
// what the description says (every auth type, path/query/header/body params, JSON
// and form bodies, the test command); it matches what the importer writes for the
// equivalent OpenAPI description; and every bad description is refused with
// InvalidArgument naming the path of the problem.

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "core/connector_definition.hpp"
#include "core/json.hpp"
#include "dispatch/dispatch.hpp"
#include "oas/describe.hpp"
#include "oas/oas.hpp"
#include "script/script.hpp"
#include "support/fake_upstream.hpp"
#include "support/files.hpp"
#include "oas/draft_runner.hpp"

namespace patchbay::oas {
namespace {

namespace json = boost::json;
using test::FakeUpstream;

// Every feature at once: one command per param location and body type.
constexpr std::string_view kAcme = R"({
  "name": "acme-crm",
  "description": "Contacts and deals of the Acme CRM.",
  "version": "2.1.0",
  "baseUrl": "https://api.acme.com/v2/",
  "auth": {"type": "bearer"},
  "commands": [
    {"name": "listContacts", "description": "List contacts, newest first.", "method": "GET",
     "path": "/contacts",
     "params": [
       {"name": "limit", "in": "query", "type": "integer", "default": 50,
        "description": "Page size."},
       {"name": "status", "in": "query", "enum": ["active", "archived"]},
       {"name": "tags", "in": "query", "type": "array"},
       {"name": "traceId", "in": "header", "wireName": "X-Trace-Id"}],
     "outputs": ["items", "next"]},
    {"name": "getContact", "method": "get", "path": "/contacts/{id}",
     "params": [{"name": "id", "in": "path", "type": "integer"}]},
    {"name": "createContact", "method": "POST", "path": "/contacts",
     "params": [
       {"name": "email", "in": "body", "required": true},
       {"name": "vip", "in": "body", "type": "boolean"},
       {"name": "address", "in": "body", "type": "object"},
       {"name": "dryRun", "in": "query", "type": "boolean", "wireName": "dry_run"}]},
    {"name": "logNote", "method": "PUT", "path": "/contacts/{contactId}/notes/{noteId}",
     "bodyType": "form",
     "params": [
       {"name": "contact", "in": "path", "wireName": "contactId"},
       {"name": "noteId", "in": "path"},
       {"name": "text", "in": "body", "required": true},
       {"name": "pinned", "in": "body", "type": "boolean"}]},
    {"name": "deleteContact", "method": "DELETE", "path": "/contacts/{id}",
     "params": [{"name": "id", "in": "path"}]}
  ]
})";

json::object acme() { return json::parse(kAcme).as_object(); }

Draft drafted(const json::value& description) {
  auto draft = draft_from_description(description);
  EXPECT_TRUE(draft.has_value()) << draft.error().message << "\n"
                                 << json::serialize(draft.error().details);
  return draft ? std::move(*draft) : Draft{};
}

const json::object& commands_of(const Draft& draft) {
  return draft.definition.at("configSchema").at("commands").as_object();
}
const json::object& connection_of(const Draft& draft) {
  return draft.definition.at("configSchema").at("connectionConfig").as_object();
}

std::vector<std::string> keys_of(const json::object& object) {
  std::vector<std::string> out;
  for (const auto& member : object) out.emplace_back(member.key());
  return out;
}

// A connector description's draft made runnable.
class Described : public RunnableDraft {
 public:
  explicit Described(const json::value& description)
      : RunnableDraft(draft_from_description(description)) {}
};

std::string text_of(const core::ConnectorResult& result) {
  return json::serialize(core::to_json(result));
}

// ---------------------------------------------------------------------------
// The draft.

TEST(DescribeDraft, IsAValidScriptConnectorReadyToPost) {
  Draft draft = drafted(acme());
  json::object out = to_json(draft);
  for (const char* key : {"name", "type", "description", "version", "executionModel",
                          "configSchema", "scriptSource", "warnings"}) {
    EXPECT_TRUE(out.contains(key)) << key;
  }
  EXPECT_EQ(out.at("name"), "acme-crm");
  EXPECT_EQ(out.at("type"), "acme-crm");
  EXPECT_EQ(out.at("version"), "2.1.0");
  EXPECT_EQ(out.at("description"), "Contacts and deals of the Acme CRM.");
  EXPECT_EQ(out.at("executionModel"), "script");
  EXPECT_EQ(draft.operations, 5u);
  EXPECT_EQ(draft.spec_version, "");

  // As POST /api/connectors reads it: "warnings" is dropped, the rest is the definition.
  json::object posted = json::parse(json::serialize(out)).as_object();
  posted.erase("warnings");
  auto parsed = core::parse_connector_definition(posted);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_TRUE(core::validate_definition(*parsed).empty());
  EXPECT_EQ(parsed->execution_model, core::ExecutionModel::Script);

  const std::string& source = parsed->script_source;
  EXPECT_EQ(source.rfind("// Generated by patchbay from the connector description \"acme-crm\".", 0), 0u)
      << source.substr(0, 200);
  ASSERT_TRUE(script::check_script(source).has_value());
  auto functions = script::script_functions(source);
  ASSERT_TRUE(functions.has_value()) << functions.error().message;
  std::vector<std::string> expected{"listContacts", "getContact", "createContact", "logNote",
                                    "deleteContact", "test"};
  EXPECT_EQ(keys_of(commands_of(draft)), expected);
  for (const auto& command : expected) {
    EXPECT_NE(std::find(functions->begin(), functions->end(), command), functions->end()) << command;
  }
}

TEST(DescribeDraft, CommandsCarryTheirParamSchemaOutputsAndDescriptions) {
  Draft draft = drafted(acme());
  const auto& commands = commands_of(draft);
  const auto& list = commands.at("listContacts").as_object();
  EXPECT_EQ(list.at("description"), "List contacts, newest first.");
  EXPECT_EQ(list.at("params"), json::parse(R"(["limit", "status", "tags", "traceId"])"));
  EXPECT_EQ(list.at("outputs"), json::parse(R"(["items", "next"])"));
  EXPECT_EQ(list.at("paramSchema"), json::parse(R"({
    "limit": {"type": "integer", "description": "Page size.", "default": 50},
    "status": {"type": "string", "enum": ["active", "archived"]},
    "tags": {"type": "array"},
    "traceId": {"type": "string"}})"));
  // Path params are required; a command without a description says its route.
  const auto& get = commands.at("getContact").as_object();
  EXPECT_EQ(get.at("description"), "GET /contacts/{id}");
  EXPECT_EQ(get.at("paramSchema"), json::parse(R"({"id": {"type": "integer", "required": true}})"));
  EXPECT_EQ(commands.at("test").at("description"),
            "Checks connectivity and credentials with GET /contacts");
  EXPECT_TRUE(draft.warnings.empty());
}

TEST(DescribeDraft, ConnectionFieldsFollowTheAuthType) {
  struct Case {
    json::object auth;
    std::vector<std::string> fields;
    std::vector<std::string> secret;
  };
  std::vector<Case> cases = {
      {{}, {"baseUrl"}, {}},
      {{{"type", "none"}}, {"baseUrl"}, {}},
      {{{"type", "apiKey"}, {"name", "X-API-Key"}}, {"baseUrl", "apiKey"}, {"apiKey"}},
      {{{"type", "bearer"}}, {"baseUrl", "bearerToken"}, {"bearerToken"}},
      {{{"type", "basic"}}, {"baseUrl", "username", "password"}, {"password"}},
      {{{"type", "oauth2ClientCredentials"}, {"tokenUrl", "https://auth.acme.com/token"}},
       {"baseUrl", "accessToken", "clientId", "clientSecret", "tokenUrl"},
       {"accessToken", "clientSecret"}},
  };
  for (const auto& c : cases) {
    json::object description = acme();
    if (c.auth.empty()) {
      description.erase("auth");
    } else {
      description["auth"] = c.auth;
    }
    Draft draft = drafted(description);
    const auto& fields = connection_of(draft);
    EXPECT_EQ(keys_of(fields), c.fields) << json::serialize(c.auth);
    for (const auto& field : fields) {
      bool secret = std::find(c.secret.begin(), c.secret.end(), field.key()) != c.secret.end();
      EXPECT_EQ(field.value().as_object().contains("secret"), secret) << field.key();
    }
    EXPECT_EQ(fields.at("baseUrl").at("default"), "https://api.acme.com/v2");
  }
  json::object description = acme();
  description["auth"] = {{"type", "oauth2ClientCredentials"}, {"tokenUrl", "https://auth.acme.com/token"}};
  EXPECT_EQ(connection_of(drafted(description)).at("tokenUrl").at("default"),
            "https://auth.acme.com/token");
  description["auth"] = {{"type", "apiKey"}, {"name", "key"}, {"in", "query"}};
  EXPECT_EQ(connection_of(drafted(description)).at("apiKey").at("description"),
            "API key (apiKey), sent in the query key");
}

// The draft is what the importer writes for the same API as an OpenAPI
// description: same fields, same commands, same script after its first line.
TEST(DescribeDraft, MatchesTheImportOfTheEquivalentOpenApiDescription) {
  Draft described = drafted(json::parse(R"({
    "name": "pets", "description": "Pets.", "baseUrl": "https://pets.example.com/v1",
    "auth": {"type": "apiKey", "in": "header", "name": "X-Key"},
    "commands": [
      {"name": "listPets", "description": "List pets.", "method": "GET", "path": "/pets",
       "params": [{"name": "limit", "in": "query", "type": "integer", "description": "At most."}]},
      {"name": "addPet", "description": "Add one.", "method": "POST", "path": "/pets",
       "params": [{"name": "name", "in": "body", "required": true},
                  {"name": "tag", "in": "body"}]},
      {"name": "getPet", "description": "One pet.", "method": "GET", "path": "/pets/{petId}",
       "params": [{"name": "petId", "in": "path", "type": "integer"}]}]})"));
  auto imported = import_text(R"({
    "openapi": "3.0.3", "info": {"title": "pets", "description": "Pets.", "version": "1"},
    "servers": [{"url": "https://pets.example.com/v1"}],
    "components": {"securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    "security": [{"apiKey": []}],
    "paths": {
      "/pets": {
        "get": {"operationId": "listPets", "summary": "List pets.", "parameters": [
          {"name": "limit", "in": "query", "description": "At most.", "schema": {"type": "integer"}}]},
        "post": {"operationId": "addPet", "summary": "Add one.", "requestBody": {"required": true,
          "content": {"application/json": {"schema": {"type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}, "tag": {"type": "string"}}}}}}}},
      "/pets/{petId}": {"get": {"operationId": "getPet", "summary": "One pet.", "parameters": [
        {"name": "petId", "in": "path", "required": true, "schema": {"type": "integer"}}]}}}})");
  ASSERT_TRUE(imported.has_value()) << imported.error().message;
  EXPECT_EQ(connection_of(described), connection_of(*imported));
  for (const char* name : {"listPets", "getPet", "addPet", "test"}) {
    EXPECT_EQ(commands_of(described).at(name), commands_of(*imported).at(name)) << name;
  }
  // Only the first line, which names what the script was generated from, differs.
  auto after_first_line = [](const Draft& draft) {
    std::string_view source = draft.definition.at("scriptSource").as_string();
    return std::string(source.substr(source.find('\n')));
  };
  EXPECT_EQ(after_first_line(described), after_first_line(*imported));
}

TEST(DescribeDraft, TestCommandIsChosenNamedOrAbsentWithANote) {
  json::object description = acme();
  description["testCommand"] = "deleteContact";
  auto refused = draft_from_description(description);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message,
            "invalid connector description: testCommand: 'deleteContact' needs params (id); the "
            "test command calls it without any");

  description["commands"].as_array().push_back(
      json::parse(R"({"name": "whoami", "method": "POST", "path": "/auth/check"})"));
  description["testCommand"] = "whoami";
  Draft named = drafted(description);
  EXPECT_EQ(commands_of(named).at("test").at("description"),
            "Checks connectivity and credentials with POST /auth/check");

  Draft none = drafted(json::parse(R"({"name": "n", "baseUrl": "https://n.example.com",
    "commands": [{"name": "put", "method": "PUT", "path": "/x", "bodyType": "form"}]})"));
  EXPECT_FALSE(commands_of(none).contains("test"));
  ASSERT_EQ(none.warnings.size(), 2u);
  EXPECT_EQ(none.warnings[0].pointer, "#/commands/0/bodyType");
  EXPECT_EQ(none.warnings[0].message, "bodyType has no effect: the command has no body params");
  EXPECT_NE(none.warnings[1].message.find("no test command"), std::string::npos);
}

// Every top-level function of a generated script is a name no command may take:
// a command function of that name would be replaced by the runtime's.
TEST(DescribeDraft, NoCommandCanShadowTheScriptsOwnFunctionsOrGlobals) {
  Draft draft = drafted(acme());
  auto functions = script::script_functions(std::string(draft.definition.at("scriptSource").as_string()));
  ASSERT_TRUE(functions.has_value());
  std::set<std::string> commands;
  for (const auto& command : commands_of(draft)) commands.emplace(command.key());
  std::vector<std::string> names{"floh", "JSON", "Object", "String", "Math", "OPERATIONS",
                                 "encodeURIComponent", "unescape", "NaN", "undefined"};
  for (const auto& function : *functions) {
    if (!commands.contains(function)) names.push_back(function);
  }
  EXPECT_GT(names.size(), 20u);
  for (const auto& name : names) {
    json::object description = acme();
    description["commands"].as_array()[1].as_object()["name"] = name;
    auto refused = draft_from_description(description);
    ASSERT_FALSE(refused.has_value()) << name;
    EXPECT_EQ(refused.error().message.rfind("invalid connector description: commands[1].name: ", 0),
              0u)
        << refused.error().message;
  }
}

// ---------------------------------------------------------------------------
// Running the generated commands against a loopback upstream.

class DescribeRun : public ::testing::Test {
 protected:
  Recorder upstream_;
  json::object connection(json::object extra = {}) {
    extra["baseUrl"] = upstream_.url("/v2");
    return extra;
  }
  static json::object with_auth(json::object auth) {
    json::object description = acme();
    description["auth"] = std::move(auth);
    return description;
  }
};

TEST_F(DescribeRun, QueryAndHeaderParamsWithDefaultsAndWireNames) {
  Described crm(acme());
  auto result = crm.run("listContacts",
                        {{"status", "active"}, {"tags", json::array{"a b", "c"}}, {"traceId", "t-1"}},
                        connection({{"bearerToken", "tok"}}));
  ASSERT_TRUE(result.success) << text_of(result);
  EXPECT_EQ(json::serialize(*result.payload), R"({"ok":true})");
  auto request = upstream_.last();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/v2/contacts?limit=50&status=active&tags=a%20b&tags=c");
  EXPECT_EQ(request.header("x-trace-id"), "t-1");
  EXPECT_EQ(request.header("authorization"), "Bearer tok");

  auto refused = crm.run("listContacts", {{"status", "deleted"}}, connection({{"bearerToken", "tok"}}));
  EXPECT_FALSE(refused.success);
  EXPECT_NE(refused.error.value_or("").find("status"), std::string::npos) << text_of(refused);
  EXPECT_EQ(upstream_.requests().size(), 1u);  // the dispatcher refused before sending
}

TEST_F(DescribeRun, PathParamsArePercentEncodedAndWireNamesFillTheTemplate) {
  Described crm(acme());
  ASSERT_TRUE(crm.run("getContact", {{"id", 42}}, connection({{"bearerToken", "t"}})).success);
  EXPECT_EQ(upstream_.last().target, "/v2/contacts/42");
  auto result = crm.run("logNote", {{"contact", "a/b"}, {"noteId", "n 1"}, {"text", "héllo & bye"}, {"pinned", true}},
                        connection({{"bearerToken", "t"}}));
  ASSERT_TRUE(result.success) << text_of(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.path, "/v2/contacts/a%2Fb/notes/n%201");
  EXPECT_EQ(request.header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request.body, "text=h%C3%A9llo%20%26%20bye&pinned=true");

  auto missing = crm.run("getContact", {}, connection({{"bearerToken", "t"}}));
  EXPECT_FALSE(missing.success);
  EXPECT_NE(missing.error.value_or("").find("id"), std::string::npos) << text_of(missing);
}

TEST_F(DescribeRun, JsonBodyFromBodyParamsWithQueryBeside) {
  Described crm(acme());
  auto result = crm.run("createContact",
                        {{"email", "ann@example.com"}, {"vip", true},
                         {"address", json::object{{"city", "Oslo"}}}, {"dryRun", true}},
                        connection({{"bearerToken", "t"}}));
  ASSERT_TRUE(result.success) << text_of(result);
  auto request = upstream_.last();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v2/contacts?dry_run=true");
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(json::parse(request.body),
            json::parse(R"({"email": "ann@example.com", "vip": true, "address": {"city": "Oslo"}})"));
}

TEST_F(DescribeRun, FailuresCarryStatusAndBody) {
  upstream_.answer([](const FakeUpstream::Request&) {
    return FakeUpstream::Reply::json(404, R"({"error": "no such contact"})");
  });
  Described crm(acme());
  auto result = crm.run("deleteContact", {{"id", "9"}}, connection({{"bearerToken", "t"}}));
  ASSERT_FALSE(result.success);
  EXPECT_EQ(result.error, "DELETE /contacts/{id} returned HTTP 404");
  EXPECT_EQ(result.diagnostics->at("statusCode"), 404);
  EXPECT_EQ(upstream_.last().method, "DELETE");
}

TEST_F(DescribeRun, TestCommandCallsTheCheapestGet) {
  Described crm(acme());
  auto result = crm.run("test", {}, connection({{"bearerToken", "t"}}));
  ASSERT_TRUE(result.success) << text_of(result);
  EXPECT_EQ(upstream_.last().target, "/v2/contacts");
  EXPECT_EQ(result.payload->at("operation"), "GET /contacts");
  auto without = crm.run("test", {}, connection());
  EXPECT_FALSE(without.success);
  EXPECT_NE(without.error.value_or("").find("set bearerToken in the connection config"), std::string::npos)
      << text_of(without);
}

TEST_F(DescribeRun, ApiKeyInHeaderQueryAndCookie) {
  Described header(with_auth({{"type", "apiKey"}, {"name", "X-API-Key"}}));
  ASSERT_TRUE(header.run("getContact", {{"id", 1}}, connection({{"apiKey", "k1"}})).success);
  EXPECT_EQ(upstream_.last().header("x-api-key"), "k1");
  EXPECT_EQ(upstream_.last().header("authorization"), "");

  Described query(with_auth({{"type", "apiKey"}, {"in", "query"}, {"name", "api_key"}}));
  ASSERT_TRUE(query.run("listContacts", {{"limit", 5}}, connection({{"apiKey", "k 2"}})).success);
  EXPECT_EQ(upstream_.last().target, "/v2/contacts?limit=5&api_key=k%202");

  Described cookie(with_auth({{"type", "apiKey"}, {"in", "cookie"}, {"name", "sid"}}));
  ASSERT_TRUE(cookie.run("test", {}, connection({{"apiKey", "k3"}})).success);
  EXPECT_EQ(upstream_.last().header("cookie"), "sid=k3");
}

TEST_F(DescribeRun, BasicAuthAndNoAuth) {
  Described basic(with_auth({{"type", "basic"}}));
  ASSERT_TRUE(basic.run("test", {}, connection({{"username", "ann"}, {"password", "s3cret"}})).success);
  EXPECT_EQ(upstream_.last().header("authorization"), "Basic YW5uOnMzY3JldA==");

  Described open(with_auth({{"type", "none"}}));
  ASSERT_TRUE(open.run("test", {}, connection()).success);
  EXPECT_EQ(upstream_.last().header("authorization"), "");
}

TEST_F(DescribeRun, OAuth2ClientCredentialsFetchesTheTokenWithTheScopes) {
  std::atomic<int> issued{0};
  upstream_.answer([&](const FakeUpstream::Request& request) {
    if (request.path == "/oauth/token") {
      ++issued;
      return FakeUpstream::Reply::json(200, R"({"access_token": "at-1", "expires_in": 3600})");
    }
    return FakeUpstream::Reply::json(200, R"({"ok": true})");
  });
  // The tokenUrl of the description is the field's default: it need not be configured.
  Described crm(with_auth({{"type", "oauth2ClientCredentials"},
                           {"tokenUrl", upstream_.url("/oauth/token")},
                           {"scopes", json::array{"contacts:read", "deals"}}}));
  json::object credentials{{"clientId", "describe-client"}, {"clientSecret", "cs"}};
  for (int i = 0; i < 2; ++i) {
    auto result = crm.run("getContact", {{"id", 3}}, connection(credentials));
    ASSERT_TRUE(result.success) << text_of(result);
    EXPECT_EQ(upstream_.last().header("authorization"), "Bearer at-1");
  }
  EXPECT_EQ(issued.load(), 1);  // cached across executions
  auto token_request = upstream_.requests().front();
  EXPECT_EQ(token_request.path, "/oauth/token");
  EXPECT_NE(token_request.body.find("grant_type=client_credentials"), std::string::npos);
  EXPECT_NE(token_request.body.find("scope=contacts%3Aread+deals"), std::string::npos)
      << token_request.body;

  // A ready access token is sent as it is.
  ASSERT_TRUE(crm.run("getContact", {{"id", 3}}, connection({{"accessToken", "ready"}})).success);
  EXPECT_EQ(upstream_.last().header("authorization"), "Bearer ready");
}

// ---------------------------------------------------------------------------
// Bad descriptions.

// Applies `edit` to a copy of kAcme and returns the refusal's message.
std::string refusal(const std::function<void(json::object&)>& edit) {
  json::object description = acme();
  edit(description);
  auto draft = draft_from_description(description);
  EXPECT_FALSE(draft.has_value()) << json::serialize(description);
  if (draft) return {};
  EXPECT_EQ(draft.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_FALSE(draft.error().field_errors().empty());
  const std::string prefix = "invalid connector description: ";
  EXPECT_EQ(draft.error().message.rfind(prefix, 0), 0u) << draft.error().message;
  return draft.error().message.substr(std::min(prefix.size(), draft.error().message.size()));
}

json::object& command(json::object& description, std::size_t i) {
  return description["commands"].as_array()[i].as_object();
}
json::object& param(json::object& description, std::size_t i, std::size_t j) {
  return command(description, i)["params"].as_array()[j].as_object();
}

struct BadCase {
  std::string what;
  std::function<void(json::object&)> edit;
  std::string message;  // the refusal starts with it
};

TEST(DescribeRefusal, EveryProblemIsInvalidArgumentNamingItsPath) {
  using O = json::object;
  std::string long_name(101, 'a');
  std::vector<BadCase> cases = {
      {"unknown key", [](O& d) { d["summary"] = "x"; }, "summary: unknown key; allowed keys are name,"},
      {"no name", [](O& d) { d.erase("name"); }, "name: is required"},
      {"bad name", [](O& d) { d["name"] = "acme crm"; }, "name: must be 1-100 characters"},
      {"long name", [&](O& d) { d["name"] = long_name; }, "name: is 101 bytes, at most 100"},
      {"name kind", [](O& d) { d["name"] = 7; }, "name: must be a string, got number 7"},
      {"version", [](O& d) { d["version"] = "1.0"; }, "version: "},
      {"no baseUrl", [](O& d) { d.erase("baseUrl"); }, "baseUrl: is required"},
      {"relative baseUrl", [](O& d) { d["baseUrl"] = "api.acme.com/v2"; },
       "baseUrl: must be an absolute http(s) URL"},
      {"ftp baseUrl", [](O& d) { d["baseUrl"] = "ftp://acme.com"; }, "baseUrl: must be an http or https URL"},
      {"baseUrl query", [](O& d) { d["baseUrl"] = "https://acme.com/?v=2"; }, "baseUrl: must not have a query"},
      {"baseUrl credentials", [](O& d) { d["baseUrl"] = "https://u:p@acme.com"; },
       "baseUrl: must not carry credentials"},
      {"auth kind", [](O& d) { d["auth"] = "bearer"; }, "auth: must be an object"},
      {"auth type missing", [](O& d) { d["auth"] = O{}; }, "auth.type: is required"},
      {"auth type", [](O& d) { d["auth"] = {{"type", "digest"}}; },
       "auth.type: must be one of none, apiKey, bearer, basic, oauth2ClientCredentials, got 'digest'"},
      {"auth unknown key", [](O& d) { d["auth"] = {{"type", "bearer"}, {"header", "X"}}; },
       "auth.header: unknown key"},
      {"apiKey without name", [](O& d) { d["auth"] = {{"type", "apiKey"}}; }, "auth.name: is required"},
      {"apiKey name", [](O& d) { d["auth"] = {{"type", "apiKey"}, {"name", "X Key"}}; },
       "auth.name: 'X Key' is not a valid header name"},
      {"apiKey in", [](O& d) { d["auth"] = {{"type", "apiKey"}, {"name", "k"}, {"in", "body"}}; },
       "auth.in: must be one of header, query, cookie"},
      {"tokenUrl on bearer", [](O& d) { d["auth"] = {{"type", "bearer"}, {"tokenUrl", "https://a/t"}}; },
       "auth.tokenUrl: applies to auth type oauth2ClientCredentials only"},
      {"in on basic", [](O& d) { d["auth"] = {{"type", "basic"}, {"in", "header"}}; },
       "auth.in: applies to auth type apiKey only"},
      {"relative tokenUrl",
       [](O& d) { d["auth"] = {{"type", "oauth2ClientCredentials"}, {"tokenUrl", "/token"}}; },
       "auth.tokenUrl: must be an absolute http(s) URL"},
      {"scope with space",
       [](O& d) { d["auth"] = {{"type", "oauth2ClientCredentials"}, {"scopes", json::array{"a b"}}}; },
       "auth.scopes[0]: must be a scope"},
      {"no commands", [](O& d) { d.erase("commands"); }, "commands: is required"},
      {"empty commands", [](O& d) { d["commands"] = json::array(); }, "commands: must have at least one command"},
      {"commands kind", [](O& d) { d["commands"] = O{}; }, "commands: must be an array, got object"},
      {"command kind", [](O& d) { d["commands"].as_array()[2] = "x"; }, "commands[2]: must be an object"},
      {"command unknown key", [](O& d) { command(d, 1)["verb"] = "GET"; }, "commands[1].verb: unknown key"},
      {"command name missing", [](O& d) { command(d, 1).erase("name"); }, "commands[1].name: is required"},
      {"command name dash", [](O& d) { command(d, 1)["name"] = "get-contact"; },
       "commands[1].name: 'get-contact' is not a command name: a lowercase letter, then letters, digits"},
      {"command name capital", [](O& d) { command(d, 1)["name"] = "GetContact"; },
       "commands[1].name: 'GetContact' is not a command name"},
      {"command name test", [](O& d) { command(d, 1)["name"] = "test"; },
       "commands[1].name: 'test' is the connectivity command patchbay writes itself"},
      {"command name reserved", [](O& d) { command(d, 1)["name"] = "delete"; },
       "commands[1].name: 'delete' is reserved"},
      {"command name runtime", [](O& d) { command(d, 1)["name"] = "send_operation"; },
       "commands[1].name: 'send_operation' is reserved"},
      {"command name twice", [](O& d) { command(d, 3)["name"] = "getContact"; },
       "commands[3].name: 'getContact' is also the name of commands[1]"},
      {"method missing", [](O& d) { command(d, 0).erase("method"); }, "commands[0].method: is required"},
      {"method", [](O& d) { command(d, 0)["method"] = "FETCH"; },
       "commands[0].method: must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, got 'FETCH'"},
      {"path missing", [](O& d) { command(d, 0).erase("path"); }, "commands[0].path: is required"},
      {"path slash", [](O& d) { command(d, 0)["path"] = "contacts"; }, "commands[0].path: must start with /"},
      {"path space", [](O& d) { command(d, 0)["path"] = "/con tacts"; },
       "commands[0].path: must be printable ASCII without spaces or #"},
      {"path fragment", [](O& d) { command(d, 0)["path"] = "/contacts#top"; },
       "commands[0].path: must be printable ASCII without spaces or #"},
      {"path open brace", [](O& d) { command(d, 1)["path"] = "/contacts/{id"; },
       "commands[1].path: has a { that is not closed"},
      {"path empty braces", [](O& d) { command(d, 1)["path"] = "/contacts/{}/{id}"; },
       "commands[1].path: has an empty {}"},
      {"path close brace", [](O& d) { command(d, 1)["path"] = "/contacts/id}"; },
       "commands[1].path: has a } without {"},
      {"path variable without param", [](O& d) { command(d, 1)["path"] = "/orgs/{org}/contacts/{id}"; },
       "commands[1].path: {org} has no path param: add {\"name\": \"org\", \"in\": \"path\"} to params"},
      {"path param not in path", [](O& d) { command(d, 1)["path"] = "/contacts"; },
       "commands[1].params[0].name: 'id' is not a {variable} of the path '/contacts'"},
      {"path wireName not in path", [](O& d) { param(d, 3, 0)["wireName"] = "cid"; },
       "commands[3].params[0].wireName: 'cid' is not a {variable} of the path"},
      {"path param optional", [](O& d) { param(d, 1, 0)["required"] = false; },
       "commands[1].params[0].required: path params are always required"},
      {"params kind", [](O& d) { command(d, 1)["params"] = "id"; }, "commands[1].params: must be an array"},
      {"param kind", [](O& d) { command(d, 0)["params"].as_array()[1] = 3; },
       "commands[0].params[1]: must be an object"},
      {"param in", [](O& d) { param(d, 2, 0)["in"] = "cookie"; },
       "commands[2].params[0].in: must be one of path, query, header, body"},
      {"param in missing", [](O& d) { param(d, 2, 0).erase("in"); }, "commands[2].params[0].in: is required"},
      {"param name missing", [](O& d) { param(d, 2, 0).erase("name"); }, "commands[2].params[0].name: is required"},
      {"param name command", [](O& d) { param(d, 2, 0)["name"] = "command"; },
       "commands[2].params[0].name: 'command' is reserved"},
      {"param name control", [](O& d) { param(d, 2, 0)["name"] = "a\nb"; },
       "commands[2].params[0].name: must be 1-100 characters without control characters"},
      {"param name twice", [](O& d) { param(d, 2, 1)["name"] = "email"; },
       "commands[2].params[1].name: 'email' is also the name of params[0]"},
      {"param wire twice", [](O& d) { param(d, 0, 1)["wireName"] = "limit"; },
       "commands[0].params[1]: sends 'limit' in the query like params[0]"},
      {"header twice", [](O& d) {
         command(d, 0)["params"].as_array().push_back({{"name", "trace"}, {"in", "header"}, {"wireName", "x-trace-id"}});
       },
       "commands[0].params[4]: sends 'x-trace-id' in the header like params[3]"},
      {"param type", [](O& d) { param(d, 2, 0)["type"] = "file"; },
       "commands[2].params[0].type: must be one of string, integer, number, boolean, array, object"},
      {"param required kind", [](O& d) { param(d, 2, 0)["required"] = "yes"; },
       "commands[2].params[0].required: must be true or false"},
      {"param unknown key", [](O& d) { param(d, 2, 0)["format"] = "email"; },
       "commands[2].params[0].format: unknown key"},
      {"header Content-Type", [](O& d) { param(d, 0, 3)["wireName"] = "Content-Type"; },
       "commands[0].params[3].wireName: 'Content-Type' is set by the request itself"},
      {"header name", [](O& d) { param(d, 0, 3)["wireName"] = "X Trace"; },
       "commands[0].params[3].wireName: 'X Trace' is not a valid header name"},
      {"header Authorization with bearer", [](O& d) { param(d, 0, 3)["wireName"] = "authorization"; },
       "commands[0].params[3].wireName: the auth (bearer) sends the authorization header"},
      {"query like the apiKey", [](O& d) {
         d["auth"] = {{"type", "apiKey"}, {"in", "query"}, {"name", "limit"}};
       },
       "commands[0].params[0].name: the auth sends the query parameter 'limit'"},
      {"body on GET", [](O& d) { param(d, 0, 1)["in"] = "body"; },
       "commands[0].params[1].in: a GET request has no body"},
      {"default type", [](O& d) { param(d, 0, 0)["default"] = "50"; },
       "commands[0].params[0].default: must be of the param's type integer, got string \"50\""},
      {"default null", [](O& d) { param(d, 0, 0)["default"] = nullptr; },
       "commands[0].params[0].default: must not be null"},
      {"default outside enum", [](O& d) { param(d, 0, 1)["default"] = "deleted"; },
       "commands[0].params[1].default: must be one of"},
      {"default deep", [](O& d) { param(d, 2, 2)["default"] = json::parse(R"({"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}})"); },
       "commands[2].params[2].default: nests deeper than 8 levels"},
      {"enum empty", [](O& d) { param(d, 0, 1)["enum"] = json::array(); },
       "commands[0].params[1].enum: must be a non-empty array"},
      {"enum item type", [](O& d) { param(d, 0, 1)["enum"] = json::array{"active", 3}; },
       "commands[0].params[1].enum[1]: must be of the param's type string, got number 3"},
      {"enum on array", [](O& d) { param(d, 0, 2)["enum"] = json::array{"a"}; },
       "commands[0].params[2].enum: applies to string, integer, number and boolean params only"},
      {"bodyType", [](O& d) { command(d, 2)["bodyType"] = "xml"; },
       "commands[2].bodyType: must be one of json, form, got 'xml'"},
      {"outputs kind", [](O& d) { command(d, 0)["outputs"] = "items"; }, "commands[0].outputs: must be an array"},
      {"outputs empty item", [](O& d) { command(d, 0)["outputs"] = json::array{""}; },
       "commands[0].outputs[0]: must be a key of the response"},
      {"outputs twice", [](O& d) { command(d, 0)["outputs"] = json::array{"a", "a"}; },
       "commands[0].outputs[1]: 'a' is listed twice"},
      {"testCommand unknown", [](O& d) { d["testCommand"] = "ping"; },
       "testCommand: 'ping' is not one of the commands: listContacts, getContact, createContact, "
       "logNote, deleteContact"},
      {"testCommand needs params", [](O& d) { d["testCommand"] = "createContact"; },
       "testCommand: 'createContact' needs params (email)"},
  };
  for (const auto& c : cases) {
    std::string message = refusal(c.edit);
    EXPECT_EQ(message.rfind(c.message, 0), 0u) << c.what << ":\n  got      " << message
                                                << "\n  expected " << c.message;
  }
}

TEST(DescribeRefusal, NotAnObject) {
  for (const char* text : {"[]", "\"acme\"", "null", "3"}) {
    auto draft = draft_from_description(json::parse(text));
    ASSERT_FALSE(draft.has_value());
    EXPECT_EQ(draft.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_EQ(draft.error().message.rfind(
                  "invalid connector description: the description must be a JSON object", 0),
              0u)
        << draft.error().message;
  }
}

TEST(DescribeRefusal, DetailsListEveryProblemUpToTheLimit) {
  json::object description = acme();
  description["version"] = "one";
  command(description, 0)["method"] = "FETCH";
  param(description, 2, 0)["in"] = "cookie";
  auto draft = draft_from_description(description);
  ASSERT_FALSE(draft.has_value());
  auto errors = draft.error().field_errors();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].path, "version");
  EXPECT_EQ(errors[1].path, "commands[0].method");
  EXPECT_EQ(errors[2].path, "commands[2].params[0].in");
  EXPECT_NE(draft.error().message.find("(and 2 more)"), std::string::npos);

  json::array many;
  for (int i = 0; i < 300; ++i) many.push_back({{"name", "Bad"}, {"method", "GET"}, {"path", "/"}});
  description = acme();
  description["commands"] = std::move(many);
  draft = draft_from_description(description);
  ASSERT_FALSE(draft.has_value());
  EXPECT_EQ(draft.error().field_errors().size(), kMaxReportedProblems);
}

TEST(DescribeRefusal, SizesAreBounded) {
  EXPECT_EQ(refusal([](json::object& d) {
              json::array commands;
              for (std::size_t i = 0; i <= kMaxDescribedCommands; ++i) {
                commands.push_back({{"name", "c" + std::to_string(i)}, {"method", "GET"}, {"path", "/"}});
              }
              d["commands"] = std::move(commands);
            }),
            "commands: has 2001 items, at most 2000");
  EXPECT_EQ(refusal([](json::object& d) {
              json::array params;
              for (std::size_t i = 0; i <= kMaxDescribedParams; ++i) {
                params.push_back({{"name", "p" + std::to_string(i)}, {"in", "query"}});
              }
              command(d, 0)["params"] = std::move(params);
            }),
            "commands[0].params: has 201 items, at most 200");
  EXPECT_EQ(refusal([](json::object& d) { d["description"] = std::string(kMaxDescribedTextBytes + 1, 'x'); }),
            "description: is 10001 bytes, at most 10000");
  // Within every bound, a script over the 1 MiB script limit.
  EXPECT_EQ(refusal([](json::object& d) {
              json::array commands;
              for (int i = 0; i < 120; ++i) {
                json::array params;
                for (int j = 0; j < 50; ++j) {
                  std::string name = std::string(90, 'p') + std::to_string(j);
                  params.push_back({{"name", name}, {"in", "query"}, {"wireName", std::string(90, 'w') + std::to_string(j)}});
                }
                commands.push_back({{"name", "c" + std::to_string(i)}, {"method", "GET"}, {"path", "/"},
                                    {"params", std::move(params)}});
              }
              d["commands"] = std::move(commands);
            }).rfind("commands: the generated script is ", 0),
            0u);
}

// Every member of a valid description replaced by values of other kinds and
// shapes: each result is a refusal naming a path, or a draft that validates and
// whose script compiles with a function per command. Never a crash, never an
// internal error.
TEST(DescribeRefusal, MutatedDescriptionsAreRefusedOrValid) {
  json::array replacements = {
      nullptr, true, 0, -1, 1.5, "", "x", "{id}", "/", "GET", "body", "test",
      std::string(300, 'a'), json::array(), json::array{"a"}, json::object(),
      json::object{{"type", "apiKey"}}};
  std::size_t drafts = 0;
  std::size_t refusals = 0;
  std::function<void(json::value&, const std::function<void()>&)> visit =
      [&](json::value& node, const std::function<void()>& check) {
        if (auto* object = node.if_object()) {
          for (auto& member : *object) visit(member.value(), check);
        } else if (auto* array = node.if_array()) {
          for (auto& item : *array) visit(item, check);
        }
        json::value saved = node;
        for (const auto& replacement : replacements) {
          node = replacement;
          check();
        }
        node = std::move(saved);
      };
  json::value description = acme();
  visit(description, [&] {
    auto draft = draft_from_description(description);
    if (!draft) {
      ++refusals;
      ASSERT_EQ(draft.error().code, core::ErrorCode::InvalidArgument)
          << draft.error().message << "\n" << json::serialize(description);
      ASSERT_FALSE(draft.error().field_errors().empty()) << draft.error().message;
      return;
    }
    ++drafts;
    auto parsed = core::parse_connector_definition(json::parse(json::serialize(draft->definition)));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message << "\n" << json::serialize(description);
    ASSERT_TRUE(core::validate_definition(*parsed).empty());
    auto functions = script::script_functions(parsed->script_source);
    ASSERT_TRUE(functions.has_value()) << functions.error().message << "\n"
                                       << json::serialize(description);
    for (const auto& command : parsed->config_schema.commands) {
      ASSERT_NE(std::find(functions->begin(), functions->end(), command.name), functions->end())
          << command.name;
    }
  });
  EXPECT_GT(drafts, 50u);
  EXPECT_GT(refusals, 500u);
}

// ---------------------------------------------------------------------------
// The JSON Schema.

// The subset description_schema() uses: type, properties, required,
// additionalProperties: false, enum, items, minItems.
bool conforms(const json::value& value, const json::object& schema) {
  if (const auto* type = schema.if_contains("type")) {
    auto is = [&](std::string_view name) {
      if (name == "object") return value.is_object();
      if (name == "array") return value.is_array();
      if (name == "string") return value.is_string();
      if (name == "boolean") return value.is_bool();
      if (name == "integer") return value.is_int64() || value.is_uint64();
      if (name == "number") return value.is_number();
      return false;
    };
    bool any = false;
    if (type->is_string()) {
      any = is(type->get_string());
    } else {
      for (const auto& t : type->get_array()) any = any || is(t.get_string());
    }
    if (!any) return false;
  }
  if (const auto* values = schema.if_contains("enum")) {
    const auto& list = values->get_array();
    if (std::find(list.begin(), list.end(), value) == list.end()) return false;
  }
  if (const auto* object = value.if_object()) {
    if (const auto* required = schema.if_contains("required")) {
      for (const auto& key : required->get_array()) {
        if (!object->contains(key.get_string())) return false;
      }
    }
    if (const auto* properties = schema.if_contains("properties")) {
      for (const auto& member : *object) {
        const auto* property = properties->get_object().if_contains(member.key());
        if (property == nullptr) {
          if (schema.at("additionalProperties") == false) return false;
          continue;
        }
        if (!conforms(member.value(), property->get_object())) return false;
      }
    }
  }
  if (const auto* array = value.if_array()) {
    if (const auto* min = schema.if_contains("minItems"); min && array->size() < min->to_number<std::size_t>()) {
      return false;
    }
    if (const auto* items = schema.if_contains("items")) {
      for (const auto& item : *array) {
        if (!conforms(item, items->get_object())) return false;
      }
    }
  }
  return true;
}

// Every property has a description; objects forbid other properties.
void check_documented(const json::object& schema, const std::string& path) {
  EXPECT_TRUE(schema.contains("description")) << path;
  if (const auto* properties = schema.if_contains("properties")) {
    EXPECT_EQ(schema.at("additionalProperties"), false) << path;
    for (const auto& member : properties->get_object()) {
      check_documented(member.value().get_object(), path + "." + std::string(member.key()));
    }
  }
  if (const auto* items = schema.if_contains("items"); items && items->get_object().contains("properties")) {
    check_documented(items->get_object(), path + "[]");
  }
}

TEST(DescribeSchema, IsADocumentedJsonSchemaOfTheShapeTheReaderAccepts) {
  const json::object& schema = description_schema();
  EXPECT_EQ(&schema, &description_schema());
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema.at("type"), "object");
  EXPECT_EQ(schema.at("required"), json::parse(R"(["name", "baseUrl", "commands"])"));
  check_documented(schema, "");

  json::object valid = acme();
  command(valid, 1)["method"] = "GET";  // the schema lists methods in upper case
  EXPECT_TRUE(conforms(valid, schema));
  valid["auth"] = {{"type", "oauth2ClientCredentials"}, {"tokenUrl", "https://a.example.com/t"},
                   {"scopes", json::array{"read"}}};
  valid["testCommand"] = "listContacts";
  EXPECT_TRUE(conforms(valid, schema));
  EXPECT_TRUE(draft_from_description(valid).has_value());

  // What the schema refuses, the reader refuses.
  std::vector<std::function<void(json::object&)>> edits = {
      [](json::object& d) { d["extra"] = 1; },
      [](json::object& d) { d.erase("commands"); },
      [](json::object& d) { d["commands"] = json::array(); },
      [](json::object& d) { d["auth"] = {{"type", "digest"}}; },
      [](json::object& d) { command(d, 0)["method"] = "FETCH"; },
      [](json::object& d) { param(d, 0, 0)["in"] = "cookie"; },
      [](json::object& d) { param(d, 0, 0)["enum"] = json::array{json::object()}; },
      [](json::object& d) { param(d, 0, 0)["required"] = "yes"; },
      [](json::object& d) { command(d, 0)["outputs"] = json::array{1}; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    json::object description = acme();
    command(description, 1)["method"] = "GET";
    edits[i](description);
    EXPECT_FALSE(conforms(description, schema)) << i;
    EXPECT_FALSE(draft_from_description(description).has_value()) << i;
  }
}

// ---------------------------------------------------------------------------
// The documentation's example runs as written.

// `shown` abridges `actual`: its members are actual's (recursively), and a string
// ending in "..." is a prefix of actual's.
void expect_abridges(const json::value& shown, const json::value& actual, const std::string& path) {
  if (shown.is_object() && actual.is_object()) {
    for (const auto& member : shown.get_object()) {
      std::string at = path + "." + std::string(member.key());
      const auto* found = actual.get_object().if_contains(member.key());
      EXPECT_NE(found, nullptr) << at;
      if (found != nullptr) expect_abridges(member.value(), *found, at);
    }
    return;
  }
  if (shown.is_string() && shown.get_string().ends_with("...") && actual.is_string()) {
    std::string_view prefix = shown.get_string();
    prefix.remove_suffix(3);
    EXPECT_TRUE(actual.get_string().starts_with(prefix)) << path << ": " << actual;
    return;
  }
  EXPECT_EQ(shown, actual) << path;
}

TEST(DescribeDocs, TheExampleDescriptionDraftsAsDocumented) {
  std::string doc = test::read_text(std::filesystem::path(PATCHBAY_SOURCE_DIR) / "docs" /
                                    "connector-generation.md");
  auto block = [&](std::string_view heading) {
    auto at = doc.find(heading);
    EXPECT_NE(at, std::string::npos) << heading;
    if (at == std::string::npos) return std::string();
    auto start = doc.find("```json\n", at) + 8;
    return doc.substr(start, doc.find("```\n", start) - start);
  };
  auto description = core::parse_json(block("## Example"));
  ASSERT_TRUE(description.has_value()) << description.error().message;
  Draft draft = drafted(*description);
  auto shown = core::parse_json(block("The draft, abridged"));
  ASSERT_TRUE(shown.has_value()) << shown.error().message;
  expect_abridges(*shown, to_json(draft), "draft");
}

}  // namespace
}  // namespace patchbay::oas
