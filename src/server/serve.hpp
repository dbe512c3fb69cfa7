#pragma once
// patchbay serve: opens the data directory, the master key and the store, seeds
// a fresh installation (built-in types, the sample-script connector, an admin
// token printed once), starts the REST API and runs until SIGINT or SIGTERM,
// then shuts down gracefully: stop accepting, let in-flight requests finish
// within the grace period, close the store.
//
// The same data options are used by `patchbay token` and `patchbay rotate-key`,
// which work on the store while a server runs.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "core/logger.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace patchbay::server {

struct DataOptions {
  std::filesystem::path data_dir = "patchbay-data";
  // Store URL; empty means sqlite:<data_dir>/patchbay.db.
  std::string db;

  std::string store_url() const;
};

// Creates the data directory (mode 0700) when missing and opens the store.
core::Result<std::unique_ptr<store::Store>> open_data_store(const DataOptions& options);

struct ServeOptions {
  DataOptions data;
  std::string listen = "127.0.0.1:8080";
  std::size_t io_threads = 2;
  std::size_t workers = 64;
  std::size_t queue_limit = 4096;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_import_bytes = 64 * 1024 * 1024;
  std::chrono::seconds grace{30};
  std::chrono::milliseconds token_cache_ttl{2000};
  // PEM files; both set: HTTPS and wss:// only (see HttpServerOptions).
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  // WebSocket heartbeat: silent peers are dropped after this long.
  std::chrono::seconds websocket_idle_timeout{30};
  // Browser origins that may call /mcp (see McpOptions).
  std::vector<std::string> mcp_allowed_origins;
};

// Splits "host:port", "[v6]:port" or ":port" (host 127.0.0.1).
core::Result<std::pair<std::string, unsigned short>> parse_listen(std::string_view listen);

// Runs the server until SIGINT/SIGTERM; the URL and a first admin token go to
// `out`. Returns the process exit code.
int serve(const ServeOptions& options, core::Logger& logger, std::ostream& out);

}  // namespace patchbay::server
