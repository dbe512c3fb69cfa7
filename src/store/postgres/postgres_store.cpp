#include "store/postgres/postgres_store.hpp"

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>

#include "store/common.hpp"
#include "store/migrations/migrations.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/postgres_url.hpp"

namespace patchbay::store {
namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;
using pg::exec;
using pg::Param;
using pg::Rows;

// "patchbay" in ASCII read as a bigint: the advisory lock migrations hold.
constexpr const char* kMigrationLockKey = "8097880475823448441";

constexpr const char* kConnectorColumns =
    "SELECT id, name, definition, config, revision, created_at, updated_at FROM connectors ";
constexpr const char* kExecutionColumns =
    "SELECT id, connector_id, command, params, result, success, started_at, duration_ms, "
    "step_id, run_id, actor FROM executions ";
constexpr const char* kTokenColumns =
    "SELECT id, name, role, token_hash, created_at, revoked_at FROM api_tokens ";

ConnectorRecord connector_from(const Rows& r, int i) {
  return ConnectorRecord{r.text(i, 0),
                         r.text(i, 1),
                         object_from(r.text(i, 2)),
                         object_from(r.text(i, 3)),
                         r.integer(i, 4),
                         r.text(i, 5),
                         r.text(i, 6)};
}
ConnectorTypeRecord type_from(const Rows& r, int i) {
  return ConnectorTypeRecord{r.text(i, 0), r.text(i, 1), object_from(r.text(i, 2)), r.text(i, 3)};
}
ExecutionRecord execution_from(const Rows& r, int i) {
  return ExecutionRecord{r.text(i, 0),
                         r.text(i, 1),
                         r.text(i, 2),
                         object_from(r.text(i, 3)),
                         object_from(r.text(i, 4)),
                         r.integer(i, 5) != 0,
                         r.text(i, 6),
                         r.integer(i, 7),
                         r.text(i, 8),
                         r.text(i, 9),
                         r.text(i, 10)};
}
TokenRecord token_from(const Rows& r, int i) {
  TokenRecord t{r.text(i, 0), r.text(i, 1), parse_role(r.text(i, 2)).value_or(Role::Viewer),
                r.text(i, 3), r.text(i, 4), std::nullopt};
  if (!r.is_null(i, 5)) t.revoked_at = r.text(i, 5);
  return t;
}

// LIMIT takes a signed 64-bit count; anything larger means "all".
std::string limit_text(std::size_t limit) {
  return std::to_string(std::min<std::size_t>(limit, static_cast<std::size_t>(INT64_MAX)));
}

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(pg::ConnectionSettings settings)
      : settings_(std::move(settings)), pool_(settings_) {}

  std::string describe() const override { return settings_.described; }

  // One step per transaction, each under the advisory lock and re-reading the
  // version once it holds it: a process that starts alongside waits, then finds
  // the step done.
  core::Result<void> migrate() {
    constexpr std::string_view doing = "migrating the schema";
    for (;;) {
      auto stepped = transaction(doing, [&](PGconn* c) -> core::Result<bool> {
        if (auto r =
                exec(c, doing, "SELECT pg_advisory_xact_lock($1::bigint)", {kMigrationLockKey});
            !r) {
          return r.error();
        }
        if (auto r = exec(c, doing,
                          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
                          "PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)");
            !r) {
          return r.error();
        }
        auto current = exec(c, doing, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!current) return current.error();
        const auto& all = migrations();
        auto next = std::find_if(all.begin(), all.end(), [&](const Migration& m) {
          return m.version > current->integer(0, 0);
        });
        if (next == all.end()) return false;
        // The step's DDL holds no values; PQexec runs its several statements.
        Rows ddl(PQexec(c, next->postgres.c_str()));
        if (!ddl.ok()) {
          auto error = pg::failure(c, ddl.get(), doing);
          return Error{ErrorCode::Unavailable,
                       "migration " + std::to_string(next->version) + " failed: " + error.message,
                       {}};
        }
        if (auto r = exec(
                c, doing, "INSERT INTO schema_migrations VALUES ($1, $2, $3)",
                {std::to_string(next->version), std::string(next->description), now_rfc3339()});
            !r) {
          return r.error();
        }
        return true;
      });
      if (!stepped) return stepped.error();
      if (!*stepped) return {};
    }
  }

