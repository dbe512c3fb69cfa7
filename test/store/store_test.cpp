// The store contract, run against every implementation: each TEST_P runs once
// on SQLite and once on PostgreSQL (a throwaway cluster, a fresh database per
// test). PostgreSQL-only behaviour (pool, URL handling, racing migrations,
// reconnects) follows the contract.

#include "store/store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <latch>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/json.hpp"
#include "store/migrations/migrations.hpp"
#include "store/postgres/postgres_url.hpp"
#include "support/files.hpp"
#include "support/postgres_cluster.hpp"

namespace patchbay::store {
namespace {

namespace json = boost::json;

enum class Kind { Sqlite, Postgres };
void PrintTo(Kind kind, std::ostream* out) {
  *out << (kind == Kind::Sqlite ? "Sqlite" : "Postgres");
}

ConnectorRecord connector(std::string name) {
  return ConnectorRecord{.name = std::move(name),
                         .definition = {{"executionModel", "script"}},
                         .config = {{"baseUrl", "https://x"}}};
}

std::unique_ptr<Store> open_or_fail(const std::string& url) {
  auto opened = open_store(url);
  EXPECT_TRUE(opened.has_value()) << (opened ? "" : opened.error().message);
  return opened ? std::move(*opened) : nullptr;
}

class StoreTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    url_ = GetParam() == Kind::Sqlite ? "sqlite:" + (dir_.path() / "patchbay.db").string()
                                      : test::PostgresCluster::shared().fresh_database_url();
    store_ = open();
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<Store> open() { return open_or_fail(url_); }
  const std::string& url() const { return url_; }

  test::TempDir dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Contract, StoreTest, ::testing::Values(Kind::Sqlite, Kind::Postgres),
                         [](const ::testing::TestParamInfo<Kind>& param_info) {
                           return param_info.param == Kind::Sqlite ? "Sqlite" : "Postgres";
                         });

TEST_P(StoreTest, MigratesOnceAndDescribesItself) {
  EXPECT_EQ(*store_->schema_version(), 1);
  store_.reset();
  store_ = open();
  EXPECT_EQ(*store_->schema_version(), 1);
  EXPECT_EQ(store_->describe(), url());
}

TEST_P(StoreTest, CreateKeepsAnIdTheCallerChose) {
  // The server picks the id first: sealed secrets are bound to it.
  auto record = connector("chosen");
  record.id = "c_00000000000000aa";
  auto created = store_->create_connector(record);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->id, "c_00000000000000aa");
  EXPECT_EQ(store_->get_connector("c_00000000000000aa")->name, "chosen");
}

TEST_P(StoreTest, ConnectorsCreateReadUpdateDelete) {
  auto created = store_->create_connector(connector("my-crm"));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->id.rfind("c_", 0), 0u);
  EXPECT_EQ(created->revision, 1);
  EXPECT_EQ(store_->get_connector("my-crm")->id, created->id);
  EXPECT_EQ(store_->get_connector(created->id)->config.at("baseUrl"), "https://x");

  auto duplicate = store_->create_connector(connector("my-crm"));
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, core::ErrorCode::Conflict);
  EXPECT_EQ(duplicate.error().message, "a connector named 'my-crm' already exists");

  auto changed = *created;
  changed.config["baseUrl"] = "https://y";
  auto updated = store_->update_connector(changed);
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_EQ(updated->revision, 2);
  auto stale = store_->update_connector(changed);  // still revision 1
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().code, core::ErrorCode::Conflict);

  ASSERT_TRUE(store_->create_connector(connector("another")).has_value());
  auto all = store_->list_connectors();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(0).name, "another");

  ASSERT_TRUE(store_->delete_connector(created->id).has_value());
  EXPECT_EQ(store_->get_connector("my-crm").error().code, core::ErrorCode::NotFound);
  EXPECT_EQ(store_->delete_connector(created->id).error().code, core::ErrorCode::NotFound);
}

TEST_P(StoreTest, ConnectorTypesKeepTheirHistory) {
  ASSERT_TRUE(store_->put_connector_type({"delay", "1.0.0", {{"commands", json::object{}}}, ""})
                  .has_value());
  ASSERT_TRUE(
      store_->put_connector_type({"delay", "1.1.0", {{"commands", json::object{{"wait", 1}}}}, ""})
          .has_value());
  EXPECT_EQ(store_->get_connector_type("delay")->version, "1.1.0");
  auto history = store_->connector_type_history("delay");
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(history->at(0).version, "1.0.0");
  EXPECT_EQ(store_->get_connector_type("nope").error().code, core::ErrorCode::NotFound);
  EXPECT_EQ(store_->list_connector_types()->size(), 1u);
}

