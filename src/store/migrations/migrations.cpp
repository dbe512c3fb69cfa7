#include "store/migrations/migrations.hpp"

namespace patchbay::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "connectors, connector types, executions, tokens, audit log",
       R"sql(
CREATE TABLE connectors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  config TEXT NOT NULL,
  revision INTEGER NOT NULL,
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
  duration_ms INTEGER NOT NULL,
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
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL))sql",
       R"sql(
CREATE TABLE connectors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  config TEXT NOT NULL,
  revision BIGINT NOT NULL,
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
  duration_ms BIGINT NOT NULL,
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
  seq BIGSERIAL PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL))sql"},
  };
  return all;
}

}  // namespace patchbay::store
