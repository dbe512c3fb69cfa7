#pragma once
// ConnectorService: what the REST API (and later MCP) does with connectors,
// connector types and executions, independent of HTTP. Inputs are the request
// bodies as JSON; outputs are the response bodies, so every front end shows the
// same shapes and the same errors.
//
// Secrets: connection fields marked secret are sealed (secrets::seal_config,
// bound to the connector id and field name) before they reach the store, shown
// masked on every read, kept when an update sends the mask back, and redacted
// from execution records.
//
// Thread-safety: every member may be called concurrently.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/connector_definition.hpp"
#include "core/logger.hpp"
#include "core/result.hpp"
#include "script/script.hpp"
#include "secrets/secrets.hpp"
#include "store/store.hpp"

namespace patchbay::server {

class AgentHub;
class ExecutionRecorder;
class Metrics;

struct ServiceOptions {
  script::ScriptLimits script_limits;
  // How long an execution may use a connector read earlier instead of reading
  // it again. Changes through this service take effect at once; changes by
  // another process (a second server on the same PostgreSQL) within this time.
  std::chrono::milliseconds record_cache_ttl{1000};
  // Where commands of agent-bound connectors go; null: everything runs here.
  AgentHub* agents = nullptr;
};

class ConnectorService {
 public:
  ConnectorService(store::Store& store, const secrets::Keyring& keyring,
                   ExecutionRecorder& recorder, Metrics& metrics, core::Logger& logger,
                   ServiceOptions options = {});
  ~ConnectorService();

  // POST /api/connectors: a seed 001 definition plus optional "config".
  core::Result<boost::json::object> create(const boost::json::value& body,
                                           const std::string& actor);
  // By id or unique name; secrets masked.
  core::Result<boost::json::object> get(std::string_view id_or_name);
  core::Result<boost::json::array> list();
  // PUT: the keys sent replace the stored ones; "config" replaces the connection
  // config except secret fields sent masked, which keep their value. A changed
  // configSchema needs a version bump that clears the floor (409 otherwise) or
  // "autoBump": true. "revision", when sent, must be the stored one.
  core::Result<boost::json::object> update(std::string_view id_or_name,
                                           const boost::json::value& body,
                                           const std::string& actor);
  core::Result<void> remove(std::string_view id_or_name, const std::string& actor);

  // POST /api/connectors/:id/execute: {command?, params?, variables?, mock?,
  // stepId?, runId?} -> the ConnectorResult plus "executionId" and "durationMs".
  core::Result<boost::json::object> execute(std::string_view id_or_name,
                                            const boost::json::value& body,
                                            const std::string& actor);
  // POST /api/connectors/:id/test: runs the "test" command.
  core::Result<boost::json::object> test(std::string_view id_or_name, const std::string& actor);
  core::Result<boost::json::object> get_execution(std::string_view id);
  // GET /api/connectors/:id/health: an external connector's GET {endpointUrl}/health
  // (see external::check_health); other models run in-process and are healthy.
  core::Result<boost::json::object> health(std::string_view id_or_name);

  // Connector types.
  core::Result<boost::json::array> list_types();
  core::Result<boost::json::object> get_type(std::string_view name);
  // {configSchema, version? | autoBump: true}.
  core::Result<boost::json::object> put_type(std::string_view name, const boost::json::value& body,
                                             const std::string& actor);
  core::Result<boost::json::object> capabilities(std::string_view name);

  // Boot: stores every built-in's type row (new ones, and newer versions of
  // known ones) and, on a fresh store, the seed's sample-script connector.
  core::Result<void> seed(bool with_sample_connector);

 private:
  struct Runtime;
  core::Result<std::shared_ptr<const Runtime>> runtime_for(const store::ConnectorRecord& record);
  // The connector to execute, from the short-lived cache when fresh.
  core::Result<std::shared_ptr<const store::ConnectorRecord>> record_for_execution(
      std::string_view id_or_name);
  void forget(const store::ConnectorRecord& record);
  // An external connector's signing secret, opened ("" when it has none).
  core::Result<std::string> signing_secret(const store::ConnectorRecord& record);
  core::Result<void> audit(const std::string& actor, std::string action, std::string target,
                           boost::json::object details = {});
  core::Result<boost::json::object> run(const store::ConnectorRecord& record,
                                        const boost::json::object& request,
                                        const std::string& actor);

  store::Store& store_;
  const secrets::Keyring& keyring_;
  ExecutionRecorder& recorder_;
  Metrics& metrics_;
  core::Logger& logger_;
  ServiceOptions options_;
  std::mutex runtimes_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Runtime>> runtimes_;  // by connector id
  struct CachedRecord {
    std::shared_ptr<const store::ConnectorRecord> record;
    std::chrono::steady_clock::time_point fetched;
  };
  std::mutex records_mutex_;
  std::unordered_map<std::string, CachedRecord> records_;  // by id and by name
};

}  // namespace patchbay::server