TEST_P(StoreTest, ExecutionsAreRecordedWhole) {
  ExecutionRecord record{.connector_id = "c_1",
                         .command = "listContacts",
                         .params = {{"limit", 5}},
                         .result = {{"success", true}},
                         .success = true,
                         .duration_ms = 12,
                         .step_id = "s",
                         .run_id = "r",
                         .actor = "admin"};
  auto stored = store_->record_execution(record);
  ASSERT_TRUE(stored.has_value());
  auto read = store_->get_execution(stored->id);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->params.at("limit"), 5);
  EXPECT_TRUE(read->success);
  EXPECT_EQ(read->duration_ms, 12);
  EXPECT_EQ(read->actor, "admin");
  EXPECT_EQ(store_->get_execution("x_none").error().code, core::ErrorCode::NotFound);
}

TEST_P(StoreTest, TokensAreFoundByHashAndRevoked) {
  auto token = store_->create_token({.name = "ci", .role = Role::Operator, .token_hash = "h1"});
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(store_->find_token_by_hash("h1")->role, Role::Operator);
  EXPECT_EQ(store_->find_token_by_hash("nope").error().code, core::ErrorCode::Unauthenticated);
  EXPECT_EQ(store_->create_token({.name = "ci", .token_hash = "h2"}).error().code,
            core::ErrorCode::Conflict);
  ASSERT_TRUE(store_->revoke_token("ci").has_value());
  EXPECT_TRUE(store_->find_token_by_hash("h1")->revoked_at.has_value());
  EXPECT_EQ(store_->revoke_token("ci").error().code, core::ErrorCode::NotFound);
  EXPECT_EQ(store_->list_tokens()->size(), 1u);
}

TEST_P(StoreTest, AuditLogListsNewestFirst) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_
                    ->append_audit({.actor = "admin",
                                    .action = "connector.create",
                                    .target = "c" + std::to_string(i),
                                    .details = {{"i", i}}})
                    .has_value());
  }
  auto entries = store_->list_audit(2);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(entries->at(0).target, "c2");
  EXPECT_EQ(entries->at(1).details.at("i"), 1);
}

TEST_P(StoreTest, DataSurvivesReopening) {
  ASSERT_TRUE(store_->create_connector(connector("kept")).has_value());
  store_.reset();
  store_ = open();
  EXPECT_TRUE(store_->get_connector("kept").has_value());
}

TEST_P(StoreTest, ConcurrentWritersAllLand) {
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        failures += !store_->create_connector(
            connector("c-" + std::to_string(t) + "-" + std::to_string(i)));
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->list_connectors()->size(), 200u);
}

TEST_P(StoreTest, KillNineLosesNoCommittedWrite) {
  store_.reset();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    auto store = open_store(url());
    if (!store) ::_exit(3);
    for (int i = 0;; ++i) {
      std::string name = "burst-" + std::to_string(i);
      if (!(*store)->create_connector(ConnectorRecord{.name = name})) ::_exit(4);
      name += "\n";  // reported only once committed
      if (::write(pipe_fds[1], name.data(), name.size()) < 0) ::_exit(5);
    }
  }
  ::close(pipe_fds[1]);
  std::string reported;
  char buffer[4096];
  while (std::count(reported.begin(), reported.end(), '\n') < 300) {
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    ASSERT_GT(n, 0) << "the writer died early";
    reported.append(buffer, static_cast<std::size_t>(n));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipe_fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status));

  store_ = open();
  auto all = store_->list_connectors();
  ASSERT_TRUE(all.has_value());
  std::set<std::string> names;
  for (const auto& c : *all) names.insert(c.name);
  std::size_t checked = 0;
  for (std::size_t start = 0, end; (end = reported.find('\n', start)) != std::string::npos;
       start = end + 1) {
    EXPECT_TRUE(names.contains(reported.substr(start, end - start)))
        << reported.substr(start, end - start);
    ++checked;
  }
  EXPECT_GE(checked, 300u);
}

