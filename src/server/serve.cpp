#include "server/serve.hpp"

#include <csignal>
#include <cstdlib>
#include <ostream>

#include <pthread.h>
#include <sys/stat.h>

#include "http/client.hpp"
#include "secrets/secrets.hpp"
#include "server/agent_hub.hpp"
#include "server/api_server.hpp"
#include "server/connector_service.hpp"
#include "server/execution_recorder.hpp"
#include "server/http_server.hpp"
#include "server/metrics.hpp"
#include "server/tokens.hpp"
#include "server/worker_pool.hpp"

#ifndef PATCHBAY_VERSION
#define PATCHBAY_VERSION "0.0.0"
#endif

namespace patchbay::server {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

core::Result<void> prepare_data_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return core::Error{core::ErrorCode::Unavailable,
                         "cannot create the data directory " + dir.string() + ": " + ec.message(),
                         {}};
    }
  }
  // Keys and the database live here: only the owner may look in.
  if (::chmod(dir.c_str(), 0700) != 0) {
    return core::Error{core::ErrorCode::Unavailable,
                       "cannot restrict the data directory " + dir.string() + " to mode 0700",
                       {}};
  }
  return {};
}

}  // namespace

std::string DataOptions::store_url() const {
  if (!db.empty()) return db;
  return "sqlite:" + (data_dir / "patchbay.db").string();
}

core::Result<std::unique_ptr<store::Store>> open_data_store(const DataOptions& options) {
  if (auto ready = prepare_data_dir(options.data_dir); !ready) return ready.error();
  return store::open_store(options.store_url());
}

core::Result<std::pair<std::string, unsigned short>> parse_listen(std::string_view listen) {
  auto bad = [&] {
    return core::Error{
        core::ErrorCode::InvalidArgument,
        "--listen '" + std::string(listen) + "' must be HOST:PORT, [IPv6]:PORT or :PORT",
        {}};
  };
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) return bad();
  std::string host(listen.substr(0, colon));
  auto port_text = listen.substr(colon + 1);
  if (host.empty()) host = "127.0.0.1";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  unsigned long port = 0;
  if (port_text.empty() || port_text.size() > 5) return bad();
  for (char c : port_text) {
    if (c < '0' || c > '9') return bad();
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port > 65535) return bad();
  return std::pair{host, static_cast<unsigned short>(port)};
}

int serve(const ServeOptions& options, core::Logger& logger, std::ostream& out) {
  // Signals are taken by sigwait below: block them before any thread starts so
  // every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto fail = [&](const core::Error& error) {
    logger.error("cannot start", {{"error", error.message}});
    out << "patchbay serve: " << error.message << std::endl;
    return kExitFailure;
  };

  auto listen = parse_listen(options.listen);
  if (!listen) return fail(listen.error());
  // Before the store: a first start must not issue an admin token it never prints.
  if (auto tls = check_tls_files({.tls_certificate_file = options.tls_certificate_file,
                                  .tls_private_key_file = options.tls_private_key_file});
      !tls) {
    return fail(tls.error());
  }
  auto store = open_data_store(options.data);
  if (!store) return fail(store.error());
  auto loaded_keys = secrets::load_keyring(options.data.data_dir);
  if (!loaded_keys) return fail(loaded_keys.error());
  const secrets::Keyring& keyring = *loaded_keys;

  auto tokens = (*store)->list_tokens();
  if (!tokens) return fail(tokens.error());
  bool first_start = tokens->empty();

  Metrics metrics;
  ExecutionRecorder recorder(**store);
  Authenticator auth(**store, options.token_cache_ttl);
  AgentHub agents([&auth](std::string_view token) { return auth.authenticate("Bearer " + std::string(token)); },
                  logger, {.server_version = PATCHBAY_VERSION});
  ConnectorService connectors(**store, keyring, recorder, metrics, logger,
                              {.agents = &agents});
  if (auto seeded = connectors.seed(first_start); !seeded) return fail(seeded.error());
  std::string admin_token;
  if (first_start) {
    auto issued = issue_token(**store, "admin", store::Role::Admin);
    if (!issued) return fail(issued.error());
    admin_token = issued->token;
  }

  WorkerPool workers(options.workers, options.queue_limit);
  ApiServer api({.connectors = connectors,
                 .store = **store,
                 .auth = auth,
                 .metrics = metrics,
                 .workers = workers,
                 .logger = logger,
                 .version = PATCHBAY_VERSION,
                 .max_import_bytes = options.max_import_bytes,
                 .agents = &agents,
                 .mcp = {.allowed_origins = options.mcp_allowed_origins}});
  HttpServer http({.address = listen->first,
                   .port = listen->second,
                   .io_threads = options.io_threads,
                   .max_body_bytes = options.max_body_bytes,
                   .max_large_body_bytes = options.max_import_bytes,
                   .tls_certificate_file = options.tls_certificate_file,
                   .tls_private_key_file = options.tls_private_key_file,
                   .websocket_idle_timeout = options.websocket_idle_timeout},
                  api);
  metrics.add_gauge("patchbay_worker_queue_depth", "Requests waiting for a worker.",
                    [&] { return static_cast<double>(workers.queued()); });
  metrics.add_gauge("patchbay_worker_busy", "Workers running a request.",
                    [&] { return static_cast<double>(workers.running()); });
  metrics.add_gauge("patchbay_http_open_connections", "Open client connections.",
                    [&] { return static_cast<double>(http.open_connections()); });
  metrics.add_gauge("patchbay_execution_record_batches_total",
                    "Group commits of execution records.",
                    [&] { return static_cast<double>(recorder.batches_written()); });
  metrics.add_section([] {
    try {
      return render_client_stats(http::default_client().stats());
    } catch (const std::exception&) {
      return std::string();  // an invalid allow-list: every request reports it already
    }
  });
  if (auto started = http.start(); !started) return fail(started.error());

  std::string host =
      listen->first.find(':') != std::string::npos ? "[" + listen->first + "]" : listen->first;
  bool tls = !options.tls_certificate_file.empty();
  std::string url = (tls ? "https://" : "http://") + host + ":" + std::to_string(http.port());
  out << "patchbay " << PATCHBAY_VERSION << " listening on " << url << "\n"
      << "store: " << (*store)->describe() << "\n";
  if (!admin_token.empty()) {
    out << "admin token (shown once; keep it safe): " << admin_token << "\n"
        << "try: curl -H 'Authorization: Bearer " << admin_token << "' " << url
        << "/api/connectors\n";
  }
  out << std::flush;
  logger.info("listening", {{"url", url}, {"store", (*store)->describe()}});

  int received = 0;
  sigwait(&signals, &received);
  logger.info("shutting down", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
  http.stop_accepting();
  bool drained = workers.drain_for(options.grace);
  if (!drained) {
    // Running work holds references into this frame: leave without unwinding it.
    // Every committed write is already durable (the store commits per write).
    logger.warn("grace period over with work still running; exiting",
                {{"graceSeconds", options.grace.count()}});
    out << "patchbay stopped (grace period over)" << std::endl;
    std::_Exit(kExitFailure);
  }
  agents.stop();  // after the drain: commands on agents could finish
  http.stop();
  out << "patchbay stopped" << std::endl;
  return drained ? kExitOk : kExitFailure;
}

}  // namespace patchbay::server
