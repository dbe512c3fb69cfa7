// Hand-written descriptions for the importer's edge cases: names, params, bodies,
// servers, refs, YAML, select, and every kind of bad input.

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "oas/oas.hpp"
#include "script/script.hpp"

namespace patchbay::oas {
namespace {

namespace json = boost::json;

Draft imported(std::string_view text, const ImportOptions& options = {}) {
  auto draft = import_text(text, options);
  EXPECT_TRUE(draft.has_value()) << draft.error().message;
  return draft ? std::move(*draft) : Draft{};
}

std::string refusal(std::string_view text, const ImportOptions& options = {}) {
  auto draft = import_text(text, options);
  EXPECT_FALSE(draft.has_value());
  if (draft) return {};
  EXPECT_EQ(draft.error().code, core::ErrorCode::InvalidArgument);
  return draft.error().message;
}

const json::object& commands(const Draft& draft) {
  return draft.definition.at("configSchema").at("commands").as_object();
}
const json::object& connection(const Draft& draft) {
  return draft.definition.at("configSchema").at("connectionConfig").as_object();
}
bool warned(const Draft& draft, std::string_view text) {
  return std::any_of(draft.warnings.begin(), draft.warnings.end(),
                     [&](const ImportWarning& w) { return w.message.find(text) != std::string::npos; });
}

TEST(Naming, OperationIdsBecomeLowerCamelAndMissingOnesComeFromTheRoute) {
  auto draft = imported(R"({"openapi": "3.0.3", "info": {"title": "Pet Store!", "version": "1"},
    "paths": {
      "/pets": {"get": {"operationId": "list pets"}, "post": {"operationId": "Pets_Create"}},
      "/pets/{petId}/toys": {"get": {"parameters": [{"name": "petId", "in": "path",
                                     "required": true, "schema": {"type": "integer"}}]}},
      "/a": {"get": {"operationId": "delete"}, "put": {"operationId": "test"},
             "post": {"operationId": "list-pets"}, "delete": {"operationId": "9lives"}}}})");
  EXPECT_EQ(draft.definition.at("name"), "pet-store");
  EXPECT_EQ(draft.definition.at("type"), "pet-store");
  EXPECT_EQ(draft.definition.at("executionModel"), "oas");
  EXPECT_EQ(draft.definition.at("version"), "1.0.0");
  const auto& all = commands(draft);
  for (const char* name : {"listPets", "petsCreate", "getPetsByPetIdToys", "deleteOp", "testOp",
                           "listPets2", "op9lives", "test"}) {
    EXPECT_TRUE(all.contains(name)) << name << " in " << json::serialize(all);
  }
  // The shortest GET path without required params backs the test command.
  EXPECT_EQ(all.at("test").at("description"), "Checks connectivity and credentials with GET /a");
}

TEST(Naming, NamesAreStableAndSelectKeepsThem) {
  std::string spec = R"({"swagger": "2.0", "info": {"title": "T", "version": "1"},
    "paths": {"/x": {"get": {"operationId": "getX"}, "post": {"operationId": "postX"}},
              "/y": {"get": {}}}})";
  ImportOptions options;
  options.select = {"postX", "getY"};
  auto draft = imported(spec, options);
  EXPECT_EQ(commands(draft).size(), 3u);  // and test, backed by getY
  EXPECT_TRUE(commands(draft).contains("test"));
  EXPECT_TRUE(commands(draft).contains("postX"));
  EXPECT_TRUE(commands(draft).contains("getY"));
  EXPECT_EQ(draft.operations, 3u);
  options.select = {"getX", "nope", "alsoNope"};
  EXPECT_EQ(refusal(spec, options),
            "select names no operation of the description: nope, alsoNope (use command names or "
            "operationIds)");
}

