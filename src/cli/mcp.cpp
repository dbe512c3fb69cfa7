// patchbay mcp [--server URL --token T [--ca-file F] | --data-dir DIR [--db URL]]:
// the MCP server on stdin/stdout, for an MCP client to start (docs/mcp.md).
// With --server the tools call a running patchbay's REST API with the token's
// role; with --data-dir they work on that installation's store directly.
// Standard output carries only MCP messages; logs go to standard error.

#include <csignal>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/data_options.hpp"
#include "cli/subcommands.hpp"
#include "mcp/remote_api.hpp"
#include "mcp/session.hpp"
#include "mcp/stdio.hpp"
#include "server/in_process_api.hpp"
#include "server/serve.hpp"

#ifndef PATCHBAY_VERSION
#define PATCHBAY_VERSION "0.0.0"
#endif

namespace patchbay::cli {

Action add_mcp(CLI::App& app) {
  auto remote = std::make_shared<mcp::RemoteApiOptions>();
  auto data = std::make_shared<server::DataOptions>();
  auto stdio = std::make_shared<mcp::StdioOptions>();
  auto* cmd = app.add_subcommand(
      "mcp", "Serve the Model Context Protocol on stdin/stdout, for AI assistants");
  auto* server_option =
      cmd->add_option("--server", remote->base_url,
                      "A running patchbay to work through: http(s)://HOST:PORT")
          ->envname("PATCHBAY_URL");
  cmd->add_option("--token", remote->token,
                  "An API token of that server (its role limits what the tools may do); prefer "
                  "the environment variable, command lines are visible to other users")
      ->envname("PATCHBAY_TOKEN");
  cmd->add_option("--ca-file", remote->ca_file,
                  "PEM CA certificates to verify an https --server with (default: the system's)")
      ->envname("PATCHBAY_CA_FILE");
  add_data_options(*cmd, *data);
  cmd->add_option("--max-message-bytes", stdio->max_message_bytes,
                  "Largest message accepted on stdin (an OpenAPI description may travel in one)")
      ->check(CLI::Range(std::size_t{64 * 1024}, std::size_t{1024} * 1024 * 1024))
      ->capture_default_str();

  return [remote, data, stdio, cmd, server_option](core::Logger& logger) {
    // --server (or PATCHBAY_URL) unless a local store is named; both on the
    // command line is a mistake worth saying.
    bool local = cmd->count("--data-dir") > 0 || cmd->count("--db") > 0;
    if (local && server_option->count() > 0 && !remote->base_url.empty()) {
      std::cerr << "patchbay mcp: give --server or --data-dir, not both\n";
      return kExitUsage;
    }
    std::unique_ptr<mcp::Api> api;
    if (!remote->base_url.empty() && !local) {
      auto opened = mcp::RemoteApi::open(*remote);
      if (!opened) {
        std::cerr << "patchbay mcp: " << opened.error().message << "\n";
        return kExitUsage;
      }
      api = std::move(*opened);
    } else if (local) {
      auto opened = server::LocalApi::open(*data, logger);
      if (!opened) {
        std::cerr << "patchbay mcp: " << opened.error().message << "\n";
        return kExitFailure;
      }
      api = std::move(*opened);
    } else {
      std::cerr << "patchbay mcp: say where patchbay is: --server URL --token T (or "
                   "PATCHBAY_URL and PATCHBAY_TOKEN), or --data-dir DIR for a local store\n";
      return kExitUsage;
    }
    // A client that goes away must end us through EOF, not a signal on write.
    std::signal(SIGPIPE, SIG_IGN);
    logger.info("MCP server on stdio", {{"version", PATCHBAY_VERSION}});
    mcp::Session session(PATCHBAY_VERSION, logger);
    return mcp::run_stdio(session, *api, *stdio, logger);
  };
}

}  // namespace patchbay::cli