TEST_P(StoreTest, ErrorsUseTheContractsWording) {
  auto message = [](const auto& result) {
    return result.has_value() ? std::string("(no error)") : result.error().message;
  };
  auto created = store_->create_connector(connector("crm"));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  ASSERT_TRUE(store_->create_connector(connector("other")).has_value());
  EXPECT_EQ(message(store_->create_connector(connector("crm"))),
            "a connector named 'crm' already exists");
  EXPECT_EQ(message(store_->get_connector("nope")), "connector 'nope' not found");
  EXPECT_EQ(message(store_->delete_connector("c_nope")), "connector 'c_nope' not found");
  auto ghost = connector("ghost");
  ghost.id = "c_ghost";
  ghost.revision = 1;
  EXPECT_EQ(message(store_->update_connector(ghost)), "connector 'c_ghost' not found");
  auto renamed = *created;
  renamed.name = "other";
  auto taken = store_->update_connector(renamed);
  EXPECT_EQ(message(taken), "a connector named 'other' already exists");
  EXPECT_EQ(taken.error().code, core::ErrorCode::Conflict);
  ASSERT_TRUE(store_->update_connector(*created).has_value());
  EXPECT_EQ(message(store_->update_connector(*created)),
            "connector 'crm' was changed by someone else (revision 2, not 1); read it again and "
            "retry");
  EXPECT_EQ(message(store_->get_connector_type("nope")), "connector type 'nope' not found");
  EXPECT_EQ(message(store_->get_execution("x_none")), "execution 'x_none' not found");
  ASSERT_TRUE(store_->record_execution({.id = "x_1", .connector_id = "c"}).has_value());
  auto again = store_->record_execution({.id = "x_1", .connector_id = "c"});
  EXPECT_EQ(message(again), "execution 'x_1' already exists");
  EXPECT_EQ(again.error().code, core::ErrorCode::Conflict);
  ASSERT_TRUE(store_->create_token({.name = "ci", .token_hash = "h"}).has_value());
  EXPECT_EQ(message(store_->create_token({.name = "ci", .token_hash = "h2"})),
            "a token named 'ci' already exists");
  EXPECT_EQ(message(store_->find_token_by_hash("nope")), "unknown token");
  EXPECT_EQ(message(store_->revoke_token("nobody")), "no active token 'nobody'");
}

TEST_P(StoreTest, ValuesAreNeverReadAsSql) {
  const std::string name =
      "O'Brien\"; DROP TABLE connectors; -- $1 ? \xc3\xbcnic\xc3\xb6"
      "de";
  auto record = connector(name);
  record.definition["quote"] = "it's \"quoted\" \\ and ' unbalanced";
  auto created = store_->create_connector(record);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  auto read = store_->get_connector(name);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->name, name);
  EXPECT_EQ(read->definition.at("quote"), "it's \"quoted\" \\ and ' unbalanced");
  EXPECT_EQ(store_->list_connectors()->size(), 1u);
}

TEST_P(StoreTest, RecordBatchWritesExecutionsAndAuditTogether) {
  std::vector<ExecutionRecord> executions = {
      {.connector_id = "c_1", .command = "first", .params = {{"n", 1}}, .success = true},
      {.id = "x_given",
       .connector_id = "c_1",
       .command = "second",
       .started_at = "2024-01-01T00:00:00.000Z"},
  };
  std::vector<AuditEntry> audit = {
      {.actor = "admin", .action = "connector.execute", .target = "c_1"},
      {.actor = "admin", .action = "connector.execute", .target = "c_2", .details = {{"k", 2}}},
  };
  auto written = store_->record_batch(executions, audit);
  ASSERT_TRUE(written.has_value()) << written.error().message;
  EXPECT_EQ(executions[0].id.rfind("x_", 0), 0u);
  EXPECT_FALSE(executions[0].started_at.empty());
  EXPECT_EQ(executions[1].id, "x_given");
  EXPECT_EQ(executions[1].started_at, "2024-01-01T00:00:00.000Z");
  for (const auto& e : executions) {
    auto read = store_->get_execution(e.id);
    ASSERT_TRUE(read.has_value()) << e.id;
    EXPECT_EQ(read->command, e.command);
    EXPECT_EQ(read->started_at, e.started_at);
  }
  EXPECT_EQ(store_->get_execution(executions[0].id)->params.at("n"), 1);
  auto entries = store_->list_audit(10);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(entries->at(0).target, "c_2");
  EXPECT_EQ(entries->at(0).details.at("k"), 2);

  std::vector<ExecutionRecord> none;
  EXPECT_TRUE(store_->record_batch(none, {}).has_value());
  EXPECT_EQ(store_->list_audit(10)->size(), 2u);
}

