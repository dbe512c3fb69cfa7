#pragma once
// The libpq layer under the PostgreSQL store: statements whose values travel
// apart from their SQL, the rows they return, and the pool of connections.
// Internal to store/postgres/.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "core/result.hpp"
#include "store/postgres/postgres_url.hpp"

namespace patchbay::store::pg {

// One statement's outcome, its rows in text format. Owns the PGresult.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result) {}
  const PGresult* get() const { return result_.get(); }
  bool ok() const;
  int size() const { return PQntuples(result_.get()); }
  std::string text(int row, int column) const;
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::int64_t integer(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

// A statement value; nullopt is SQL NULL.
using Param = std::optional<std::string>;

// Runs one statement with PQexecParams: values are never spliced into the SQL.
// A unique violation (SQLSTATE 23505) is Conflict, for the caller to reword; a
// lost connection or an overloaded or stopping server is Unavailable; anything
// else is Internal. Messages read "postgres error while <doing>: ...".
core::Result<Rows> exec(PGconn* conn, std::string_view doing, const char* sql,
                        std::initializer_list<Param> params = {});

// The error for a failed `result` (nullptr: look at the connection) of `conn`.
core::Error failure(PGconn* conn, const PGresult* result, std::string_view doing);

// At most settings.pool_size connections, shared by every thread. A caller
// takes one, waiting up to settings.pool_wait (then Unavailable), uses it alone
// and gives it back when its Lease dies. Connections open on first need; one
// the server dropped is reset when next taken (Unavailable if that fails).
//
// Thread-safe. The pool must outlive its leases; the settings, the pool.
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, PGconn* conn) : pool_(pool), conn_(conn) {}
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PGconn* get() const { return conn_; }

   private:
    ConnectionPool* pool_;
    PGconn* conn_;
  };

  explicit ConnectionPool(const ConnectionSettings& settings) : settings_(settings) {}
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  core::Result<Lease> take();

 private:
  core::Result<PGconn*> connect();
  core::Error connect_error(PGconn* conn) const;
  void give_back(PGconn* conn);

  const ConnectionSettings& settings_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<PGconn*> idle_;  // guarded by mutex_
  std::size_t open_ = 0;       // idle and leased; guarded by mutex_
};

}  // namespace patchbay::store::pg
