// patchbay serve [--listen 127.0.0.1:8080] [--data-dir ./patchbay-data]
// [--db sqlite:PATH | --db postgres://...] [--config patchbay.toml]
// [--tls-cert FILE --tls-key FILE]: the main job.
// Every option is also a PATCHBAY_* environment variable and a key of the config
// file; the command line wins over the environment, which wins over the file.

#include "server/serve.hpp"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/config_file.hpp"
#include "cli/data_options.hpp"
#include "cli/subcommands.hpp"

namespace patchbay::cli {

void add_data_options(CLI::App& command, server::DataOptions& options) {
  command
      .add_option("--data-dir", options.data_dir,
                  "Where the database, master key and other state live (created 0700)")
      ->envname("PATCHBAY_DATA_DIR")
      ->capture_default_str();
  command
      .add_option("--db", options.db,
                  "Store URL: sqlite:PATH or postgres://user[:password]@host:port/db "
                  "(default: SQLite in the data dir)")
      ->envname("PATCHBAY_DB");
}

Action add_serve(CLI::App& app) {
  auto options = std::make_shared<server::ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the patchbay server (REST API)");
  auto config = std::make_shared<std::string>();
  cmd->add_option("--config", *config,
                  "Read options from this TOML file (keys as the long options: listen = \"...\")")
      ->envname("PATCHBAY_CONFIG");
  cmd->add_option("--listen", options->listen, "Address to listen on: HOST:PORT")
      ->envname("PATCHBAY_LISTEN")
      ->capture_default_str();
  add_data_options(*cmd, options->data);
  cmd->add_option("--io-threads", options->io_threads, "Threads reading and writing sockets")
      ->envname("PATCHBAY_IO_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--workers", options->workers,
                  "Threads running requests and connector executions")
      ->envname("PATCHBAY_WORKERS")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--queue-limit", options->queue_limit,
                  "Requests that may wait for a worker before the server answers 503")
      ->envname("PATCHBAY_QUEUE_LIMIT")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", options->max_body_bytes,
                  "Largest request body accepted (413 above)")
      ->envname("PATCHBAY_MAX_BODY_BYTES")
      ->check(CLI::Range(1024, 256 * 1024 * 1024))
      ->capture_default_str();
  cmd->add_option("--max-import-bytes", options->max_import_bytes,
                  "Largest body of parse-oas and of connector create/update (OpenAPI "
                  "descriptions and the drafts made from them)")
      ->envname("PATCHBAY_MAX_IMPORT_BYTES")
      ->check(CLI::Range(1024 * 1024, 1024 * 1024 * 1024))
      ->capture_default_str();
  cmd->add_option("--tls-cert", options->tls_certificate_file,
                  "PEM certificate (chain) to serve HTTPS and wss:// with; needs --tls-key")
      ->envname("PATCHBAY_TLS_CERT");
  cmd->add_option("--tls-key", options->tls_private_key_file,
                  "PEM private key of --tls-cert (unencrypted)")
      ->envname("PATCHBAY_TLS_KEY");
  cmd->add_option("--mcp-allow-origin", options->mcp_allowed_origins,
                  "A browser origin (https://host[:port]) that may call /mcp; repeat for more, "
                  "'*' for any. Requests with another Origin get 403")
      ->envname("PATCHBAY_MCP_ALLOW_ORIGIN")
      ->delimiter(',');
  auto ws_idle = std::make_shared<int>(30);
  cmd->add_option("--ws-idle-seconds", *ws_idle,
                  "WebSocket heartbeat: ping after half this time without traffic, drop the "
                  "connection when nothing arrives for this long")
      ->envname("PATCHBAY_WS_IDLE_SECONDS")
      ->check(CLI::Range(2, 3600))
      ->capture_default_str();
  auto grace = std::make_shared<int>(30);
  cmd->add_option("--grace-seconds", *grace,
                  "On SIGINT/SIGTERM, how long in-flight requests may take to finish")
      ->envname("PATCHBAY_GRACE_SECONDS")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  return [options, grace, ws_idle, config, cmd](core::Logger& logger) {
    if (!config->empty()) {
      if (auto applied = apply_config_file(*cmd, *config); !applied) {
        std::cerr << "patchbay serve: " << applied.error().message << "\n";
        return kExitUsage;
      }
    }
    options->grace = std::chrono::seconds(*grace);
    options->websocket_idle_timeout = std::chrono::seconds(*ws_idle);
    return server::serve(*options, logger, std::cout);
  };
}

}  // namespace patchbay::cli