TEST(Params, EveryLocationWithCollisionsRenamedAndSchemasMapped) {
  auto draft = imported(R"({"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
    "paths": {"/items/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "put": {"operationId": "updateItem",
        "parameters": [
          {"name": "id", "in": "query", "schema": {"type": ["integer", "null"], "minimum": 1}},
          {"name": "X-Trace", "in": "header", "description": "Trace id\n\nlong text",
           "schema": {"type": "string"}},
          {"name": "Accept", "in": "header", "schema": {"type": "string"}},
          {"name": "session", "in": "cookie", "schema": {"type": "string"}},
          {"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["a", "b"],
                                                     "default": "c"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "allOf": [{"$ref": "#/components/schemas/Base"},
                    {"type": "object", "required": ["name"],
                     "properties": {"name": {"type": "string"}, "command": {"type": "string"}}}]}}}},
        "responses": {"200": {"content": {"application/json": {"schema": {
          "$ref": "#/components/schemas/Base"}}}}}}}},
    "components": {"schemas": {"Base": {"type": "object", "properties": {
      "id": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}}}}})");
  const auto& command = commands(draft).at("updateItem").as_object();
  EXPECT_EQ(json::serialize(command.at("params")),
            R"(["id","queryId","X-Trace","session","mode","bodyId","tags","name","bodyCommand"])");
  const auto& schema = command.at("paramSchema").as_object();
  EXPECT_EQ(schema.at("id").at("required"), true);
  EXPECT_EQ(schema.at("queryId").at("type"), "integer");
  EXPECT_EQ(schema.at("queryId").at("minimum"), 1);
  EXPECT_EQ(schema.at("X-Trace").at("description"), "Trace id");
  EXPECT_EQ(json::serialize(schema.at("mode").at("enum")), R"(["a","b"])");
  EXPECT_FALSE(schema.at("mode").as_object().contains("default"));  // "c" is not in the enum
  EXPECT_TRUE(warned(draft, "param mode: default string \"c\" does not validate"));
  EXPECT_EQ(schema.at("tags").at("type"), "array");
  EXPECT_EQ(schema.at("name").at("required"), true);
  EXPECT_FALSE(schema.at("bodyId").as_object().contains("required"));
  EXPECT_EQ(json::serialize(command.at("outputs")), R"(["id","tags"])");
  const auto& script = draft.definition.at("scriptSource").as_string();
  EXPECT_NE(std::string_view(script).find(
                R"("params":[["id","path"],["queryId","query","id"],["X-Trace","header"],)"
                R"(["session","cookie"],["mode","query"],["bodyId","body","id"],["tags","body"],)"
                R"(["name","body"],["bodyCommand","body","command"]],"body":"json")"),
            std::string_view::npos)
      << script;
}

TEST(Params, Swagger2CollectionFormatsAndUndeclaredPathVariables) {
  auto draft = imported(R"(swagger: "2.0"
info: {title: T, version: "1"}
host: api.example.com
basePath: /v1/
schemes: [http, https]
paths:
  /files/{folder}/{name}:
    get:
      operationId: getFile
      parameters:
        - {name: folder, in: path, required: true, type: string}
        - {name: tags, in: query, type: array, items: {type: string}, collectionFormat: multi}
        - {name: ids, in: query, type: array, items: {type: integer}}
        - {name: words, in: query, type: array, items: {type: string}, collectionFormat: pipes}
        - {name: ghost, in: path, required: true, type: string}
)");
  EXPECT_EQ(connection(draft).at("baseUrl").at("default"), "https://api.example.com/v1");
  const auto& command = commands(draft).at("getFile").as_object();
  EXPECT_EQ(json::serialize(command.at("params")), R"(["folder","name","tags","ids","words"])");
  EXPECT_TRUE(warned(draft, "path variable {name} is not declared"));
  EXPECT_TRUE(warned(draft, "path parameter \"ghost\" is not in the path"));
  std::string_view script = draft.definition.at("scriptSource").as_string();
  EXPECT_NE(script.find(R"(["tags","query"])"), std::string_view::npos);  // form, exploded
  EXPECT_NE(script.find(R"(["ids","query","ids","form",false])"), std::string_view::npos);
  EXPECT_NE(script.find(R"(["words","query","words","pipeDelimited",false])"),
            std::string_view::npos);
}

