#pragma once
// Protocol 2.0 as a connector service sees it: the POST /execute request (Call),
// the two reply shapes (succeed, fail), and commands declared once, so that
// their GET /schema entry and the checks on their params come from one list.
//
//   request  {"protocolVersion": "2.0", "command": "listItems", "config": {...},
//             "params": {...}, "variables": {...}, "metadata": {"stepId", "runId", "timeout"}}
//   success  {"success": true, "payload": ..., "variables": {...}}
//   failure  {"success": false, "error": "...", "diagnostics": {...}}
//
// A failure is an outcome, answered with HTTP 200; HTTP 4xx/5xx are for requests
// the service could not take at all (bad signature, malformed body, overload).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "server/http_server.hpp"

namespace patchbay::example {

namespace json = boost::json;
using server::HttpResponse;

inline constexpr std::string_view kProtocolVersion = "2.0";

// One POST /execute, parsed. patchbay decrypts secrets before sending, so
// `config` holds them in the clear: never log it.
struct Call {
  std::string command;
  json::object config;     // the connection's fields: {"apiKey": "..."}
  json::object params;     // checked against the command's Fields, defaults applied
  json::object variables;  // the run's variable bag
  json::object metadata;   // {"stepId", "runId", "timeout" (ms)}
  json::object request;    // the whole body as received
};

// Fails on a body that is not a JSON object, a protocolVersion other than 2.0
// ("unsupported protocolVersion \"1.0\"; this service speaks 2.0"), a missing
// command, or a config/params/variables/metadata that is not an object.
core::Result<Call> parse_call(std::string_view body);

// HTTP 200 replies in the two protocol shapes.
HttpResponse succeed(json::value payload, json::object variables = {});
HttpResponse fail(std::string error, json::object diagnostics = {});
// {"success": false, "error": ...} with an HTTP error status (400, 401, 404, 503).
HttpResponse refuse(int status, std::string error);

// A connection field or a command parameter. GET /schema lists it in seed 001's
// field shape ({"type", "required", "secret", "default", "minimum", ...}), and
// check_params() holds /execute requests to it.
struct Field {
  enum class Type { String, Integer };

  std::string name;
  Type type = Type::String;
  std::string description;
  bool required = false;
  bool secret = false;  // connection fields only: patchbay encrypts and masks it
  std::optional<json::value> default_value;
  std::optional<std::int64_t> minimum;  // integers only
  std::optional<std::int64_t> maximum;  // integers only
};

struct Command {
  std::string name;
  std::string description;
  std::vector<Field> params;
  std::vector<std::string> outputs;  // payload keys, for the UI; declarative only
  // Runs on a worker thread and may block. `call.params` is already checked.
  std::function<HttpResponse(const Call&)> run;
};

// `params` with each declared field checked and defaults filled in; params the
// command does not declare pass through untouched. The error names the field:
// "limit: must be at most 500, got 900".
core::Result<json::object> check_params(const std::vector<Field>& fields,
                                        const json::object& params);

// {"connectionConfig": {...}, "commands": {...}}: what to put in configSchema
// when registering the connector with patchbay.
json::object config_schema(const std::vector<Field>& connection,
                           const std::vector<Command>& commands);

}  // namespace patchbay::example