TEST_P(StoreTest, RecordBatchIsAllOrNothing) {
  ASSERT_TRUE(store_->record_execution({.id = "x_taken", .connector_id = "c_1"}).has_value());
  std::vector<ExecutionRecord> executions = {{.id = "x_new", .connector_id = "c_1"},
                                             {.id = "x_taken", .connector_id = "c_1"}};
  std::vector<AuditEntry> audit = {{.actor = "admin", .action = "connector.execute"}};
  auto batch = store_->record_batch(executions, audit);
  ASSERT_FALSE(batch.has_value());
  EXPECT_EQ(batch.error().code, core::ErrorCode::Conflict);
  EXPECT_EQ(batch.error().message, "execution 'x_taken' already exists");
  EXPECT_EQ(store_->get_execution("x_new").error().code, core::ErrorCode::NotFound);
  EXPECT_TRUE(store_->list_audit(10)->empty());

  // The failed transaction left nothing open behind it: the next batch lands.
  executions.pop_back();
  ASSERT_TRUE(store_->record_batch(executions, audit).has_value());
  EXPECT_TRUE(store_->get_execution("x_new").has_value());
  EXPECT_EQ(store_->list_audit(10)->size(), 1u);
}

TEST_P(StoreTest, ListExecutionsNewestFirst) {
  const std::pair<const char*, const char*> rows[] = {{"x_a", "2024-01-01T00:00:01.000Z"},
                                                      {"x_b", "2024-01-01T00:00:03.000Z"},
                                                      {"x_c", "2024-01-01T00:00:02.000Z"},
                                                      {"x_d", "2024-01-01T00:00:03.000Z"}};
  for (const auto& [id, at] : rows) {
    ASSERT_TRUE(
        store_->record_execution({.id = id, .connector_id = "c_1", .started_at = at}).has_value());
  }
  ASSERT_TRUE(store_->record_execution({.connector_id = "c_2"}).has_value());
  auto newest = store_->list_executions("c_1", 3);
  ASSERT_TRUE(newest.has_value()) << newest.error().message;
  std::vector<std::string> ids;
  for (const auto& e : *newest) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"x_d", "x_b", "x_c"}));  // ties: id descending
  EXPECT_EQ(store_->list_executions("c_1", SIZE_MAX)->size(), 4u);
  EXPECT_TRUE(store_->list_executions("c_none", 10)->empty());
}

// Commits leave checkpointing to a background thread (sqlite/wal_checkpointer.hpp):
// the log must still reach the database file while the store is open, not only
// when it closes, or it would grow without bound.
TEST(SqliteStoreTest, CopiesTheLogIntoTheDatabaseFileWhileOpen) {
  test::TempDir dir;
  auto file = dir.path() / "patchbay.db";
  auto store = open_or_fail("sqlite:" + file.string());
  ASSERT_NE(store, nullptr);
  auto initial = std::filesystem::file_size(file);
  const std::string filler(2000, 'x');
  std::vector<std::string> ids;
  for (int batch = 0; batch < 300; ++batch) {  // ~6 MB, well past 1000 log pages
    std::vector<ExecutionRecord> executions(10, ExecutionRecord{.connector_id = "c_1",
                                                                .params = {{"filler", filler}}});
    ASSERT_TRUE(store->record_batch(executions, {}).has_value());
    ids.push_back(executions.front().id);
  }
  // The checkpoint runs on its own thread: wait for it (generously), not for a time.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::filesystem::file_size(file) <= initial && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(std::filesystem::file_size(file), initial);
  for (const auto& id : ids) EXPECT_TRUE(store->get_execution(id).has_value()) << id;
}

TEST(OpenStoreTest, RejectsUnknownUrls) {
  auto bad = open_store("mysql://x");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(bad.error().message.find("use sqlite:PATH or postgres://"), std::string::npos);
}

}  // namespace
}  // namespace patchbay::store

