#pragma once
// PostgresCluster: a throwaway PostgreSQL server for the tests of one process.
//
// shared() starts it on first use: initdb (trust auth, no fsync) in a fresh
// temp dir with the newest /usr/lib/postgresql/*/bin, a server on 127.0.0.1 and
// a free port, its socket in that dir. When the process runs as root the
// server runs as the `postgres` system user, since PostgreSQL refuses root.
// A watchdog process stops the server (pg_ctl stop -m fast) and deletes the dir
// when this process ends however it ends: normal exit, failed test, crash, or
// SIGKILL.
//
// When it cannot start (no server binaries: install the Debian package
// postgresql-15, which scripts/setup does), shared() throws std::runtime_error
// saying why; it never skips.
//
// Thread-safe. A child made with fork() must leave the cluster alone and end
// with _exit (its exit handlers would otherwise see an object it does not own;
// the destructor checks and does nothing there).

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace patchbay::test {

class PostgresCluster {
 public:
  static PostgresCluster& shared();

  // Creates a new, empty, uniquely named database and returns its URL:
  // "postgres://postgres@127.0.0.1:PORT/NAME". Throws std::runtime_error on failure.
  std::string fresh_database_url();
  // "postgres://postgres@127.0.0.1:PORT/<database>".
  std::string url(std::string_view database = "postgres") const;
  std::uint16_t port() const { return port_; }

  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

 private:
  PostgresCluster();

  std::filesystem::path dir_;  // data/, the socket, and the logs
  std::uint16_t port_ = 0;
  pid_t owner_ = 0;         // the process that started it
  pid_t watchdog_ = 0;      // cleans up once watchdog_pipe_ closes
  int watchdog_pipe_ = -1;  // write end; closed only when this process ends
  std::mutex mutex_;        // guards next_database_
  int next_database_ = 0;
};

}  // namespace patchbay::test
