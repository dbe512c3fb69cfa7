#pragma once
// Checks a tool's arguments against its published inputSchema, so the schema an
// assistant reads and the checks the server makes can never disagree.
//
// The subset of JSON Schema the tool schemas use: type (one or a list; "integer"
// accepts whole numbers), properties, required, additionalProperties (false),
// enum, items, minItems/maxItems, minLength/maxLength. Other keywords
// (description, default, title, examples) are documentation and ignored.

#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace patchbay::mcp {

// The first problem, as "path: what is wrong" ("commands[2].method: must be one
// of GET, POST"), or nullopt when `value` conforms. The root path is "arguments".
std::optional<std::string> check_against_schema(const boost::json::object& schema,
                                                const boost::json::value& value);

}  // namespace patchbay::mcp
