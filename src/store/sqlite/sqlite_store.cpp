#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include <boost/json/serialize.hpp>
#include <sqlite3.h>

#include "store/common.hpp"
#include "store/migrations/migrations.hpp"
#include "store/sqlite/wal_checkpointer.hpp"

namespace patchbay::store {
namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

// Prepared statements by SQL text, prepared once per connection: parsing and
// planning cost more than running most of these statements. Used only under the
// store's mutex, like the connection itself.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* connection) : db(connection) {}
  ~StatementCache() {
    for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // A ready statement, or null with the error in `rc`.
  sqlite3_stmt* take(std::string_view sql, int& rc) {
    if (auto found = idle_.find(sql); found != idle_.end()) {
      auto* stmt = found->second;
      idle_.erase(found);
      rc = SQLITE_OK;
      return stmt;
    }
    sqlite3_stmt* stmt = nullptr;
    rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                            &stmt, nullptr);
    return stmt;
  }
  void give_back(std::string_view sql, sqlite3_stmt* stmt) {
    if (stmt == nullptr) return;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (!idle_.emplace(std::string(sql), stmt).second) sqlite3_finalize(stmt);
  }

  sqlite3* const db;

 private:
  std::map<std::string, sqlite3_stmt*, std::less<>> idle_;
};

// A prepared statement from the cache; returned to it on destruction.
class Statement {
 public:
  Statement(StatementCache& cache, std::string_view sql) : db_(cache.db), cache_(cache), sql_(sql) {
    stmt_ = cache.take(sql, rc_);
  }
  ~Statement() { cache_.give_back(sql_, stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& bind(int index, std::string_view text) {
    if (ok())
      rc_ = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                              SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    if (ok()) rc_ = sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& bind_null(int index) {
    if (ok()) rc_ = sqlite3_bind_null(stmt_, index);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() {
    if (!ok()) return rc_;
    int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) rc_ = rc;
    return rc;
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, column))
             : std::string();
  }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  int error_code() const { return sqlite3_extended_errcode(db_); }
  std::string message() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  StatementCache& cache_;
  std::string_view sql_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path)
      : db_(db), statements_(std::make_unique<StatementCache>(db)), path_(std::move(path)) {}
  ~SqliteStore() override {
    checkpointer_.reset();  // its connection closes first: the writer's close is the last
    statements_.reset();
    sqlite3_close_v2(db_);
  }

  std::string describe() const override { return "sqlite:" + path_; }

  // Commits stop checkpointing the log themselves (wal_checkpointer.hpp).
  core::Result<void> checkpoint_in_background() {
    auto started = WalCheckpointer::start(db_, path_);
    if (!started) return started.error();
    checkpointer_ = std::move(*started);
    return {};
  }