namespace patchbay::store {
namespace {

TEST(MigrationsTest, EachDialectGetsItsOwnSpellingsAndNoPlaceholders) {
  for (const auto& m : migrations()) {
    EXPECT_EQ(m.sqlite.find('{'), std::string::npos) << m.version;
    EXPECT_EQ(m.postgres.find('{'), std::string::npos) << m.version;
  }
  const auto& first = migrations().front();
  EXPECT_NE(first.sqlite.find("seq INTEGER PRIMARY KEY AUTOINCREMENT"), std::string::npos);
  EXPECT_NE(first.postgres.find("seq BIGSERIAL PRIMARY KEY"), std::string::npos);
  EXPECT_NE(first.postgres.find("revision BIGINT NOT NULL"), std::string::npos);
}

}  // namespace
}  // namespace patchbay::store

// PostgreSQL only: the pool, URL handling, racing migrations, reconnects.

namespace patchbay::store {
namespace {

std::uint16_t closed_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

// A plain libpq connection, for what the store does not show (backends, locks).
class Psql {
 public:
  explicit Psql(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  ~Psql() { PQfinish(conn_); }
  Psql(const Psql&) = delete;
  Psql& operator=(const Psql&) = delete;

  // The first column of the first row ("" when there is none).
  std::string query(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* result = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                    values.data(), nullptr, nullptr, 0);
    auto status = PQresultStatus(result);
    std::string out;
    if (status == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      out = PQgetvalue(result, 0, 0);
    } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
    }
    PQclear(result);
    return out;
  }

  // Polls `sql` until it returns `expected`, for up to 10 s.
  bool wait_for(const std::string& sql, const std::vector<std::string>& params,
                const std::string& expected) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (query(sql, params) != expected) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

 private:
  PGconn* conn_;
};

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { url_ = test::PostgresCluster::shared().fresh_database_url(); }
  std::string database() const { return url_.substr(url_.rfind('/') + 1); }

  std::string url_;
};

constexpr const char* kPatchbayBackends =
    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'patchbay'";

TEST_F(PostgresStoreTest, PoolOfFourServesThirtyTwoThreads) {
  auto store = open_or_fail(url_ + "?pool_size=4");
  ASSERT_NE(store, nullptr);
  std::atomic<int> failures{0};
  std::mutex mutex;
  std::string first_failure;
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string name = "c-" + std::to_string(t) + "-" + std::to_string(i / 2);
        auto done =
            i % 2 == 0 ? store->create_connector(connector(name)) : store->get_connector(name);
        if (!done) {
          std::lock_guard lock(mutex);
          if (failures++ == 0) first_failure = done.error().message;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_EQ(store->list_connectors()->size(), 32u * 25u);
  Psql psql(url_);
  auto backends = std::stoi(psql.query(kPatchbayBackends, {database()}));
  EXPECT_GE(backends, 1);
  EXPECT_LE(backends, 4);
}

TEST_F(PostgresStoreTest, WaitingForABusyPoolEndsUnavailable) {
  auto store = open_or_fail(url_ + "?pool_size=1&pool_wait_ms=200");
  ASSERT_NE(store, nullptr);
  Psql locker(url_);
  locker.query("BEGIN");
  locker.query("LOCK TABLE connectors IN ACCESS EXCLUSIVE MODE");
  auto blocked =
      std::async(std::launch::async, [&] { return store->create_connector(connector("waits")); });
  Psql watcher(url_);
  ASSERT_TRUE(watcher.wait_for(std::string(kPatchbayBackends) + " AND wait_event_type = 'Lock'",
                               {database()}, "1"));

  auto busy = store->list_connectors();
  ASSERT_FALSE(busy.has_value());
  EXPECT_EQ(busy.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(busy.error().message.find("all 1 PostgreSQL connections stayed busy for 200 ms"),
            std::string::npos)
      << busy.error().message;

  locker.query("COMMIT");
  auto created = blocked.get();
  EXPECT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(store->list_connectors()->size(), 1u);
}

TEST_F(PostgresStoreTest, ReconnectsAfterTheServerDropsItsConnections) {
  auto store = open_or_fail(url_ + "?pool_size=2");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->create_connector(connector("before")).has_value());
  Psql admin(test::PostgresCluster::shared().url());
  admin.query(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND "
      "application_name = 'patchbay'",
      {database()});
  ASSERT_TRUE(admin.wait_for(kPatchbayBackends, {database()}, "0"));

  auto read = store->get_connector("before");
  EXPECT_TRUE(read.has_value()) << read.error().message;
  auto created = store->create_connector(connector("after"));
  EXPECT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(store->list_connectors()->size(), 2u);
}

TEST_F(PostgresStoreTest, MigrationsRaceSafelyBetweenStoresOpenedTogether) {
  constexpr int kOpeners = 6;
  std::latch start(kOpeners);
  std::vector<std::future<core::Result<std::unique_ptr<Store>>>> openers;
  for (int i = 0; i < kOpeners; ++i) {
    openers.push_back(std::async(std::launch::async, [&] {
      start.arrive_and_wait();
      return open_store(url_);
    }));
  }
  for (auto& opener : openers) {
    auto store = opener.get();
    ASSERT_TRUE(store.has_value()) << store.error().message;
    EXPECT_EQ(*(*store)->schema_version(), migrations().back().version);
  }
  Psql psql(url_);
  EXPECT_EQ(psql.query("SELECT count(*) FROM schema_migrations"),
            std::to_string(migrations().size()));
}

TEST_F(PostgresStoreTest, DescribeMasksThePassword) {
  // Trust authentication ignores the password, so the store opens all the same.
  std::string with_password = url_;
  with_password.replace(with_password.find("postgres@"), 9, "postgres:hunter2@");
  auto store = open_or_fail(with_password + "?pool_size=2&application_name=patchbay");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->describe(), "postgres://postgres:***@127.0.0.1:" +
                                   std::to_string(test::PostgresCluster::shared().port()) + "/" +
                                   database() + "?pool_size=2&application_name=patchbay");
}

