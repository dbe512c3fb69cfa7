#include "store/postgres/connection.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include <poll.h>

namespace patchbay::store::pg {
namespace {

using core::Error;
using core::ErrorCode;

// libpq messages end in newlines and indent their hints; one line reads better in logs.
std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::int64_t to_integer(const char* text) {
  std::string_view view(text);
  std::int64_t value = 0;
  std::from_chars(view.data(), view.data() + view.size(), value);
  return value;
}

// An idle connection the server dropped looks healthy until its socket is
// read. Nothing arrives on an idle connection unless the server is saying
// goodbye (a FATAL message, then end-of-file; we never LISTEN), so anything
// readable means: reset it before use.
bool dropped(PGconn* conn) {
  pollfd ready{PQsocket(conn), POLLIN, 0};
  return PQstatus(conn) != CONNECTION_OK || ::poll(&ready, 1, 0) != 0;
}

}  // namespace

bool Rows::ok() const {
  auto status = PQresultStatus(result_.get());
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Rows::integer(int row, int column) const {
  return to_integer(PQgetvalue(result_.get(), row, column));
}

std::int64_t Rows::affected() const { return to_integer(PQcmdTuples(result_.get())); }

core::Error failure(PGconn* conn, const PGresult* result, std::string_view doing) {
  const char* field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view state = field ? field : "";
  std::string message = one_line(result ? PQresultErrorMessage(result) : "");
  if (message.empty()) message = one_line(PQerrorMessage(conn));
  auto code = ErrorCode::Internal;
  if (state == "23505") {
    code = ErrorCode::Conflict;
  } else if (PQstatus(conn) != CONNECTION_OK || state.starts_with("08") ||
             state.starts_with("53") || state.starts_with("57P") || state == "40001" ||
             state == "40P01") {
    code = ErrorCode::Unavailable;
  }
  return Error{code, "postgres error while " + std::string(doing) + ": " + message, {}};
}

core::Result<Rows> exec(PGconn* conn, std::string_view doing, const char* sql,
                        std::initializer_list<Param> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  Rows rows(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(),
                         nullptr, nullptr, 0));
  if (!rows.ok()) return failure(conn, rows.get(), doing);
  return rows;
}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(other.conn_) {}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->give_back(conn_);
}

ConnectionPool::~ConnectionPool() {
  for (auto* conn : idle_) PQfinish(conn);
}

core::Result<ConnectionPool::Lease> ConnectionPool::take() {
  PGconn* conn = nullptr;
  {
    std::unique_lock lock(mutex_);
    if (!returned_.wait_for(lock, settings_.pool_wait,
                            [&] { return !idle_.empty() || open_ < settings_.pool_size; })) {
      return Error{ErrorCode::Unavailable,
                   "all " + std::to_string(settings_.pool_size) +
                       " PostgreSQL connections stayed busy for " +
                       std::to_string(settings_.pool_wait.count()) +
                       " ms (see pool_size and pool_wait_ms)",
                   {}};
    }
    if (idle_.empty()) {
      ++open_;
    } else {
      conn = idle_.back();
      idle_.pop_back();
    }
  }
  if (conn == nullptr) {
    auto opened = connect();
    if (!opened) {
      std::lock_guard lock(mutex_);
      --open_;
      returned_.notify_one();
      return opened.error();
    }
    return Lease(this, *opened);
  }
  Lease lease(this, conn);
  if (dropped(conn)) {
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK) return connect_error(conn);
  }
  return lease;
}

core::Result<PGconn*> ConnectionPool::connect() {
  // Keywords before "dbname" are defaults the URL may override.
  std::string timeout = std::to_string(kDefaultConnectTimeoutSeconds);
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "patchbay", settings_.conninfo.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) {
    return Error{ErrorCode::Unavailable, "no memory for a PostgreSQL connection", {}};
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    auto error = connect_error(conn);
    PQfinish(conn);
    return error;
  }
  // Notices ("relation already exists, skipping") are not errors; libpq would print them.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

core::Error ConnectionPool::connect_error(PGconn* conn) const {
  const char* host = PQhost(conn);
  const char* port = PQport(conn);
  return Error{ErrorCode::Unavailable,
               "cannot connect to PostgreSQL at " + std::string(host ? host : "?") + ":" +
                   std::string(port ? port : "?") + ": " +
                   settings_.scrub(one_line(PQerrorMessage(conn))),
               {}};
}

void ConnectionPool::give_back(PGconn* conn) {
  // A call that failed inside a transaction may leave it open; the next user starts clean.
  auto state = PQtransactionStatus(conn);
  if (state == PQTRANS_INTRANS || state == PQTRANS_INERROR) PQclear(PQexec(conn, "ROLLBACK"));
  std::lock_guard lock(mutex_);
  idle_.push_back(conn);
  returned_.notify_one();
}

}  // namespace patchbay::store::pg