TEST(Bodies, FormMultipartTextAndRawJson) {
  auto draft = imported(R"({"openapi": "3.0.0", "info": {"title": "T", "version": "1"},
    "paths": {
      "/form": {"post": {"operationId": "form", "requestBody": {"content": {
        "application/x-www-form-urlencoded": {"schema": {"type": "object",
          "properties": {"a": {"type": "string"}}}}}}}},
      "/upload": {"post": {"operationId": "upload", "requestBody": {"content": {
        "multipart/form-data": {"schema": {"type": "object",
          "properties": {"file": {"type": "string", "format": "binary"}, "note": {"type": "string"}}}}}}}},
      "/text": {"put": {"operationId": "text", "requestBody": {"required": true, "content": {
        "text/plain": {"schema": {"type": "string"}}}}}},
      "/list": {"post": {"operationId": "list", "requestBody": {"content": {
        "application/vnd.api+json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}}}})");
  std::string_view script = draft.definition.at("scriptSource").as_string();
  EXPECT_NE(script.find(R"("form":{"method":"POST","path":"/form","params":[["a","body"]],"body":"form"})"),
            std::string_view::npos);
  EXPECT_NE(script.find(R"(["file","body"],["note","body"]],"body":"multipart")"), std::string_view::npos);
  EXPECT_NE(script.find(R"(["body","payload"]],"body":"text","contentType":"text/plain")"),
            std::string_view::npos);
  EXPECT_NE(script.find(R"("body":"json","contentType":"application/vnd.api+json")"),
            std::string_view::npos);
  EXPECT_TRUE(warned(draft, "binary fields of the body are sent as text"));
  EXPECT_EQ(commands(draft).at("list").at("paramSchema").at("body").at("type"), "array");
  EXPECT_EQ(commands(draft).at("text").at("paramSchema").at("body").at("required"), true);
}

TEST(Servers, VariablesRelativeAndMissing) {
  auto with_variables = imported(R"({"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
    "servers": [{"url": "https://{region}.example.com:{port}/v2/", "variables": {
      "region": {"default": "eu"}, "port": {"default": "8443"}}}, {"url": "https://backup.example.com"}],
    "paths": {}})");
  const auto& base = connection(with_variables).at("baseUrl").as_object();
  EXPECT_EQ(base.at("default"), "https://eu.example.com:8443/v2");
  EXPECT_NE(std::string_view(base.at("description").as_string()).find("https://backup.example.com"),
            std::string_view::npos);

  auto relative = imported(R"({"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
    "servers": [{"url": "/api/v3"}], "paths": {}})");
  const auto& required = connection(relative).at("baseUrl").as_object();
  EXPECT_EQ(required.at("required"), true);
  EXPECT_NE(std::string_view(required.at("description").as_string()).find("/api/v3"),
            std::string_view::npos);
}

TEST(Security, OperationOverridesAndUnsupportedSchemes) {
  auto draft = imported(R"({"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
    "components": {"securitySchemes": {
      "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
      "digest": {"type": "http", "scheme": "digest"},
      "mtls": {"type": "mutualTLS"}}},
    "security": [{"key": []}],
    "paths": {"/open": {"get": {"operationId": "open", "security": [{}]}},
              "/digest": {"get": {"operationId": "digestOnly", "security": [{"digest": []}]}},
              "/keyed": {"get": {"operationId": "keyed"}}}})");
  EXPECT_TRUE(connection(draft).at("key").at("secret").as_bool());
  std::string_view script = draft.definition.at("scriptSource").as_string();
  EXPECT_NE(script.find(R"("open":{"method":"GET","path":"/open","params":[],"security":[{}]})"),
            std::string_view::npos);
  EXPECT_NE(script.find(R"("keyed":{"method":"GET","path":"/keyed","params":[]})"),
            std::string_view::npos);
  EXPECT_NE(script.find("const DEFAULT_SECURITY = [{\"key\":[]}];"), std::string_view::npos);
  EXPECT_TRUE(warned(draft, "security scheme \"digest\" (http scheme \"digest\") is not supported"));
  EXPECT_TRUE(warned(draft, "needs security scheme digest, which the connector cannot satisfy"));
}

TEST(Refs, CyclesBrokenAndExternalRefsAreWarningsNotFailures) {
  auto draft = imported(R"({"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
    "paths": {
      "/loop": {"get": {"operationId": "loop", "parameters": [{"$ref": "#/components/parameters/A"}]}},
      "/broken": {"get": {"operationId": "broken", "parameters": [{"$ref": "#/components/parameters/Nope"}]}},
      "/ext": {"post": {"operationId": "ext", "requestBody": {"content": {"application/json": {
        "schema": {"$ref": "common.yaml#/Thing"}}}}}},
      "/item": {"$ref": "#/components/pathItems/Item"},
      "/self": {"get": {"operationId": "self", "requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Node"}}}}}}},
    "components": {
      "parameters": {"A": {"$ref": "#/components/parameters/B"}, "B": {"$ref": "#/components/parameters/A"}},
      "schemas": {"Node": {"type": "object", "allOf": [{"$ref": "#/components/schemas/Node"}],
                           "properties": {"next": {"$ref": "#/components/schemas/Node"}}}},
      "pathItems": {"Item": {"get": {"operationId": "item"}}}}})");
  EXPECT_EQ(commands(draft).size(), 6u);  // five operations and test
  EXPECT_TRUE(warned(draft, "circular $ref \"#/components/parameters/"));
  EXPECT_TRUE(warned(draft, "$ref \"#/components/parameters/Nope\" points to nothing"));
  EXPECT_TRUE(warned(draft, "external $ref \"common.yaml\" is not resolved"));
  EXPECT_TRUE(commands(draft).contains("item"));
  EXPECT_EQ(json::serialize(commands(draft).at("self").at("params")), R"(["next"])");
}

