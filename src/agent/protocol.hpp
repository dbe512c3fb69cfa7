#pragma once
// The messages between the server and an on-premise agent over the WebSocket at
// /api/connectors/agents/ws. Every message is one JSON object in a text frame.
//
// Agent -> server
//   first:  {agentId, agentName, connectorNames, apiToken, version?}  (seed 001's
//           registration; "type": "register" may be added)
//   then:   {type: "response", id, result}      a ConnectorResult for command `id`
//           {type: "need_definition", id}       the agent no longer has the
//                                                definition command `id` named
//           {type: "status", running}           every few seconds: still here
// Server -> agent
//   {type: "registered", agentId, serverVersion}
//   {type: "command", id, connector: {name, hash, definition?}, command, params,
//    config, variables, stepId, runId, mock, timeoutMs, signingSecret?}
//   The definition travels the first time a connection needs it (and when the
//   agent asks again); after that its SHA-256 hash names it.
//
// A server that refuses an agent closes with one of the CloseCode values and a
// reason; nothing of that agent is registered.
//
// Thread-safety: these are pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/connector_result.hpp"
#include "core/result.hpp"

namespace patchbay::agent {

inline constexpr std::string_view kEndpointPath = "/api/connectors/agents/ws";

enum class CloseCode : std::uint16_t {
  InvalidMessage = 4400,       // not JSON, or not the message expected now
  InvalidToken = 4401,         // missing, unknown or revoked apiToken
  NotAnAgentToken = 4403,      // a valid token whose role is not "agent"
  RegistrationTimeout = 4408,  // no registration soon after connecting
  Replaced = 4409,             // the same agentId connected again
};

// True for the closes that mean "fix your configuration", not "try again".
bool is_refusal(std::uint16_t code);

struct Registration {
  std::string agent_id;    // core::is_agent_id
  std::string agent_name;  // 1-200 characters
  std::vector<std::string> connector_names;
  std::string api_token;
  std::string version;  // the agent's patchbay version, informational
};

// Every problem of a registration message, as one message ("agentId: is required").
core::Result<Registration> parse_registration(std::string_view text);
std::string registration_message(const Registration& registration);

struct Command {
  std::string id;
  std::string connector;  // the connector's name
  std::string definition_hash;
  std::optional<boost::json::object> definition;
  std::string command;  // empty: the definition's defaultCommand
  boost::json::object params;
  boost::json::object config;  // the connection config, decrypted
  boost::json::object variables;
  std::string step_id;
  std::string run_id;
  std::string mock;
  std::int64_t timeout_ms = 30'000;
  std::string signing_secret;  // external connectors only
};

std::string command_message(const Command& command);
core::Result<Command> parse_command(const boost::json::object& message);

// A message after registration: a JSON object with a string "type".
core::Result<boost::json::object> parse_message(std::string_view text);

std::string registered_message(std::string_view agent_id, std::string_view server_version);
std::string response_message(std::string_view id, const core::ConnectorResult& result);
std::string need_definition_message(std::string_view id);
std::string status_message(std::size_t running);

// Lowercase hex SHA-256 of the definition's serialized JSON.
std::string definition_hash(const boost::json::object& definition);

}  // namespace patchbay::agent
