#pragma once
// JSON-RPC 2.0 as MCP uses it: telling a request from a notification and from a
// response, and the error objects with their standard codes. MCP narrows the
// base protocol: ids are strings or integers (never null), params are objects.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace patchbay::mcp::jsonrpc {

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// MCP's own: resources/read of a URI the server does not have.
inline constexpr int kResourceNotFound = -32002;

struct Message {
  enum class Kind { Request, Notification, Response };
  Kind kind = Kind::Request;
  boost::json::value id;  // requests and responses
  std::string method;     // requests and notifications
  // The params object inside the value read (which must outlive the Message);
  // null when the message had none.
  const boost::json::object* params = nullptr;
};

// The error a malformed message gets, already shaped as the reply (with the
// message's id when it had a usable one, else null).
struct Refusal {
  boost::json::value reply;
};

// Reads one message (an element of a batch, or the whole body). A value that is
// not a JSON-RPC 2.0 message is refused with kInvalidRequest (or kInvalidParams
// for params that are not an object).
std::optional<Message> read_message(const boost::json::value& value, Refusal& refusal);

boost::json::object result(const boost::json::value& id, boost::json::value result);
boost::json::object error(const boost::json::value& id, int code, std::string_view message,
                          boost::json::value data = nullptr);

}  // namespace patchbay::mcp::jsonrpc
