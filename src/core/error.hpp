#pragma once
// One vocabulary of error codes for everything patchbay cannot do as asked.
// API, MCP and CLI print the same text; server/ maps each code to an HTTP
// status in exactly one function.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace patchbay::core {

enum class ErrorCode {
  // Input is malformed or a value is out of range.
  // "configSchema.commands.list.params[0]: must be a string"
  InvalidArgument,
  // A definition is well-formed JSON but cannot work as written.
  // "defaultCommand 'run' is not one of the commands"
  InvalidDefinition,
  // No such connector, type, command or execution. "connector 'crm' not found"
  NotFound,
  // The request collides with existing state: duplicate name, version floor.
  // "version 1.0.1 is below the floor 2.0.0 (removed command 'list')"
  Conflict,
  // No credentials, or credentials that are not valid. "missing bearer token"
  Unauthenticated,
  // Valid credentials without the needed role. "role 'viewer' cannot execute"
  PermissionDenied,
  // A body or file over its size limit. "spec is 12 MiB, limit 10 MiB"
  PayloadTooLarge,
  // A dependency (store, filesystem) is not available right now.
  Unavailable,
  // A service patchbay called on the caller's behalf (an external connector's
  // /schema or /health) failed or answered badly. "GET /schema answered HTTP 500"
  UpstreamFailed,
  // A bug or an unexpected failure; the message says what was being done.
  Internal,
};

// Stable snake_case name of a code, as it appears on the wire ("invalid_argument").
std::string_view to_string(ErrorCode code);

// One problem at one place in a JSON document. `path` is dotted with [index]
// for arrays, relative to the document root: "configSchema.commands.list.params[1]".
struct FieldError {
  std::string path;
  std::string message;

  bool operator==(const FieldError&) const = default;
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  // Structured context: {"errors": [{path, message}, ...]} for validation failures.
  boost::json::value details;

  // The {path, message} list stored in `details`, if any.
  std::vector<FieldError> field_errors() const;
};

// An InvalidArgument error with `message` and no details: bad input in a phrase.
Error invalid_argument(std::string message);

// An InvalidArgument (or `code`) error whose message summarises `errors` and whose
// details carry all of them.
Error validation_error(std::vector<FieldError> errors, std::string_view what,
                       ErrorCode code = ErrorCode::InvalidArgument);

}  // namespace patchbay::core
