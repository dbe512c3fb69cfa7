#pragma once
// The tools patchbay offers an assistant (seed 001 "AI-Assisted Building" plus
// the read-only ones an assistant needs to find its way): each with a JSON Schema
// for its arguments, an output schema for its structured result, the MCP
// behaviour hints, and the function that runs it through an Api.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace patchbay::mcp {

class Api;

// A tool's answer: `structured` (an object conforming to the output schema, or
// null) and `text` for the model to read. is_error: the tool ran and failed;
// the text says why so the assistant can correct itself.
struct ToolResult {
  boost::json::value structured;
  std::string text;
  bool is_error = false;
};

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  boost::json::object input_schema;
  std::optional<boost::json::object> output_schema;
  bool read_only = false;
  bool destructive = false;
  bool idempotent = false;
  // Reaches beyond patchbay (an upstream API).
  bool open_world = false;
  // Arguments already checked against input_schema.
  std::function<ToolResult(const boost::json::object& arguments, Api& api)> run;

  // The tools/list entry.
  boost::json::object describe() const;
};

// Every tool, in the order tools/list shows them.
const std::vector<Tool>& tool_catalog();
const Tool* find_tool(std::string_view name);

}  // namespace patchbay::mcp
