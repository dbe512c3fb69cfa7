// The store contract, run against every implementation (SQLite now).

#include "store/store.hpp"

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/json.hpp"
#include "store/migrations/migrations.hpp"
#include "support/files.hpp"

namespace patchbay::store {
namespace {

namespace json = boost::json;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open(); }
  std::unique_ptr<Store> open() {
    auto opened = open_store(url());
    EXPECT_TRUE(opened.has_value()) << (opened ? "" : opened.error().message);
    return opened ? std::move(*opened) : nullptr;
  }
  std::string url() const { return "sqlite:" + (dir_.path() / "patchbay.db").string(); }
  ConnectorRecord connector(std::string name) {
    return ConnectorRecord{.name = std::move(name),
                           .definition = {{"executionModel", "script"}},
                           .config = {{"baseUrl", "https://x"}}};
  }
  test::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, MigratesOnceAndDescribesItself) {
  EXPECT_EQ(*store_->schema_version(), 1);
  store_.reset();
  store_ = open();
  EXPECT_EQ(*store_->schema_version(), 1);
  EXPECT_EQ(store_->describe(), url());
}

TEST_F(StoreTest, ConnectorsCreateReadUpdateDelete) {
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

TEST_F(StoreTest, ConnectorTypesKeepTheirHistory) {
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

TEST_F(StoreTest, ExecutionsAreRecordedWhole) {
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

TEST_F(StoreTest, TokensAreFoundByHashAndRevoked) {
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

TEST_F(StoreTest, AuditLogListsNewestFirst) {
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

TEST_F(StoreTest, DataSurvivesReopening) {
  ASSERT_TRUE(store_->create_connector(connector("kept")).has_value());
  store_.reset();
  store_ = open();
  EXPECT_TRUE(store_->get_connector("kept").has_value());
}

TEST_F(StoreTest, ConcurrentWritersAllLand) {
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

TEST_F(StoreTest, KillNineLosesNoCommittedWrite) {
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
