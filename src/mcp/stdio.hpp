#pragma once
// The stdio transport: newline-delimited JSON-RPC messages on a pair of file
// descriptors (the MCP client starts `patchbay mcp` and owns its stdin and
// stdout). Nothing but MCP messages is written to `out`; logs go elsewhere.
//
// Tool calls run on a few threads of their own, so a long command does not hold
// up pings or other calls; everything else is answered in arrival order. A line
// longer than the message limit is answered with an error (id null) and skipped
// without being held in memory. At end of input the calls still running finish
// and their answers are written before run_stdio returns.

#include <cstddef>

#include "core/logger.hpp"

namespace patchbay::mcp {

class Api;
class Session;

struct StdioOptions {
  int in_fd = 0;
  int out_fd = 1;
  std::size_t max_message_bytes = 64 * 1024 * 1024 + 1024 * 1024;
  std::size_t concurrent_calls = 4;
};

// Returns when input ends (or reading fails); the process exit code.
int run_stdio(Session& session, Api& api, const StdioOptions& options, core::Logger& logger);

}  // namespace patchbay::mcp