  core::Result<int> schema_version() override {
    return with_connection([&](PGconn* c) -> core::Result<int> {
      auto rows = exec(c, "reading the schema version",
                       "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (!rows) return rows.error();
      return static_cast<int>(rows->integer(0, 0));
    });
  }

  core::Result<ConnectorRecord> create_connector(ConnectorRecord r) override {
    if (r.id.empty()) r.id = new_id("c_");
    r.revision = 1;
    r.created_at = r.updated_at = now_rfc3339();
    return with_connection([&](PGconn* c) -> core::Result<ConnectorRecord> {
      auto done = exec(c, "creating a connector",
                       "INSERT INTO connectors VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       {r.id, r.name, json::serialize(r.definition), json::serialize(r.config),
                        std::to_string(r.revision), r.created_at, r.updated_at});
      if (!done) return conflict_as(done.error(), connector_name_taken(r.name));
      return r;
    });
  }

  core::Result<ConnectorRecord> get_connector(std::string_view key) override {
    return with_connection([&](PGconn* c) -> core::Result<ConnectorRecord> {
      auto rows = exec(c, "reading a connector",
                       (std::string(kConnectorColumns) + "WHERE id = $1 OR name = $1").c_str(),
                       {std::string(key)});
      if (!rows) return rows.error();
      if (rows->size() == 0) return connector_not_found(key);
      return connector_from(*rows, 0);
    });
  }

  core::Result<std::vector<ConnectorRecord>> list_connectors() override {
    return with_connection([&](PGconn* c) -> core::Result<std::vector<ConnectorRecord>> {
      auto rows =
          exec(c, "listing connectors", (std::string(kConnectorColumns) + "ORDER BY name").c_str());
      if (!rows) return rows.error();
      std::vector<ConnectorRecord> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(connector_from(*rows, i));
      return out;
    });
  }

  core::Result<ConnectorRecord> update_connector(ConnectorRecord r) override {
    r.updated_at = now_rfc3339();
    return with_connection([&](PGconn* c) -> core::Result<ConnectorRecord> {
      auto done = exec(c, "updating a connector",
                       "UPDATE connectors SET name = $1, definition = $2, config = $3, "
                       "revision = revision + 1, updated_at = $4 WHERE id = $5 AND revision = $6",
                       {r.name, json::serialize(r.definition), json::serialize(r.config),
                        r.updated_at, r.id, std::to_string(r.revision)});
      if (!done) return conflict_as(done.error(), connector_name_taken(r.name));
      if (done->affected() == 0) {
        auto stored = exec(c, "updating a connector",
                           "SELECT revision FROM connectors WHERE id = $1", {r.id});
        if (!stored) return stored.error();
        if (stored->size() == 0) return connector_not_found(r.id);
        return connector_changed(r.name, stored->integer(0, 0), r.revision);
      }
      r.revision += 1;
      return r;
    });
  }

  core::Result<void> delete_connector(std::string_view id) override {
    return with_connection([&](PGconn* c) -> core::Result<void> {
      auto done = exec(c, "deleting a connector", "DELETE FROM connectors WHERE id = $1",
                       {std::string(id)});
      if (!done) return done.error();
      if (done->affected() == 0) return connector_not_found(id);
      return {};
    });
  }

  core::Result<void> put_connector_type(const ConnectorTypeRecord& r) override {
    std::string now = now_rfc3339();
    std::string schema = json::serialize(r.config_schema);
    constexpr std::string_view doing = "storing a connector type";
    return transaction(doing, [&](PGconn* c) -> core::Result<void> {
      auto current = exec(c, doing,
                          "INSERT INTO connector_types VALUES ($1, $2, $3, $4) ON CONFLICT (name) "
                          "DO UPDATE SET version = excluded.version, config_schema = "
                          "excluded.config_schema, updated_at = excluded.updated_at",
                          {r.name, r.version, schema, now});
      if (!current) return current.error();
      auto history = exec(c, doing,
                          "INSERT INTO connector_type_versions VALUES ($1, $2, $3, $4) ON "
                          "CONFLICT (name, version) DO UPDATE SET config_schema = "
                          "excluded.config_schema, created_at = excluded.created_at",
                          {r.name, r.version, schema, now});
      if (!history) return history.error();
      return {};
    });
  }

