#pragma once
// store: everything patchbay keeps, behind one interface with two
// implementations (SQLite, the embedded default; PostgreSQL for scale-out) that
// share one schema and its versioned migrations (migrations/).
//
// Records hold JSON as text. Connection configs arrive already sealed by
// secrets::seal_config; the store never sees a plaintext secret.
//
// Errors: NotFound for unknown ids, Conflict for duplicate names or a stale
// revision, Unavailable when the database cannot be reached. Every write is one
// transaction: it happens whole or not at all.
//
// Thread-safety: a Store may be used from many threads at once.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace patchbay::store {

struct ConnectorRecord {
  std::string id;                  // "c_" + 16 hex digits; create_connector assigns one when empty
  std::string name;                // unique
  boost::json::object definition;  // the definition's JSON (core::to_json form)
  boost::json::object config;      // connection config, secret fields sealed
  std::int64_t revision = 0;       // bumped by every update
  std::string created_at;          // RFC 3339 UTC, assigned by the store
  std::string updated_at;
};

struct ConnectorTypeRecord {
  std::string name;
  std::string version;
  boost::json::object config_schema;
  std::string updated_at;
};

struct ExecutionRecord {
  std::string id;  // "x_" + 16 hex digits, assigned when empty
  std::string connector_id;
  std::string command;
  boost::json::object params;  // secrets redacted by the caller
  boost::json::object result;  // the ConnectorResult's JSON
  bool success = false;
  std::string started_at;
  std::int64_t duration_ms = 0;
  std::string step_id;
  std::string run_id;
  std::string actor;  // the token name that asked for it
};

// Viewer < Operator < Admin: each may do what the one before may. Agent stands
// apart: it may only register an on-premise agent, and nothing else may.
enum class Role { Viewer, Operator, Admin, Agent };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

struct TokenRecord {
  std::string id;
  std::string name;  // unique
  Role role = Role::Viewer;
  std::string token_hash;  // never the token itself
  std::string created_at;
  std::optional<std::string> revoked_at;
};

struct AuditEntry {
  std::int64_t seq = 0;
  std::string at;
  std::string actor;
  std::string action;  // "connector.create", "connector.execute", ...
  std::string target;
  boost::json::object details;
};

class Store {
 public:
  virtual ~Store() = default;

  // What kind of store this is and where ("sqlite:/path/db", "postgres://host/db").
  virtual std::string describe() const = 0;
  // The schema version the migrations brought the database to.
  virtual core::Result<int> schema_version() = 0;

  virtual core::Result<ConnectorRecord> create_connector(ConnectorRecord record) = 0;
  // By id, or by unique name.
  virtual core::Result<ConnectorRecord> get_connector(std::string_view id_or_name) = 0;
  virtual core::Result<std::vector<ConnectorRecord>> list_connectors() = 0;
  // Replaces definition and config when `record.revision` is still the stored one;
  // Conflict otherwise (someone else updated it first).
  virtual core::Result<ConnectorRecord> update_connector(ConnectorRecord record) = 0;
  virtual core::Result<void> delete_connector(std::string_view id) = 0;

  // Stores the type's current schema and keeps every version in its history.
  virtual core::Result<void> put_connector_type(const ConnectorTypeRecord& record) = 0;
  virtual core::Result<ConnectorTypeRecord> get_connector_type(std::string_view name) = 0;
  virtual core::Result<std::vector<ConnectorTypeRecord>> list_connector_types() = 0;
  virtual core::Result<std::vector<ConnectorTypeRecord>> connector_type_history(
      std::string_view name) = 0;

  // Assigns id and started_at when they are empty. Conflict when the id exists.
  virtual core::Result<ExecutionRecord> record_execution(ExecutionRecord record) = 0;
  // Writes every execution and every audit entry in one transaction: all land or
  // none do (group commit for a writer that batches). Ids and start times are
  // assigned in place as record_execution does, before the write, so a retried
  // batch writes the same records. An empty batch is a no-op success.
  virtual core::Result<void> record_batch(std::vector<ExecutionRecord>& executions,
                                          const std::vector<AuditEntry>& audit) = 0;
  virtual core::Result<ExecutionRecord> get_execution(std::string_view id) = 0;
  // The newest `limit` executions of one connector, newest first (by started_at,
  // then id descending).
  virtual core::Result<std::vector<ExecutionRecord>> list_executions(std::string_view connector_id,
                                                                     std::size_t limit) = 0;

  virtual core::Result<TokenRecord> create_token(TokenRecord record) = 0;
  virtual core::Result<TokenRecord> find_token_by_hash(std::string_view token_hash) = 0;
  virtual core::Result<std::vector<TokenRecord>> list_tokens() = 0;
  virtual core::Result<void> revoke_token(std::string_view id_or_name) = 0;

  virtual core::Result<void> append_audit(const AuditEntry& entry) = 0;
  // The newest `limit` entries, newest first.
  virtual core::Result<std::vector<AuditEntry>> list_audit(std::size_t limit) = 0;
};

// Opens (creating and migrating as needed) the store a URL names:
// "sqlite:PATH" or "postgres://user[:password]@host:port/db[?pool_size=N&...]"
// (also "postgresql://"; postgres/postgres_store.hpp lists the query parameters).
core::Result<std::unique_ptr<Store>> open_store(std::string_view url);

// Helpers shared by the implementations.
std::string new_id(std::string_view prefix);
std::string now_rfc3339();

}  // namespace patchbay::store