TEST(Refs, ExternalFilesComeFromTheLoader) {
  ImportOptions options;
  std::vector<std::string> asked;
  options.load_external = [&](std::string_view ref) -> core::Result<std::string> {
    asked.emplace_back(ref);
    if (ref == "schemas/common.yaml") return std::string("Thing:\n  $ref: 'more.yaml#/Id'\n");
    if (ref == "schemas/more.yaml") {
      return std::string("Id: {type: object, properties: {id: {type: integer}}}\n");
    }
    return core::Error{core::ErrorCode::NotFound, "no such file", {}};
  };
  auto draft = imported(R"({"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
    "paths": {"/ext": {"post": {"operationId": "ext", "requestBody": {"content": {
      "application/json": {"schema": {"$ref": "schemas/common.yaml#/Thing"}}}}}}}})",
                        options);
  EXPECT_EQ(json::serialize(commands(draft).at("ext").at("params")), R"(["id"])");
  EXPECT_EQ(commands(draft).at("ext").at("paramSchema").at("id").at("type"), "integer");
  EXPECT_EQ(asked, (std::vector<std::string>{"schemas/common.yaml", "schemas/more.yaml"}));
}

TEST(Yaml, AnchorsMergeKeysAndNumericKeys) {
  auto draft = imported(R"(openapi: 3.0.3
info: {title: Anchors, version: 1.0}
x-common: &page
  name: page
  in: query
  schema: {type: integer, default: 1}
paths:
  /a:
    get:
      operationId: a
      parameters:
        - *page
        - <<: *page
          name: size
      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {total: {type: integer}}}
)");
  const auto& command = commands(draft).at("a").as_object();
  EXPECT_EQ(json::serialize(command.at("params")), R"(["page","size"])");
  EXPECT_EQ(command.at("paramSchema").at("size").at("default"), 1);
  EXPECT_EQ(json::serialize(command.at("outputs")), R"(["total"])");
}

TEST(BadInput, EveryRefusalSaysWhy) {
  EXPECT_EQ(refusal(""), "the description is empty");
  EXPECT_EQ(refusal("   \n"), "the description is empty");
  EXPECT_NE(refusal("{\"openapi\": ").find("not valid JSON"), std::string::npos);
  EXPECT_NE(refusal("key: [unclosed").find("not valid YAML"), std::string::npos);
  EXPECT_EQ(refusal("just some words"),
            "not an OpenAPI description: the document is a string, not an object");
  EXPECT_EQ(refusal("[1, 2]"), "not an OpenAPI description: the document is an array, not an object");
  EXPECT_EQ(refusal(R"({"info": {}})"),
            "not an OpenAPI description: it has neither an \"openapi\" nor a \"swagger\" member");
  EXPECT_EQ(refusal(R"({"openapi": "2.0"})"), "OpenAPI version 2.0 is not supported (3.0.x and 3.1.x are)");
  EXPECT_EQ(refusal(R"({"openapi": "4.0.0"})"),
            "OpenAPI version 4.0.0 is not supported (3.0.x and 3.1.x are)");
  EXPECT_EQ(refusal(R"({"swagger": "1.2"})"), "Swagger version 1.2 is not supported (2.0 is)");
  EXPECT_EQ(refusal(R"({"openapi": "3.0.0", "paths": []})"), "paths must be an object, got array []");
  EXPECT_NE(refusal("a: 1\n---\nb: 2\n").find("more than one YAML document"), std::string::npos);
  EXPECT_NE(refusal("a: *nowhere\n").find("names no anchor"), std::string::npos);
}

