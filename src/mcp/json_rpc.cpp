#include "mcp/json_rpc.hpp"

namespace patchbay::mcp::jsonrpc {
namespace {

namespace json = boost::json;

bool usable_id(const json::value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

}  // namespace

json::object result(const json::value& id, json::value result) {
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json::object error(const json::value& id, int code, std::string_view message, json::value data) {
  json::object detail{{"code", code}, {"message", message}};
  if (!data.is_null()) detail["data"] = std::move(data);
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(detail)}};
}

std::optional<Message> read_message(const json::value& value, Refusal& refusal) {
  auto refuse = [&](const json::value& id, int code, std::string message) {
    refusal.reply = error(id, code, message);
    return std::nullopt;
  };
  const auto* object = value.if_object();
  if (object == nullptr) return refuse(nullptr, kInvalidRequest, "a JSON-RPC message is an object");
  const json::value* id = object->if_contains("id");
  json::value reply_id = id != nullptr && usable_id(*id) ? *id : json::value(nullptr);
  const auto* version = object->if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
    return refuse(reply_id, kInvalidRequest, "\"jsonrpc\" must be \"2.0\"");
  }
  if (id != nullptr && !usable_id(*id)) {
    return refuse(nullptr, kInvalidRequest, "\"id\" must be a string or an integer");
  }

  Message message;
  if (const auto* method = object->if_contains("method")) {
    if (!method->is_string() || method->get_string().empty()) {
      return refuse(reply_id, kInvalidRequest, "\"method\" must be a non-empty string");
    }
    message.kind = id != nullptr ? Message::Kind::Request : Message::Kind::Notification;
    message.method = method->get_string();
    if (const auto* params = object->if_contains("params"); params != nullptr) {
      if (!params->is_object()) {
        return refuse(reply_id, kInvalidParams, "\"params\" must be an object");
      }
      message.params = &params->get_object();
    }
  } else if (id != nullptr && (object->contains("result") || object->contains("error"))) {
    message.kind = Message::Kind::Response;
  } else {
    return refuse(reply_id, kInvalidRequest,
                  "a JSON-RPC message has \"method\" (request or notification) or "
                  "\"result\"/\"error\" (response)");
  }
  message.id = reply_id;
  return message;
}

}  // namespace patchbay::mcp::jsonrpc
