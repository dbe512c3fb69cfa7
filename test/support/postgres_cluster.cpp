#include "support/postgres_cluster.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/files.hpp"

extern char** environ;

namespace patchbay::test {
namespace {

namespace fs = std::filesystem;

constexpr int kStartAttempts = 5;  // a free port can be taken between finding and binding it
constexpr const char* kMissingServer =
    "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin; install the "
    "Debian package postgresql-15 (scripts/setup installs everything in scripts/deps.txt)";

[[noreturn]] void fail(const std::string& why) {
  throw std::runtime_error("PostgresCluster: " + why);
}

// The newest /usr/lib/postgresql/<major>/bin that holds initdb and pg_ctl.
fs::path find_bin_dir() {
  fs::path best;
  long best_major = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = entry.path() / "bin";
    long major = std::strtol(entry.path().filename().c_str(), nullptr, 10);
    if (major > best_major && fs::exists(bin / "initdb", ec) && fs::exists(bin / "pg_ctl", ec)) {
      best = bin;
      best_major = major;
    }
  }
  if (best.empty()) fail(kMissingServer);
  return best;
}

std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    fail("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// Starts `args` (argv[0] an absolute path) with stdin from `in` (or /dev/null)
// and stdout and stderr appended to `log`. posix_spawn, not fork, because the
// test process may have threads. Returns the child's pid, or -1.
pid_t spawn(const std::vector<std::string>& args, const fs::path& log, const fs::path& cwd,
            int in = -1, bool own_session = false) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in >= 0) {
    posix_spawn_file_actions_adddup2(&actions, in, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (own_session) posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

PostgresCluster& PostgresCluster::shared() {
  static std::mutex mutex;
  static std::unique_ptr<PostgresCluster> cluster;  // destroyed at exit
  static std::string failed;  // a cluster that could not start is not tried again
  std::lock_guard lock(mutex);
  if (cluster) return *cluster;
  if (!failed.empty()) throw std::runtime_error(failed);
  try {
    cluster.reset(new PostgresCluster());
  } catch (const std::exception& e) {
    failed = e.what();
    throw;
  }
  return *cluster;
}

PostgresCluster::PostgresCluster() : owner_(::getpid()) {
  const fs::path bin = find_bin_dir();

  // PostgreSQL refuses to run as root; root runs it as the postgres system user.
  std::vector<std::string> as_server_user;
  passwd* user = nullptr;
  if (::geteuid() == 0) {
    user = ::getpwnam("postgres");
    if (user == nullptr) {
      fail("running as root needs the 'postgres' system user to run the server; " +
           std::string(kMissingServer));
    }
    std::string runuser = fs::exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser";
    as_server_user = {runuser, "-u", "postgres", "--"};
  }

  std::string pattern = (fs::temp_directory_path() / "patchbay-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) fail("cannot create a temp dir under " + pattern);
  dir_ = pattern;
  if (user != nullptr && ::chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
    fail("cannot hand " + dir_.string() + " to the postgres user");
  }
  const fs::path data = dir_ / "data";
  const fs::path log = dir_ / "commands.log";
  const fs::path server_log = dir_ / "server.log";
  const std::string pg_ctl = (bin / "pg_ctl").string();

  // The watchdog waits for end-of-file on a pipe only this process writes to,
  // which comes when the process ends however it ends, then stops the server
  // and deletes the dir. It tries again while a startup this process began
  // (initdb, pg_ctl start) is still writing there. Its own session keeps it out
  // of a Ctrl-C meant for the tests.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("cannot create the watchdog pipe");
  std::vector<std::string> watchdog = {"/bin/sh", "-c", R"(dir=$1; shift; cat >/dev/null
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  "$@" -D "$dir/data" -m fast -w stop
  rm -rf "$dir"
  [ -e "$dir" ] || exit 0
  sleep 0.5
done)",
                                       "patchbay-pg-watchdog", dir_.string()};
  watchdog.insert(watchdog.end(), as_server_user.begin(), as_server_user.end());
  watchdog.push_back(pg_ctl);
  watchdog_ = spawn(watchdog, "/dev/null", "/", fds[0], true);
  ::close(fds[0]);
  watchdog_pipe_ = fds[1];
  if (watchdog_ < 0) fail("cannot start the watchdog (/bin/sh)");

  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), as_server_user.begin(), as_server_user.end());
    pid_t pid = spawn(args, log, dir_);
    return pid < 0 ? -1 : wait_for(pid);
  };
  if (run({(bin / "initdb").string(), "-D", data.string(), "-A", "trust", "--no-sync", "-U",
           "postgres", "--encoding=UTF8", "--locale=C"}) != 0) {
    fail("initdb failed:\n" + read_text(log));
  }
  std::ofstream(data / "postgresql.conf", std::ios::app)
      << "\n# patchbay tests: loopback only, no durability needed\n"
      << "listen_addresses = '127.0.0.1'\n"
      << "unix_socket_directories = '" << dir_.string() << "'\n"
      << "fsync = off\nfull_page_writes = off\nmax_connections = 200\n";

  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::uint16_t port = free_loopback_port();
    if (run({pg_ctl, "-D", data.string(), "-l", server_log.string(), "-o",
             "-p " + std::to_string(port), "-w", "-t", "60", "start"}) == 0) {
      port_ = port;
      return;
    }
  }
  fail("pg_ctl start failed " + std::to_string(kStartAttempts) + " times:\n" + read_text(log) +
       "\nserver log:\n" + read_text(server_log));
}

PostgresCluster::~PostgresCluster() {
  if (::getpid() != owner_) return;
  ::close(watchdog_pipe_);
  wait_for(watchdog_);
}

std::string PostgresCluster::url(std::string_view database) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + std::string(database);
}

std::string PostgresCluster::fresh_database_url() {
  std::string name;
  {
    std::lock_guard lock(mutex_);
    name = "patchbay_test_" + std::to_string(++next_database_);
  }
  PGconn* admin = PQconnectdb(url().c_str());
  std::string problem;
  if (PQstatus(admin) != CONNECTION_OK) {
    problem = PQerrorMessage(admin);
  } else {
    // The name is ours, not input, and CREATE DATABASE takes no parameters.
    PGresult* created = PQexec(admin, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(created) != PGRES_COMMAND_OK) problem = PQresultErrorMessage(created);
    PQclear(created);
  }
  PQfinish(admin);
  if (!problem.empty()) fail("cannot create database " + name + ": " + problem);
  return url(name);
}

}  // namespace patchbay::test