TEST(PostgresStoreUrlTest, UnreachableServerIsUnavailableWithoutThePassword) {
  auto port = std::to_string(closed_loopback_port());
  for (std::string url : {"postgres://patchbay:s3cret-pw@127.0.0.1:" + port + "/patchbay",
                          "postgresql://patchbay@127.0.0.1:" + port +
                              "/patchbay?password=s3cret-pw&connect_timeout=5"}) {
    auto opened = open_store(url);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, core::ErrorCode::Unavailable);
    EXPECT_NE(opened.error().message.find("127.0.0.1:" + port), std::string::npos)
        << opened.error().message;
    EXPECT_EQ(opened.error().message.find("s3cret"), std::string::npos) << opened.error().message;
  }
}

TEST(PostgresStoreUrlTest, MasksEveryPasswordSpelling) {
  EXPECT_EQ(pg::mask_password("postgres://u:p%40ss@h:5432/db"), "postgres://u:***@h:5432/db");
  EXPECT_EQ(pg::mask_password("postgresql://u:a@b@h/db?sslmode=disable&password=zz&x=1"),
            "postgresql://u:***@h/db?sslmode=disable&password=***&x=1");
  EXPECT_EQ(pg::mask_password("postgres://h:5432/db?password=zz"),
            "postgres://h:5432/db?password=***");
  EXPECT_EQ(pg::mask_password("postgres://u@h:5432/db"), "postgres://u@h:5432/db");
  EXPECT_EQ(pg::mask_password("postgres://h/db?old_password=x"), "postgres://h/db?old_password=x");
}

TEST(PostgresStoreUrlTest, PoolParametersAreOursAndChecked) {
  auto settings = pg::parse_url("postgres://u@h/db?pool_size=3&sslmode=disable&pool_wait_ms=50");
  ASSERT_TRUE(settings.has_value()) << settings.error().message;
  EXPECT_EQ(settings->conninfo, "postgres://u@h/db?sslmode=disable");
  EXPECT_EQ(settings->pool_size, 3u);
  EXPECT_EQ(settings->pool_wait, std::chrono::milliseconds(50));
  EXPECT_EQ(pg::parse_url("postgres://u@h/db")->pool_size, kDefaultPoolSize);
  for (const char* bad : {"postgres://u@h/db?pool_size=0", "postgres://u@h/db?pool_size=abc",
                          "postgres://u@h/db?pool_size=100000", "postgres://u@h/db?pool_wait_ms=-1",
                          "postgres://u@h/db?nonsense=1"}) {
    auto opened = open_store(bad);
    ASSERT_FALSE(opened.has_value()) << bad;
    EXPECT_EQ(opened.error().code, core::ErrorCode::InvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace patchbay::store