TEST(BadInput, AbsurdNestingIsRefusedWithoutRecursion) {
  std::string json_deep(100'000, '[');
  EXPECT_NE(refusal(json_deep).find("nested deeper than 256 levels"), std::string::npos);
  std::string yaml_deep = "a: " + std::string(100'000, '[');
  EXPECT_NE(refusal(yaml_deep).find("nested deeper than 256 levels"), std::string::npos);
  std::string block;
  for (int i = 0; i < 300; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  EXPECT_NE(refusal(block).find("nested deeper than 256 levels"), std::string::npos);
}

TEST(BadInput, AliasBombsAndHugeInputsAreRefused) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'k'; ++name) {
    bomb += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", " : "") + "*" + previous;
    bomb += "]\n";
    previous = name;
  }
  EXPECT_NE(refusal(bomb).find("aliases expand to more than"), std::string::npos);

  ImportOptions small;
  small.limits.max_bytes = 1024;
  EXPECT_EQ(refusal(std::string(2048, ' '), small), "the description is 2048 bytes; the limit is 1024");
  // A 100 MB string value is over the default 64 MiB limit before any parsing.
  std::string huge = R"({"openapi": "3.0.0", "info": {"title": ")" + std::string(100'000'000, 'x') + "\"}}";
  EXPECT_NE(refusal(huge).find("the limit is 67108864"), std::string::npos);
}

// Found by the fuzzer: each once made a draft that the API could not answer or take back.
TEST(BadInput, DraftsStayValidJsonAndValidDefinitions) {
  auto draft = imported(R"(openapi: 3.0.0
info: {title: T, version: "1"}
paths:
  /x:
    get:
      operationId: get
      parameters:
        - {name: "a\x19b", in: query, schema: {type: number, maximum: 1e400, enum: [1, .nan]}}
        - {name: deep, in: query, schema: {default: [[[[[[[[[[[1]]]]]]]]]]]}}
        - {name: inf, in: query, schema: {type: number, default: .inf}}
)");
  const auto& command = commands(draft).at("get").as_object();
  EXPECT_EQ(json::serialize(command.at("params")), R"(["a_b","deep","inf"])");
  const auto& schema = command.at("paramSchema").as_object();
  EXPECT_FALSE(schema.at("a_b").as_object().contains("maximum"));
  EXPECT_EQ(json::serialize(schema.at("a_b").at("enum")), "[1]");
  EXPECT_FALSE(schema.at("deep").as_object().contains("default"));
  EXPECT_FALSE(schema.at("inf").as_object().contains("default"));
  // What the API answers parses back as JSON.
  EXPECT_TRUE(core::parse_json(json::serialize(to_json(draft))).has_value());
}

// The generated script's own functions are replaced by nothing an operation is
// called: a command function "failure" would be redefined by the runtime's.
TEST(Naming, OperationIdsNamedLikeTheRuntimesFunctionsAreRenamed) {
  auto draft = imported(R"({"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
    "paths": {"/a": {"get": {"operationId": "failure"}, "post": {"operationId": "base64"}}}})");
  EXPECT_TRUE(commands(draft).contains("failureOp"));
  EXPECT_TRUE(commands(draft).contains("base64Op"));
}

// A title or the test operation's path with a line terminator cannot end the
// script's comments early and leave the rest as code.
TEST(BadInput, LineTerminatorsInTitleAndPathStayInsideComments) {
  auto draft = imported("{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"A\\u2028B\\nC\", \"version\": \"1\"},"
                        " \"paths\": {\"/a\\u2029b\\rc\": {\"get\": {}}}}");
  std::string source(draft.definition.at("scriptSource").as_string());
  ASSERT_TRUE(script::check_script(source).has_value());
  EXPECT_EQ(source.substr(0, source.find('\n')),
            "// Generated by patchbay from the OpenAPI description \"A B C\" (OpenAPI 3.0.3).");
  auto comment = source.find("// Connectivity and credentials: ");
  ASSERT_NE(comment, std::string::npos);
  auto end = source.find('\n', comment);
  EXPECT_EQ(source.substr(comment, end - comment), "// Connectivity and credentials: GET /a b c");
  EXPECT_EQ(source.compare(end + 1, 17, "function test() {"), 0) << source.substr(end, 40);
}

TEST(BadInput, NonUtf8YamlIsRefusedNotHung) {
  EXPECT_NE(refusal("%\xff").find("not valid YAML"), std::string::npos);
}

TEST(Warnings, DraftJsonCarriesThem) {
  auto draft = imported(R"({"openapi": "3.1.0", "info": {"title": "Hooks", "version": "1"},
    "webhooks": {"newPet": {"post": {}}}})");
  auto out = to_json(draft);
  ASSERT_TRUE(out.contains("warnings"));
  const auto& first = out.at("warnings").at(0).as_object();
  EXPECT_EQ(first.at("kind"), "note");
  EXPECT_EQ(first.at("pointer"), "#/webhooks");
}

}  // namespace
}  // namespace patchbay::oas
