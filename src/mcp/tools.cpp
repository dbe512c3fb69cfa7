// The tool catalog: schemas, hints and the REST calls behind each tool.

#include "mcp/tools.hpp"

#include <algorithm>
#include <functional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "mcp/api.hpp"
#include "oas/describe.hpp"

namespace patchbay::mcp {
namespace {

namespace json = boost::json;

// Schemas are written as JSON, the way an assistant reads them.
json::object schema(std::string_view text) { return json::parse(text).as_object(); }

constexpr std::string_view kConnectorArgument = R"j(
  "connector": {"type": "string", "minLength": 1, "maxLength": 200,
                "description": "The connector's id (c_...) or its unique name"})j";

std::string connector_only_schema() {
  return std::string(R"j({"type": "object", "properties": {)j") + std::string(kConnectorArgument) +
         R"j(}, "required": ["connector"], "additionalProperties": false})j";
}

constexpr std::string_view kNoArguments =
    R"j({"type": "object", "properties": {}, "additionalProperties": false})j";

// A connector as the REST API shows it (secrets masked).
constexpr std::string_view kConnectorOutput = R"j({
  "type": "object",
  "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"},
    "version": {"type": "string"}, "executionModel": {"type": "string"},
    "revision": {"type": "integer"}, "configSchema": {"type": "object"},
    "config": {"type": "object"}
  },
  "required": ["id", "name"]})j";

// A ConnectorResult (seed 001's slots: success, payload, variables, diagnostics,
// error) plus the execution's id and duration.
constexpr std::string_view kResultOutput = R"j({
  "type": "object",
  "properties": {
    "success": {"type": "boolean"}, "payload": {}, "variables": {"type": "object"},
    "diagnostics": {}, "error": {}, "executionId": {"type": "string"},
    "durationMs": {"type": "number"}
  },
  "required": ["success"]})j";

// A draft connector definition, ready for create_connector.
constexpr std::string_view kDraftOutput = R"j({
  "type": "object",
  "properties": {
    "name": {"type": "string"}, "type": {"type": "string"}, "version": {"type": "string"},
    "description": {"type": "string"}, "executionModel": {"type": "string"},
    "configSchema": {"type": "object"}, "scriptSource": {"type": "string"},
    "warnings": {"type": "array", "items": {"type": "object"}}
  },
  "required": ["name", "executionModel", "configSchema", "scriptSource"]})j";

