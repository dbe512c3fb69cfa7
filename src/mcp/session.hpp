#pragma once
// One MCP session: the lifecycle (initialize with version negotiation, then
// operation) and the methods patchbay serves — ping, tools/list, tools/call,
// resources/list, resources/read, resources/templates/list — over any transport.
// Transports hand it parsed messages (or text) and send back what it returns.
//
// Faults in the protocol (malformed JSON-RPC, unknown methods, unknown tools,
// requests before initialize) are JSON-RPC errors; a tool that ran and failed
// (bad arguments, an API error, a failed connector) is a tool result with
// isError: true, so the assistant can read why and correct itself.
//
// Thread-safety: handle() may be called concurrently (tool calls run in
// parallel); the lifecycle state is guarded.

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/logger.hpp"

namespace patchbay::mcp {

class Api;

// The revisions patchbay speaks, newest first; initialize picks the client's
// when it is one of them, else the newest.
inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";
const std::vector<std::string_view>& supported_protocol_versions();
bool supports_protocol_version(std::string_view version);

// Messages (an HTTP body, a stdio line) may nest this deep: an OpenAPI
// description passed as an object nests deeper than ordinary requests.
inline constexpr std::size_t kMaxMessageDepth = 256;

// True for a JSON-RPC request (not a notification) of that method.
bool is_request(const boost::json::value& message, std::string_view method);

class Session {
 public:
  Session(std::string server_version, core::Logger& logger);

  // One message, or a batch (an array of them). nullopt: nothing to send back
  // (notifications and responses only).
  std::optional<boost::json::value> handle(const boost::json::value& message, Api& api);
  // The same for text; text that is not JSON is answered with a parse error.
  std::optional<boost::json::value> handle_text(std::string_view text, Api& api);

  // The negotiated revision ("" before initialize).
  std::string protocol_version() const;

 private:
  boost::json::value handle_one(const boost::json::value& message, Api& api, bool& replied);
  boost::json::value initialize(const boost::json::value& id, const boost::json::object* params);
  boost::json::value call_tool(const boost::json::value& id, const boost::json::object* params,
                               Api& api);
  boost::json::value read_resource(const boost::json::value& id,
                                   const boost::json::object* params);

  std::string server_version_;
  core::Logger& logger_;
  mutable std::mutex mutex_;
  std::string protocol_version_;
};

}  // namespace patchbay::mcp