  core::Result<void> configure_and_migrate() {
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                               "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000"}) {
      if (auto r = exec(pragma); !r) return r;
    }
    if (auto r = exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                      "description TEXT NOT NULL, applied_at TEXT NOT NULL)");
        !r) {
      return r;
    }
    auto current = schema_version();
    if (!current) return current.error();
    for (const auto& m : migrations()) {
      if (m.version <= *current) continue;
      if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
      auto applied = exec(std::string(m.sqlite));
      if (applied) {
        Statement record(*statements_, "INSERT INTO schema_migrations VALUES (?, ?, ?)");
        record.bind(1, std::int64_t{m.version}).bind(2, m.description).bind(3, now_rfc3339());
        if (record.step() != SQLITE_DONE) applied = failure(record, "recording migration");
      }
      if (!applied) {
        (void)exec("ROLLBACK");
        return Error{
            ErrorCode::Unavailable,
            "migration " + std::to_string(m.version) + " failed: " + applied.error().message,
            {}};
      }
      if (auto r = exec("COMMIT"); !r) return r;
    }
    return {};
  }

  core::Result<int> schema_version() override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (s.step() != SQLITE_ROW) return failure(s, "reading the schema version");
    return static_cast<int>(s.integer(0));
  }

  core::Result<ConnectorRecord> create_connector(ConnectorRecord r) override {
    std::lock_guard lock(mutex_);
    if (r.id.empty()) r.id = new_id("c_");
    r.revision = 1;
    r.created_at = r.updated_at = now_rfc3339();
    Statement s(*statements_, "INSERT INTO connectors VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, r.id)
        .bind(2, r.name)
        .bind(3, json::serialize(r.definition))
        .bind(4, json::serialize(r.config))
        .bind(5, r.revision)
        .bind(6, r.created_at)
        .bind(7, r.updated_at);
    if (s.step() != SQLITE_DONE) {
      if (s.error_code() == SQLITE_CONSTRAINT_UNIQUE) {
        return connector_name_taken(r.name);
      }
      return failure(s, "creating a connector");
    }
    return r;
  }

  core::Result<ConnectorRecord> get_connector(std::string_view key) override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_,
                "SELECT id, name, definition, config, revision, created_at, updated_at "
                "FROM connectors WHERE id = ? OR name = ?");
    s.bind(1, key).bind(2, key);
    int rc = s.step();
    if (rc == SQLITE_DONE) return connector_not_found(key);
    if (rc != SQLITE_ROW) return failure(s, "reading a connector");
    return connector_from(s);
  }

  core::Result<std::vector<ConnectorRecord>> list_connectors() override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_,
                "SELECT id, name, definition, config, revision, created_at, updated_at "
                "FROM connectors ORDER BY name");
    std::vector<ConnectorRecord> out;
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(connector_from(s));
    if (rc != SQLITE_DONE) return failure(s, "listing connectors");
    return out;
  }

  core::Result<ConnectorRecord> update_connector(ConnectorRecord r) override {
    std::lock_guard lock(mutex_);
    r.updated_at = now_rfc3339();
    Statement s(*statements_,
                "UPDATE connectors SET name = ?, definition = ?, config = ?, "
                "revision = revision + 1, updated_at = ? WHERE id = ? AND revision = ?");
    s.bind(1, r.name)
        .bind(2, json::serialize(r.definition))
        .bind(3, json::serialize(r.config))
        .bind(4, r.updated_at)
        .bind(5, r.id)
        .bind(6, r.revision);
    if (s.step() != SQLITE_DONE) {
      if (s.error_code() == SQLITE_CONSTRAINT_UNIQUE) {
        return connector_name_taken(r.name);
      }
      return failure(s, "updating a connector");
    }
    if (sqlite3_changes(db_) == 0) {
      Statement exists(*statements_, "SELECT revision FROM connectors WHERE id = ?");
      exists.bind(1, r.id);
      if (exists.step() != SQLITE_ROW) return connector_not_found(r.id);
      return connector_changed(r.name, exists.integer(0), r.revision);
    }
    r.revision += 1;
    return r;
  }

  core::Result<void> delete_connector(std::string_view id) override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_, "DELETE FROM connectors WHERE id = ?");
    s.bind(1, id);
    if (s.step() != SQLITE_DONE) return failure(s, "deleting a connector");
    if (sqlite3_changes(db_) == 0) return connector_not_found(id);
    return {};
  }

  core::Result<void> put_connector_type(const ConnectorTypeRecord& r) override {
    std::lock_guard lock(mutex_);
    std::string now = now_rfc3339();
    std::string schema = json::serialize(r.config_schema);
    if (auto b = exec("BEGIN IMMEDIATE"); !b) return b;
    Statement current(*statements_,
                      "INSERT INTO connector_types VALUES (?, ?, ?, ?) ON CONFLICT(name) DO "
                      "UPDATE SET version = excluded.version, config_schema = "
                      "excluded.config_schema, updated_at = excluded.updated_at");
    current.bind(1, r.name).bind(2, r.version).bind(3, schema).bind(4, now);
    Statement history(*statements_,
                      "INSERT OR REPLACE INTO connector_type_versions VALUES (?, ?, ?, ?)");
    history.bind(1, r.name).bind(2, r.version).bind(3, schema).bind(4, now);
    if (current.step() != SQLITE_DONE || history.step() != SQLITE_DONE) {
      (void)exec("ROLLBACK");
      return failure(current.ok() ? history : current, "storing a connector type");
    }
    return exec("COMMIT");
  }

  core::Result<ConnectorTypeRecord> get_connector_type(std::string_view name) override {
    std::lock_guard lock(mutex_);
    Statement s(
        *statements_,
        "SELECT name, version, config_schema, updated_at FROM connector_types WHERE name = ?");
    s.bind(1, name);
    int rc = s.step();
    if (rc == SQLITE_DONE) return connector_type_not_found(name);
    if (rc != SQLITE_ROW) return failure(s, "reading a connector type");
    return type_from(s);
  }

  core::Result<std::vector<ConnectorTypeRecord>> list_connector_types() override {
    std::lock_guard lock(mutex_);
    Statement s(
        *statements_,
        "SELECT name, version, config_schema, updated_at FROM connector_types ORDER BY name");
    std::vector<ConnectorTypeRecord> out;
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(type_from(s));
    if (rc != SQLITE_DONE) return failure(s, "listing connector types");
    return out;
  }

  core::Result<std::vector<ConnectorTypeRecord>> connector_type_history(
      std::string_view name) override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_,
                "SELECT name, version, config_schema, created_at FROM connector_type_versions "
                "WHERE name = ? ORDER BY created_at, version");
    s.bind(1, name);
    std::vector<ConnectorTypeRecord> out;
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(type_from(s));
    if (rc != SQLITE_DONE) return failure(s, "reading a connector type's history");
    return out;
  }

  core::Result<ExecutionRecord> record_execution(ExecutionRecord r) override {
    std::lock_guard lock(mutex_);
    assign_execution_defaults(r);
    if (auto inserted = insert_execution(r); !inserted) return inserted.error();
    return r;
  }

  core::Result<void> record_batch(std::vector<ExecutionRecord>& executions,
                                  const std::vector<AuditEntry>& audit) override {
    for (auto& r : executions) assign_execution_defaults(r);
    if (executions.empty() && audit.empty()) return {};
    std::lock_guard lock(mutex_);
    if (auto b = exec("BEGIN IMMEDIATE"); !b) return b;
    core::Result<void> written;
    for (const auto& r : executions) {
      if (!(written = insert_execution(r))) break;
    }
    for (const auto& e : audit) {
      if (!written || !(written = insert_audit(e))) break;
    }
    if (!written) {
      (void)exec("ROLLBACK");
      return written;
    }
    return exec("COMMIT");
  }

  core::Result<ExecutionRecord> get_execution(std::string_view id) override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_,
                "SELECT id, connector_id, command, params, result, success, started_at, "
                "duration_ms, step_id, run_id, actor FROM executions WHERE id = ?");
    s.bind(1, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return execution_not_found(id);
    if (rc != SQLITE_ROW) return failure(s, "reading an execution");
    return execution_from(s);
  }

  core::Result<std::vector<ExecutionRecord>> list_executions(std::string_view connector_id,
                                                             std::size_t limit) override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_,
                "SELECT id, connector_id, command, params, result, success, started_at, "
                "duration_ms, step_id, run_id, actor FROM executions WHERE connector_id = ? "
                "ORDER BY started_at DESC, id DESC LIMIT ?");
    s.bind(1, connector_id).bind(2, clamp_limit(limit));
    std::vector<ExecutionRecord> out;
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(execution_from(s));
    if (rc != SQLITE_DONE) return failure(s, "listing executions");
    return out;
  }

  core::Result<TokenRecord> create_token(TokenRecord r) override {
    std::lock_guard lock(mutex_);
    r.id = new_id("t_");
    r.created_at = now_rfc3339();
    Statement s(*statements_, "INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, NULL)");
    s.bind(1, r.id)
        .bind(2, r.name)
        .bind(3, to_string(r.role))
        .bind(4, r.token_hash)
        .bind(5, r.created_at);
    if (s.step() != SQLITE_DONE) {
      if (s.error_code() == SQLITE_CONSTRAINT_UNIQUE) return token_name_taken(r.name);
      return failure(s, "creating a token");
    }
    return r;
  }

  core::Result<TokenRecord> find_token_by_hash(std::string_view hash) override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_,
                "SELECT id, name, role, token_hash, created_at, revoked_at FROM api_tokens "
                "WHERE token_hash = ?");
    s.bind(1, hash);
    int rc = s.step();
    if (rc == SQLITE_DONE) return unknown_token();
    if (rc != SQLITE_ROW) return failure(s, "checking a token");
    return token_from(s);
  }

  core::Result<std::vector<TokenRecord>> list_tokens() override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_,
                "SELECT id, name, role, token_hash, created_at, revoked_at FROM api_tokens "
                "ORDER BY created_at, name");
    std::vector<TokenRecord> out;
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) out.push_back(token_from(s));
    if (rc != SQLITE_DONE) return failure(s, "listing tokens");
    return out;
  }

  core::Result<void> revoke_token(std::string_view key) override {
    std::lock_guard lock(mutex_);
    Statement s(*statements_,
                "UPDATE api_tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND "
                "revoked_at IS NULL");
    s.bind(1, now_rfc3339()).bind(2, key).bind(3, key);
    if (s.step() != SQLITE_DONE) return failure(s, "revoking a token");
    if (sqlite3_changes(db_) == 0) return no_active_token(key);
    return {};
  }

  core::Result<void> append_audit(const AuditEntry& e) override {
    std::lock_guard lock(mutex_);
    return insert_audit(e);
  }

  core::Result<std::vector<AuditEntry>> list_audit(std::size_t limit) override {
    std::lock_guard lock(mutex_);
    Statement s(
        *statements_,
        "SELECT seq, at, actor, action, target, details FROM audit_log ORDER BY seq DESC LIMIT ?");
    s.bind(1, clamp_limit(limit));
    std::vector<AuditEntry> out;
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) {
      out.push_back(AuditEntry{s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4),
                               object_from(s.text(5))});
    }
    if (rc != SQLITE_DONE) return failure(s, "reading the audit log");
    return out;
  }

 private:
  // The caller holds mutex_ (and, for a batch, the open transaction).
  core::Result<void> insert_execution(const ExecutionRecord& r) {
    Statement s(*statements_, "INSERT INTO executions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, r.id)
        .bind(2, r.connector_id)
        .bind(3, r.command)
        .bind(4, json::serialize(r.params))
        .bind(5, json::serialize(r.result))
        .bind(6, std::int64_t{r.success ? 1 : 0})
        .bind(7, r.started_at)
        .bind(8, r.duration_ms)
        .bind(9, r.step_id)
        .bind(10, r.run_id)
        .bind(11, r.actor);
    if (s.step() != SQLITE_DONE) {
      if (s.error_code() == SQLITE_CONSTRAINT_PRIMARYKEY) return execution_exists(r.id);
      return failure(s, "recording an execution");
    }
    return {};
  }

  core::Result<void> insert_audit(const AuditEntry& e) {
    Statement s(
        *statements_,
        "INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)");
    s.bind(1, e.at.empty() ? now_rfc3339() : e.at)
        .bind(2, e.actor)
        .bind(3, e.action)
        .bind(4, e.target)
        .bind(5, json::serialize(e.details));
    if (s.step() != SQLITE_DONE) return failure(s, "writing the audit log");
    return {};
  }

  // LIMIT takes a signed 64-bit count; anything larger means "all".
  static std::int64_t clamp_limit(std::size_t limit) {
    return static_cast<std::int64_t>(
        std::min<std::size_t>(limit, static_cast<std::size_t>(INT64_MAX)));
  }

  core::Result<void> exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return Error{ErrorCode::Unavailable, "sqlite: " + text, {}};
    }
    return {};
  }

  static Error failure(const Statement& s, std::string_view doing) {
    int code = s.error_code() & 0xff;
    auto kind = (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL ||
                 code == SQLITE_IOERR || code == SQLITE_CANTOPEN)
                    ? ErrorCode::Unavailable
                    : ErrorCode::Internal;
    return Error{kind, "sqlite error while " + std::string(doing) + ": " + s.message(), {}};
  }

  static ConnectorRecord connector_from(const Statement& s) {
    return ConnectorRecord{
        s.text(0), s.text(1), object_from(s.text(2)), object_from(s.text(3)), s.integer(4),
        s.text(5), s.text(6)};
  }
  static ExecutionRecord execution_from(const Statement& s) {
    return ExecutionRecord{s.text(0),
                           s.text(1),
                           s.text(2),
                           object_from(s.text(3)),
                           object_from(s.text(4)),
                           s.integer(5) != 0,
                           s.text(6),
                           s.integer(7),
                           s.text(8),
                           s.text(9),
                           s.text(10)};
  }
  static ConnectorTypeRecord type_from(const Statement& s) {
    return ConnectorTypeRecord{s.text(0), s.text(1), object_from(s.text(2)), s.text(3)};
  }
  static TokenRecord token_from(const Statement& s) {
    TokenRecord r{s.text(0), s.text(1), parse_role(s.text(2)).value_or(Role::Viewer),
                  s.text(3), s.text(4), std::nullopt};
    if (!s.is_null(5)) r.revoked_at = s.text(5);
    return r;
  }

  sqlite3* db_;
  std::unique_ptr<StatementCache> statements_;
  std::string path_;
  std::mutex mutex_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace

core::Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Error{
        ErrorCode::Unavailable, "cannot open sqlite database " + path + ": " + message, {}};
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  if (auto r = store->configure_and_migrate(); !r) return r.error();
  if (auto r = store->checkpoint_in_background(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace patchbay::store