  core::Result<ConnectorTypeRecord> get_connector_type(std::string_view name) override {
    return with_connection([&](PGconn* c) -> core::Result<ConnectorTypeRecord> {
      auto rows = exec(c, "reading a connector type",
                       "SELECT name, version, config_schema, updated_at FROM connector_types "
                       "WHERE name = $1",
                       {std::string(name)});
      if (!rows) return rows.error();
      if (rows->size() == 0) return connector_type_not_found(name);
      return type_from(*rows, 0);
    });
  }

  core::Result<std::vector<ConnectorTypeRecord>> list_connector_types() override {
    return types("listing connector types",
                 "SELECT name, version, config_schema, updated_at FROM connector_types "
                 "ORDER BY name",
                 {});
  }

  core::Result<std::vector<ConnectorTypeRecord>> connector_type_history(
      std::string_view name) override {
    return types("reading a connector type's history",
                 "SELECT name, version, config_schema, created_at FROM connector_type_versions "
                 "WHERE name = $1 ORDER BY created_at, version",
                 {std::string(name)});
  }

  core::Result<ExecutionRecord> record_execution(ExecutionRecord r) override {
    assign_execution_defaults(r);
    return with_connection([&](PGconn* c) -> core::Result<ExecutionRecord> {
      if (auto inserted = insert_execution(c, r); !inserted) return inserted.error();
      return r;
    });
  }

  core::Result<void> record_batch(std::vector<ExecutionRecord>& executions,
                                  const std::vector<AuditEntry>& audit) override {
    for (auto& r : executions) assign_execution_defaults(r);
    if (executions.empty() && audit.empty()) return {};
    return transaction("recording a batch", [&](PGconn* c) -> core::Result<void> {
      for (const auto& r : executions) {
        if (auto inserted = insert_execution(c, r); !inserted) return inserted;
      }
      for (const auto& e : audit) {
        if (auto inserted = insert_audit(c, e); !inserted) return inserted;
      }
      return {};
    });
  }

  core::Result<ExecutionRecord> get_execution(std::string_view id) override {
    return with_connection([&](PGconn* c) -> core::Result<ExecutionRecord> {
      auto rows =
          exec(c, "reading an execution",
               (std::string(kExecutionColumns) + "WHERE id = $1").c_str(), {std::string(id)});
      if (!rows) return rows.error();
      if (rows->size() == 0) return execution_not_found(id);
      return execution_from(*rows, 0);
    });
  }

  core::Result<std::vector<ExecutionRecord>> list_executions(std::string_view connector_id,
                                                             std::size_t limit) override {
    return with_connection([&](PGconn* c) -> core::Result<std::vector<ExecutionRecord>> {
      auto rows = exec(c, "listing executions",
                       (std::string(kExecutionColumns) +
                        "WHERE connector_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2")
                           .c_str(),
                       {std::string(connector_id), limit_text(limit)});
      if (!rows) return rows.error();
      std::vector<ExecutionRecord> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(execution_from(*rows, i));
      return out;
    });
  }

  core::Result<TokenRecord> create_token(TokenRecord r) override {
    r.id = new_id("t_");
    r.created_at = now_rfc3339();
    return with_connection([&](PGconn* c) -> core::Result<TokenRecord> {
      auto done =
          exec(c, "creating a token", "INSERT INTO api_tokens VALUES ($1, $2, $3, $4, $5, NULL)",
               {r.id, r.name, std::string(to_string(r.role)), r.token_hash, r.created_at});
      if (!done) return conflict_as(done.error(), token_name_taken(r.name));
      return r;
    });
  }

  core::Result<TokenRecord> find_token_by_hash(std::string_view hash) override {
    return with_connection([&](PGconn* c) -> core::Result<TokenRecord> {
      auto rows =
          exec(c, "checking a token",
               (std::string(kTokenColumns) + "WHERE token_hash = $1").c_str(), {std::string(hash)});
      if (!rows) return rows.error();
      if (rows->size() == 0) return unknown_token();
      return token_from(*rows, 0);
    });
  }

  core::Result<std::vector<TokenRecord>> list_tokens() override {
    return with_connection([&](PGconn* c) -> core::Result<std::vector<TokenRecord>> {
      auto rows = exec(c, "listing tokens",
                       (std::string(kTokenColumns) + "ORDER BY created_at, name").c_str());
      if (!rows) return rows.error();
      std::vector<TokenRecord> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(token_from(*rows, i));
      return out;
    });
  }

