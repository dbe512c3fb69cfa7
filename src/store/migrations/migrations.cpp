#include "store/migrations/migrations.hpp"

namespace patchbay::store {
namespace {

// Both dialects share one text; only these spellings differ.
struct Spelling {
  std::string_view placeholder;
  std::string_view sqlite;
  std::string_view postgres;
};
constexpr Spelling kSpellings[] = {
    {"{BIGINT}", "INTEGER", "BIGINT"},
    {"{SERIAL_KEY}", "INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY"},
};

std::string render(std::string_view text, Dialect dialect) {
  std::string out(text);
  for (const auto& s : kSpellings) {
    auto with = dialect == Dialect::Sqlite ? s.sqlite : s.postgres;
    for (auto at = out.find(s.placeholder); at != std::string::npos;
         at = out.find(s.placeholder, at + with.size())) {
      out.replace(at, s.placeholder.size(), with);
    }
  }
  return out;
}

struct Step {
  int version;
  std::string_view description;
  std::string_view sql;
};

constexpr Step kSteps[] = {
    {1, "connectors, connector types, executions, tokens, audit log",
     R"sql(
CREATE TABLE connectors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  config TEXT NOT NULL,
  revision {BIGINT} NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE connector_types (
  name TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  config_schema TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE connector_type_versions (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  config_schema TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (name, version));
CREATE TABLE executions (
  id TEXT PRIMARY KEY,
  connector_id TEXT NOT NULL,
  command TEXT NOT NULL,
  params TEXT NOT NULL,
  result TEXT NOT NULL,
  success INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  duration_ms {BIGINT} NOT NULL,
  step_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  actor TEXT NOT NULL);
CREATE INDEX executions_by_connector ON executions (connector_id, started_at);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT);
CREATE TABLE audit_log (
  seq {SERIAL_KEY},
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL))sql"},
};

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = [] {
    std::vector<Migration> out;
    for (const auto& step : kSteps) {
      out.push_back({step.version, step.description, render(step.sql, Dialect::Sqlite),
                     render(step.sql, Dialect::Postgres)});
    }
    return out;
  }();
  return all;
}

}  // namespace patchbay::store