// Path segments are percent-encoded: a name or id is never read as more path.
std::string segment(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string connector_path(const json::object& arguments, std::string_view suffix = {}) {
  return "/api/connectors/" + segment(arguments.at("connector").as_string()) + std::string(suffix);
}

ToolResult failure(std::string text) { return ToolResult{.text = std::move(text), .is_error = true}; }

ToolResult success(json::value structured) {
  std::string text = json::serialize(structured);
  return ToolResult{.structured = std::move(structured), .text = std::move(text)};
}

// A REST answer as a tool result. Errors keep the API's code and message (which
// name the field, or the script's line:column) and its details, so the assistant
// can fix what it sent.
ToolResult from_reply(const core::Result<ApiReply>& reply, std::string_view action) {
  if (!reply) return failure(std::string(action) + " failed: " + reply.error().message);
  if (reply->status >= 200 && reply->status < 300) {
    if (reply->body.is_object()) return success(reply->body);
    return success(json::object{{"status", reply->status}});
  }
  std::string text = std::string(action) + " failed (HTTP " + std::to_string(reply->status) + ")";
  const json::object* error = nullptr;
  if (const auto* body = reply->body.if_object()) {
    if (const auto* inner = body->if_contains("error")) error = inner->if_object();
  }
  if (error != nullptr) {
    if (const auto* code = error->if_contains("code"); code && code->is_string()) {
      text += " " + std::string(code->get_string());
    }
    if (const auto* message = error->if_contains("message"); message && message->is_string()) {
      text += ": " + std::string(message->get_string());
    }
    if (const auto* details = error->if_contains("details"); details && !details->is_null()) {
      text += "\ndetails: " + json::serialize(*details);
    }
  } else if (!reply->body.is_null()) {
    text += ": " + json::serialize(reply->body);
  }
  return failure(std::move(text));
}

// test/execute: a connector that ran and reported failure is a tool error too,
// with the result as structured content so every slot can be read.
ToolResult from_execution(const core::Result<ApiReply>& reply, std::string_view action) {
  auto result = from_reply(reply, action);
  if (result.is_error) return result;
  const auto& body = result.structured.as_object();
  const auto* ok = body.if_contains("success");
  result.is_error = ok == nullptr || !ok->is_bool() || !ok->get_bool();
  return result;
}

// What list_connectors shows of each connector: enough to pick one, without the
// scripts (a generated one can be hundreds of KiB).
json::object summary(const json::object& connector) {
  json::object out;
  for (std::string_view key : {"id", "name", "type", "version", "executionModel", "description",
                               "revision", "updatedAt", "agent"}) {
    if (const auto* value = connector.if_contains(key)) out[key] = *value;
  }
  json::array commands;
  if (const auto* schema = connector.if_contains("configSchema"); schema && schema->is_object()) {
    if (const auto* list = schema->get_object().if_contains("commands"); list && list->is_object()) {
      for (const auto& [name, unused] : list->get_object()) commands.push_back(json::string(name));
    }
  }
  out["commands"] = std::move(commands);
  return out;
}

// A listing's output schema: {KEY: [objects]}.
json::object list_output(std::string_view key) {
  json::object items{{"type", "array"}, {"items", json::object{{"type", "object"}}}};
  return json::object{{"type", "object"},
                      {"properties", json::object{{key, std::move(items)}}},
                      {"required", json::array{json::string(key)}}};
}

// A REST list as {KEY: [each element through `shape`]}.
ToolResult listed(const core::Result<ApiReply>& reply, std::string_view action,
                  std::string_view key, const std::function<json::object(const json::object&)>& shape) {
  if (!reply || reply->status != 200 || !reply->body.is_array()) return from_reply(reply, action);
  json::array out;
  for (const auto& each : reply->body.get_array()) {
    if (each.is_object()) out.push_back(shape(each.get_object()));
  }
  return success(json::object{{key, std::move(out)}});
}

std::vector<Tool> build_catalog() {
  std::vector<Tool> tools;

  tools.push_back(Tool{
      .name = "parse_openapi_spec",
      .title = "Draft a connector from an OpenAPI description",
      .description =
          "Reads an OpenAPI description (Swagger 2.0, OpenAPI 3.0 or 3.1; as a JSON object or as "
          "JSON/YAML text) and returns a draft connector: one command per operation, the "
          "connection fields its servers and security schemes need, and a generated script. "
          "The draft can be passed unchanged to create_connector. 'warnings' lists what was "
          "skipped or degraded.",
      .input_schema = schema(R"j({
        "type": "object",
        "properties": {
          "spec": {"type": ["object", "string"],
                   "description": "The description: a JSON object, or its JSON or YAML text"},
          "select": {"type": "array", "items": {"type": "string"}, "maxItems": 10000,
                     "description": "Keep only these operations (command names or operationIds)"},
          "name": {"type": "string", "maxLength": 100,
                   "description": "The draft's name and type (default: from info.title)"}
        },
        "required": ["spec"], "additionalProperties": false})j"),
      .output_schema = schema(kDraftOutput),
      .read_only = true,
      .idempotent = true,
      .run = [](const json::object& arguments, Api& api) {
        return from_reply(api.call("POST", "/api/connectors/parse-oas", arguments),
                          "parse_openapi_spec");
      }});

  tools.push_back(Tool{
      .name = "generate_connector_script",
      .title = "Write a connector from a structured description",
      .description =
          "Writes a script connector from a structured description of an HTTP API: its name, "
          "baseUrl, auth (none, apiKey, bearer, basic, oauth2ClientCredentials) and commands, "
          "each with method, path and params (in path, query, header or body). You supply the "
          "understanding of the API; the tool writes consistent code for the floh.* script API "
          "and the configSchema. Returns a draft for create_connector; nothing is stored. "
          "Errors name the JSON path of every problem.",
      .input_schema = oas::description_schema(),
      .output_schema = schema(kDraftOutput),
      .read_only = true,
      .idempotent = true,
      .run = [](const json::object& arguments, Api&) {
        auto draft = oas::draft_from_description(arguments);
        if (!draft) {
          std::string text = "generate_connector_script failed: " + draft.error().message;
          if (!draft.error().details.is_null()) {
            text += "\ndetails: " + json::serialize(draft.error().details);
          }
          return failure(std::move(text));
        }
        return success(oas::to_json(*draft));
      }});

  tools.push_back(Tool{
      .name = "create_connector",
      .title = "Create a connector",
      .description =
          "Creates a connector from a definition in seed 001's shape (for example a draft from "
          "parse_openapi_spec or generate_connector_script) and, optionally, its connection "
          "config. Scripts are compiled first: a syntax error names line:column. Secret fields "
          "are encrypted and never shown again.",
      .input_schema = schema(R"j({
        "type": "object",
        "properties": {
          "definition": {"type": "object",
                         "description": "name, type, version, executionModel, configSchema and scriptSource (or endpointUrl for external connectors); a draft's 'warnings' are ignored"},
          "config": {"type": "object",
                     "description": "Connection field values (baseUrl, apiKey, ...)"}
        },
        "required": ["definition"], "additionalProperties": false})j"),
      .output_schema = schema(kConnectorOutput),
      .run = [](const json::object& arguments, Api& api) {
        json::object body = arguments.at("definition").as_object();
        if (const auto* config = arguments.if_contains("config")) body["config"] = *config;
        return from_reply(api.call("POST", "/api/connectors", body), "create_connector");
      }});

  tools.push_back(Tool{
      .name = "update_connector_script",
      .title = "Replace a connector's script",
      .description =
          "Replaces the scriptSource of a script or oas connector (and, optionally, its "
          "configSchema). The script is compiled before anything is stored: a syntax error comes "
          "back with line:column and nothing changes. A changed configSchema needs a version "
          "bump: send 'version', or 'autoBump': true.",
      .input_schema = schema(std::string(R"j({"type": "object", "properties": {)j") +
                             std::string(kConnectorArgument) + R"j(,
          "scriptSource": {"type": "string", "minLength": 1,
                           "description": "The whole new script (one function per command)"},
          "configSchema": {"type": "object",
                           "description": "A new configSchema, when the commands or fields change"},
          "version": {"type": "string", "description": "A new semantic version"},
          "autoBump": {"type": "boolean",
                       "description": "Let the server pick the version a schema change needs"}
        },
        "required": ["connector", "scriptSource"], "additionalProperties": false})j"),
      .output_schema = schema(kConnectorOutput),
      .destructive = true,
      .idempotent = true,
      .run = [](const json::object& arguments, Api& api) {
        json::object body = arguments;
        body.erase("connector");
        return from_reply(api.call("PUT", connector_path(arguments), body),
                          "update_connector_script");
      }});

  tools.push_back(Tool{
      .name = "test_connector",
      .title = "Test a connector",
      .description =
          "Runs the connector's 'test' command (connectivity and credentials) and returns its "
          "result. A failed test is a tool error whose text and diagnostics say why.",
      .input_schema = schema(connector_only_schema()),
      .output_schema = schema(kResultOutput),
      .open_world = true,
      .run = [](const json::object& arguments, Api& api) {
        return from_execution(api.call("POST", connector_path(arguments, "/test"), nullptr),
                              "test_connector");
      }});

  tools.push_back(Tool{
      .name = "execute_connector_command",
      .title = "Run a connector command",
      .description =
          "Runs one command of a connector with params and returns the ConnectorResult "
          "(success, payload, variables, diagnostics, error). With 'mock': true a command "
          "that has a mock returns it without calling the API.",
      .input_schema = schema(std::string(R"j({"type": "object", "properties": {)j") +
                             std::string(kConnectorArgument) + R"j(,
          "command": {"type": "string", "minLength": 1, "description": "The command's name"},
          "params": {"type": "object", "description": "The command's params by name"},
          "variables": {"type": "object", "description": "Workflow variables the command may read"},
          "mock": {"type": "boolean", "description": "Return the command's mock result"}
        },
        "required": ["connector", "command"], "additionalProperties": false})j"),
      .output_schema = schema(kResultOutput),
      .destructive = true,
      .open_world = true,
      .run = [](const json::object& arguments, Api& api) {
        json::object body = arguments;
        body.erase("connector");
        return from_execution(api.call("POST", connector_path(arguments, "/execute"), body),
                              "execute_connector_command");
      }});

  tools.push_back(Tool{
      .name = "list_connectors",
      .title = "List connectors",
      .description = "Lists every connector: id, name, type, version, execution model and its "
                     "command names.",
      .input_schema = schema(kNoArguments),
      .output_schema = list_output("connectors"),
      .read_only = true,
      .idempotent = true,
      .run = [](const json::object&, Api& api) {
        return listed(api.call("GET", "/api/connectors", nullptr), "list_connectors",
                      "connectors", summary);
      }});

  tools.push_back(Tool{
      .name = "get_connector",
      .title = "Read a connector",
      .description = "Returns one connector's whole definition (configSchema, scriptSource, "
                     "config with secrets masked, version, revision).",
      .input_schema = schema(connector_only_schema()),
      .output_schema = schema(kConnectorOutput),
      .read_only = true,
      .idempotent = true,
      .run = [](const json::object& arguments, Api& api) {
        return from_reply(api.call("GET", connector_path(arguments), nullptr), "get_connector");
      }});

  tools.push_back(Tool{
      .name = "list_connector_types",
      .title = "List connector types",
      .description = "Lists the connector types: the built-in handlers and the types of stored "
                     "connectors, each with its current version and configSchema.",
      .input_schema = schema(kNoArguments),
      .output_schema = list_output("types"),
      .read_only = true,
      .idempotent = true,
      .run = [](const json::object&, Api& api) {
        return listed(api.call("GET", "/api/connector-types", nullptr), "list_connector_types",
                      "types", [](const json::object& type) { return type; });
      }});

  tools.push_back(Tool{
      .name = "get_capabilities",
      .title = "A connector type's capabilities",
      .description = "What a connector type can do: its commands with their params and outputs, "
                     "and its connection fields.",
      .input_schema = schema(R"j({"type": "object", "properties": {
          "type": {"type": "string", "minLength": 1, "maxLength": 200,
                   "description": "The connector type (see list_connector_types)"}},
        "required": ["type"], "additionalProperties": false})j"),
      .output_schema = schema(R"j({"type": "object"})j"),
      .read_only = true,
      .idempotent = true,
      .run = [](const json::object& arguments, Api& api) {
        auto path = "/api/connector-types/" + segment(arguments.at("type").as_string()) +
                    "/capabilities";
        return from_reply(api.call("GET", path, nullptr), "get_capabilities");
      }});

  return tools;
}

}  // namespace

json::object Tool::describe() const {
  json::object out{{"name", name},
                   {"title", title},
                   {"description", description},
                   {"inputSchema", input_schema}};
  if (output_schema) out["outputSchema"] = *output_schema;
  out["annotations"] = json::object{{"title", title},
                                    {"readOnlyHint", read_only},
                                    {"destructiveHint", destructive},
                                    {"idempotentHint", idempotent},
                                    {"openWorldHint", open_world}};
  return out;
}

const std::vector<Tool>& tool_catalog() {
  static const std::vector<Tool> tools = build_catalog();
  return tools;
}

const Tool* find_tool(std::string_view name) {
  const auto& tools = tool_catalog();
  auto found = std::find_if(tools.begin(), tools.end(), [&](const Tool& t) { return t.name == name; });
  return found == tools.end() ? nullptr : &*found;
}

}  // namespace patchbay::mcp
