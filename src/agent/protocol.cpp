#include "agent/protocol.hpp"

#include <array>

#include <boost/json/serialize.hpp>
#include <sodium.h>

#include "core/connector_definition.hpp"
#include "core/json.hpp"

namespace patchbay::agent {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxAgentName = 200;
constexpr std::size_t kMaxConnectorNames = 1000;

core::Error invalid(std::string message) {
  return core::Error{core::ErrorCode::InvalidArgument, std::move(message), {}};
}

// A string member, or "" when absent; `problem` set when present but not a string.
std::string text_member(const json::object& object, std::string_view key, std::string& problem) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_string()) {
    if (problem.empty()) problem = std::string(key) + ": must be a string";
    return {};
  }
  return std::string(value->get_string());
}

json::object object_member(const json::object& object, std::string_view key,
                           std::string& problem) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return {};
  if (!value->is_object()) {
    if (problem.empty()) problem = std::string(key) + ": must be an object";
    return {};
  }
  return value->get_object();
}

}  // namespace

bool is_refusal(std::uint16_t code) {
  return code == static_cast<std::uint16_t>(CloseCode::InvalidMessage) ||
         code == static_cast<std::uint16_t>(CloseCode::InvalidToken) ||
         code == static_cast<std::uint16_t>(CloseCode::NotAnAgentToken);
}

core::Result<json::object> parse_message(std::string_view text) {
  auto parsed = core::parse_json(text);
  if (!parsed) return invalid("not JSON: " + parsed.error().message);
  if (!parsed->is_object()) {
    return invalid("a message must be a JSON object, got " +
                   std::string(core::json_kind_name(*parsed)));
  }
  const auto* type = parsed->get_object().if_contains("type");
  if (type == nullptr || !type->is_string()) return invalid("a message needs a string \"type\"");
  return std::move(parsed->get_object());
}

core::Result<Registration> parse_registration(std::string_view text) {
  auto parsed = core::parse_json(text);
  if (!parsed) return invalid("registration is not JSON: " + parsed.error().message);
  const auto* object = parsed->if_object();
  if (object == nullptr) return invalid("registration must be a JSON object");
  std::string problem;
  Registration out;
  if (auto type = text_member(*object, "type", problem); !type.empty() && type != "register") {
    return invalid("the first message must be the registration, got a '" + type + "' message");
  }
  out.agent_id = text_member(*object, "agentId", problem);
  out.agent_name = text_member(*object, "agentName", problem);
  out.api_token = text_member(*object, "apiToken", problem);
  out.version = text_member(*object, "version", problem);
  if (problem.empty() && !core::is_agent_id(out.agent_id)) {
    problem = "agentId: is required: 1-64 characters of letters, digits, '.', '_' or '-'";
  }
  if (problem.empty() && (out.agent_name.empty() || out.agent_name.size() > kMaxAgentName)) {
    problem = "agentName: is required (1-200 characters)";
  }
  if (problem.empty() && out.api_token.empty()) problem = "apiToken: is required";
  if (problem.empty()) {
    const auto* names = object->if_contains("connectorNames");
    if (names == nullptr || !names->is_array()) {
      problem = "connectorNames: is required (an array of connector names)";
    } else if (names->get_array().size() > kMaxConnectorNames) {
      problem = "connectorNames: at most 1000 names";
    } else {
      for (const auto& name : names->get_array()) {
        if (!name.is_string() || name.get_string().empty()) {
          problem = "connectorNames: every entry must be a connector name";
          break;
        }
        out.connector_names.emplace_back(name.get_string());
      }
    }
  }
  if (!problem.empty()) return invalid("invalid registration: " + problem);
  return out;
}

std::string registration_message(const Registration& registration) {
  json::array names;
  for (const auto& name : registration.connector_names) names.emplace_back(name);
  return json::serialize(json::object{{"type", "register"},
                                      {"agentId", registration.agent_id},
                                      {"agentName", registration.agent_name},
                                      {"connectorNames", std::move(names)},
                                      {"apiToken", registration.api_token},
                                      {"version", registration.version}});
}

std::string command_message(const Command& command) {
  json::object connector{{"name", command.connector}, {"hash", command.definition_hash}};
  if (command.definition) connector["definition"] = *command.definition;
  json::object out{{"type", "command"},
                   {"id", command.id},
                   {"connector", std::move(connector)},
                   {"command", command.command},
                   {"params", command.params},
                   {"config", command.config},
                   {"variables", command.variables},
                   {"stepId", command.step_id},
                   {"runId", command.run_id},
                   {"mock", command.mock},
                   {"timeoutMs", command.timeout_ms}};
  if (!command.signing_secret.empty()) out["signingSecret"] = command.signing_secret;
  return json::serialize(out);
}

core::Result<Command> parse_command(const json::object& message) {
  std::string problem;
  Command out;
  out.id = text_member(message, "id", problem);
  auto connector = object_member(message, "connector", problem);
  out.connector = text_member(connector, "name", problem);
  out.definition_hash = text_member(connector, "hash", problem);
  if (const auto* definition = connector.if_contains("definition");
      definition && definition->is_object()) {
    out.definition = definition->get_object();
  }
  out.command = text_member(message, "command", problem);
  out.params = object_member(message, "params", problem);
  out.config = object_member(message, "config", problem);
  out.variables = object_member(message, "variables", problem);
  out.step_id = text_member(message, "stepId", problem);
  out.run_id = text_member(message, "runId", problem);
  out.mock = text_member(message, "mock", problem);
  out.signing_secret = text_member(message, "signingSecret", problem);
  if (const auto* timeout = message.if_contains("timeoutMs"); timeout && timeout->is_int64()) {
    out.timeout_ms = timeout->get_int64();
  }
  if (problem.empty() && out.id.empty()) problem = "id: is required";
  if (problem.empty() && (out.connector.empty() || out.definition_hash.empty())) {
    problem = "connector: needs a name and a hash";
  }
  if (!problem.empty()) return invalid("invalid command: " + problem);
  return out;
}

std::string registered_message(std::string_view agent_id, std::string_view server_version) {
  return json::serialize(json::object{
      {"type", "registered"}, {"agentId", agent_id}, {"serverVersion", server_version}});
}

std::string response_message(std::string_view id, const core::ConnectorResult& result) {
  return json::serialize(
      json::object{{"type", "response"}, {"id", id}, {"result", core::to_json(result)}});
}

std::string need_definition_message(std::string_view id) {
  return json::serialize(json::object{{"type", "need_definition"}, {"id", id}});
}

std::string status_message(std::size_t running) {
  return json::serialize(json::object{{"type", "status"}, {"running", running}});
}

std::string definition_hash(const json::object& definition) {
  auto text = json::serialize(definition);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), digest.size() * 2);
}

}  // namespace patchbay::agent