  core::Result<void> revoke_token(std::string_view key) override {
    return with_connection([&](PGconn* c) -> core::Result<void> {
      auto done = exec(c, "revoking a token",
                       "UPDATE api_tokens SET revoked_at = $1 WHERE (id = $2 OR name = $2) AND "
                       "revoked_at IS NULL",
                       {now_rfc3339(), std::string(key)});
      if (!done) return done.error();
      if (done->affected() == 0) return no_active_token(key);
      return {};
    });
  }

  core::Result<void> append_audit(const AuditEntry& e) override {
    return with_connection([&](PGconn* c) { return insert_audit(c, e); });
  }

  core::Result<std::vector<AuditEntry>> list_audit(std::size_t limit) override {
    return with_connection([&](PGconn* c) -> core::Result<std::vector<AuditEntry>> {
      auto rows = exec(c, "reading the audit log",
                       "SELECT seq, at, actor, action, target, details FROM audit_log "
                       "ORDER BY seq DESC LIMIT $1",
                       {limit_text(limit)});
      if (!rows) return rows.error();
      std::vector<AuditEntry> out;
      for (int i = 0; i < rows->size(); ++i) {
        out.push_back(AuditEntry{rows->integer(i, 0), rows->text(i, 1), rows->text(i, 2),
                                 rows->text(i, 3), rows->text(i, 4),
                                 object_from(rows->text(i, 5))});
      }
      return out;
    });
  }

 private:
  // Runs `work(conn)` on a pooled connection that is this call's alone.
  template <class Work>
  auto with_connection(Work&& work) -> std::invoke_result_t<Work&, PGconn*> {
    auto lease = pool_.take();
    if (!lease) return lease.error();
    return work(lease->get());
  }

  // Runs `work(conn)` between BEGIN and COMMIT; a failure rolls everything back.
  template <class Work>
  auto transaction(std::string_view doing, Work&& work) -> std::invoke_result_t<Work&, PGconn*> {
    return with_connection([&](PGconn* c) -> std::invoke_result_t<Work&, PGconn*> {
      if (auto begun = exec(c, doing, "BEGIN"); !begun) return begun.error();
      auto result = work(c);
      if (!result) {
        PQclear(PQexec(c, "ROLLBACK"));
        return result;
      }
      if (auto committed = exec(c, doing, "COMMIT"); !committed) return committed.error();
      return result;
    });
  }

  static Error conflict_as(const Error& error, Error contract) {
    return error.code == ErrorCode::Conflict ? contract : error;
  }

  core::Result<std::vector<ConnectorTypeRecord>> types(std::string_view doing, const char* sql,
                                                       std::initializer_list<Param> params) {
    return with_connection([&](PGconn* c) -> core::Result<std::vector<ConnectorTypeRecord>> {
      auto rows = exec(c, doing, sql, params);
      if (!rows) return rows.error();
      std::vector<ConnectorTypeRecord> out;
      for (int i = 0; i < rows->size(); ++i) out.push_back(type_from(*rows, i));
      return out;
    });
  }

  static core::Result<void> insert_execution(PGconn* c, const ExecutionRecord& r) {
    auto done = exec(c, "recording an execution",
                     "INSERT INTO executions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                     {r.id, r.connector_id, r.command, json::serialize(r.params),
                      json::serialize(r.result), r.success ? "1" : "0", r.started_at,
                      std::to_string(r.duration_ms), r.step_id, r.run_id, r.actor});
    if (!done) return conflict_as(done.error(), execution_exists(r.id));
    return {};
  }

  static core::Result<void> insert_audit(PGconn* c, const AuditEntry& e) {
    auto done = exec(c, "writing the audit log",
                     "INSERT INTO audit_log (at, actor, action, target, details) "
                     "VALUES ($1, $2, $3, $4, $5)",
                     {e.at.empty() ? now_rfc3339() : e.at, e.actor, e.action, e.target,
                      json::serialize(e.details)});
    if (!done) return done.error();
    return {};
  }

  pg::ConnectionSettings settings_;
  pg::ConnectionPool pool_;  // after settings_, which it reads
};

}  // namespace

core::Result<std::unique_ptr<Store>> open_postgres_store(std::string url) {
  auto settings = pg::parse_url(url);
  if (!settings) return settings.error();
  auto store = std::make_unique<PostgresStore>(std::move(*settings));
  if (auto migrated = store->migrate(); !migrated) return migrated.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace patchbay::store
