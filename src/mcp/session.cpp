#include "mcp/session.hpp"

#include <algorithm>
#include <exception>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/json.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/resources.hpp"
#include "mcp/schema_check.hpp"
#include "mcp/tools.hpp"

namespace patchbay::mcp {
namespace {

namespace json = boost::json;
using jsonrpc::Message;

// What an assistant is told at initialize: the path through the tools.
constexpr std::string_view kInstructions =
    "patchbay builds, tests and runs connectors to third-party APIs. To build one: "
    "parse_openapi_spec when there is an OpenAPI description, otherwise describe the API to "
    "generate_connector_script; then create_connector with the draft and its config (baseUrl, "
    "credentials), test_connector, and execute_connector_command. Fix a script with "
    "update_connector_script (syntax errors come back with line:column). The script API and "
    "the connector model are readable as resources (patchbay://docs/...).";

const json::object* object_member(const json::object* params, std::string_view key) {
  if (params == nullptr) return nullptr;
  const auto* value = params->if_contains(key);
  return value != nullptr ? value->if_object() : nullptr;
}

std::optional<std::string_view> string_param(const json::object* params, std::string_view key) {
  if (params == nullptr) return std::nullopt;
  return core::string_member(*params, key);
}

json::object tool_result(ToolResult result) {
  json::array content;
  content.push_back(json::object{{"type", "text"}, {"text", std::move(result.text)}});
  json::object out{{"content", std::move(content)}};
  if (result.structured.is_object()) out["structuredContent"] = std::move(result.structured);
  if (result.is_error) out["isError"] = true;
  return out;
}

}  // namespace

const std::vector<std::string_view>& supported_protocol_versions() {
  static const std::vector<std::string_view> versions = {kLatestProtocolVersion, "2025-06-18",
                                                         "2025-03-26", "2024-11-05"};
  return versions;
}

bool supports_protocol_version(std::string_view version) {
  const auto& versions = supported_protocol_versions();
  return std::find(versions.begin(), versions.end(), version) != versions.end();
}

bool is_request(const json::value& message, std::string_view method) {
  const auto* object = message.if_object();
  if (object == nullptr || !object->contains("id")) return false;
  auto named = core::string_member(*object, "method");
  return named && *named == method;
}

Session::Session(std::string server_version, core::Logger& logger)
    : server_version_(std::move(server_version)), logger_(logger) {}

std::string Session::protocol_version() const {
  std::lock_guard lock(mutex_);
  return protocol_version_;
}

std::optional<json::value> Session::handle_text(std::string_view text, Api& api) {
  auto parsed = core::parse_json(text, kMaxMessageDepth);
  if (!parsed) {
    return json::value(jsonrpc::error(nullptr, jsonrpc::kParseError,
                                      "parse error: " + parsed.error().message));
  }
  return handle(*parsed, api);
}

std::optional<json::value> Session::handle(const json::value& message, Api& api) {
  if (const auto* batch = message.if_array()) {
    // JSON-RPC batches (MCP 2025-03-26; later revisions send single messages).
    if (batch->empty()) {
      return json::value(jsonrpc::error(nullptr, jsonrpc::kInvalidRequest, "an empty batch"));
    }
    json::array replies;
    for (const auto& each : *batch) {
      if (is_request(each, "initialize")) {
        replies.push_back(jsonrpc::error(each.as_object().at("id"), jsonrpc::kInvalidRequest,
                                         "initialize must not be part of a batch"));
        continue;
      }
      bool replied = false;
      json::value reply = handle_one(each, api, replied);
      if (replied) replies.push_back(std::move(reply));
    }
    if (replies.empty()) return std::nullopt;
    return json::value(std::move(replies));
  }
  bool replied = false;
  json::value reply = handle_one(message, api, replied);
  if (!replied) return std::nullopt;
  return reply;
}

json::value Session::handle_one(const json::value& value, Api& api, bool& replied) {
  jsonrpc::Refusal refusal;
  auto message = jsonrpc::read_message(value, refusal);
  replied = true;
  if (!message) return std::move(refusal.reply);

  if (message->kind != Message::Kind::Request) {
    // Notifications (initialized, cancelled, ...) need nothing from a server
    // that is ready once it has answered initialize and runs each call to its
    // end; responses answer nothing, as patchbay sends no requests.
    replied = false;
    return nullptr;
  }

  const auto& id = message->id;
  const auto& method = message->method;
  if (method == "initialize") return initialize(id, message->params);
  if (method == "ping") return jsonrpc::result(id, json::object{});
  {
    std::lock_guard lock(mutex_);
    if (protocol_version_.empty()) {
      return jsonrpc::error(id, jsonrpc::kInvalidRequest,
                            "the session is not initialized: send initialize first");
    }
  }
  try {
    if (method == "tools/list") {
      json::array tools;
      for (const auto& tool : tool_catalog()) tools.push_back(tool.describe());
      return jsonrpc::result(id, json::object{{"tools", std::move(tools)}});
    }
    if (method == "tools/call") return call_tool(id, message->params, api);
    if (method == "resources/list") {
      json::array resources;
      for (const auto& resource : resource_catalog()) {
        resources.push_back(json::object{{"uri", resource.uri},
                                         {"name", resource.name},
                                         {"title", resource.title},
                                         {"description", resource.description},
                                         {"mimeType", resource.mime_type},
                                         {"size", resource.text.size()}});
      }
      return jsonrpc::result(id, json::object{{"resources", std::move(resources)}});
    }
    if (method == "resources/templates/list") {
      return jsonrpc::result(id, json::object{{"resourceTemplates", json::array{}}});
    }
    if (method == "resources/read") return read_resource(id, message->params);
  } catch (const std::exception& error) {
    logger_.error("MCP request failed", {{"method", method}, {"error", error.what()}});
    return jsonrpc::error(id, jsonrpc::kInternalError, "internal error; the server log has details");
  }
  return jsonrpc::error(id, jsonrpc::kMethodNotFound, "method not found: " + method);
}

json::value Session::initialize(const json::value& id, const json::object* params) {
  auto requested = string_param(params, "protocolVersion");
  if (!requested) {
    return jsonrpc::error(id, jsonrpc::kInvalidParams,
                          "initialize needs params.protocolVersion (a string)");
  }
  std::string version = supports_protocol_version(*requested) ? std::string(*requested)
                                                              : std::string(kLatestProtocolVersion);
  std::string client;
  if (const auto* info = object_member(params, "clientInfo")) {
    client = core::string_member(*info, "name").value_or("");
  }
  {
    std::lock_guard lock(mutex_);
    if (!protocol_version_.empty()) {
      return jsonrpc::error(id, jsonrpc::kInvalidRequest, "the session is initialized already");
    }
    protocol_version_ = version;
  }
  logger_.info("MCP session initialized",
               {{"protocolVersion", version}, {"requested", *requested}, {"client", client}});
  json::object capabilities{{"tools", json::object{{"listChanged", false}}},
                            {"resources", json::object{{"listChanged", false}}}};
  return jsonrpc::result(
      id, json::object{{"protocolVersion", version},
                       {"capabilities", std::move(capabilities)},
                       {"serverInfo", json::object{{"name", "patchbay"},
                                                   {"title", "patchbay connector platform"},
                                                   {"version", server_version_}}},
                       {"instructions", kInstructions}});
}

json::value Session::call_tool(const json::value& id, const json::object* params, Api& api) {
  auto name = string_param(params, "name");
  if (!name) return jsonrpc::error(id, jsonrpc::kInvalidParams, "tools/call needs params.name");
  const Tool* tool = find_tool(*name);
  if (tool == nullptr) {
    return jsonrpc::error(id, jsonrpc::kInvalidParams,
                          "unknown tool: " + std::string(*name) + " (tools/list names them)");
  }
  static const json::object kNoArguments;
  const json::object* arguments = &kNoArguments;
  if (const auto* given = params->if_contains("arguments"); given != nullptr && !given->is_null()) {
    if (!given->is_object()) {
      return jsonrpc::error(id, jsonrpc::kInvalidParams, "params.arguments must be an object");
    }
    arguments = &given->get_object();
  }
  if (auto problem = check_against_schema(tool->input_schema, *arguments)) {
    return jsonrpc::result(
        id, tool_result(ToolResult{.text = tool->name + ": invalid arguments: " + *problem +
                                           " (see the tool's inputSchema)",
                                   .is_error = true}));
  }
  ToolResult result;
  try {
    result = tool->run(*arguments, api);
  } catch (const std::exception& error) {
    logger_.error("MCP tool failed with an exception",
                  {{"tool", tool->name}, {"error", error.what()}});
    result = ToolResult{.text = tool->name + " failed: internal error; the server log has details",
                        .is_error = true};
  }
  if (result.is_error) {
    logger_.info("MCP tool call failed", {{"tool", tool->name}, {"reason", result.text}});
  }
  return jsonrpc::result(id, tool_result(std::move(result)));
}

json::value Session::read_resource(const json::value& id, const json::object* params) {
  auto uri = string_param(params, "uri");
  if (!uri) return jsonrpc::error(id, jsonrpc::kInvalidParams, "resources/read needs params.uri");
  const Resource* resource = find_resource(*uri);
  if (resource == nullptr) {
    return jsonrpc::error(id, jsonrpc::kResourceNotFound, "resource not found",
                          json::object{{"uri", *uri}});
  }
  json::array contents;
  contents.push_back(json::object{
      {"uri", resource->uri}, {"mimeType", resource->mime_type}, {"text", resource->text}});
  return jsonrpc::result(id, json::object{{"contents", std::move(contents)}});
}

}  // namespace patchbay::mcp
