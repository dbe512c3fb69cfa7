// ConnectorService: connector types, their version history and capabilities.
// PUT applies seed 001's versioning rules (core/schema_versioning.hpp).

#include "connectors/registry.hpp"
#include "core/schema_versioning.hpp"
#include "core/semver.hpp"
#include "server/connector_service.hpp"
#include "server/service_support.hpp"

namespace patchbay::server {
namespace {

namespace json = boost::json;
using support::invalid_field;

json::object type_view(const store::ConnectorTypeRecord& row) {
  return {{"id", row.name},
          {"name", row.name},
          {"version", row.version},
          {"configSchema", row.config_schema},
          {"builtIn", connectors::find_builtin(row.name) != nullptr},
          {"updatedAt", row.updated_at}};
}

// The full schema of a type: built-ins with a legacy (empty) type row still have
// commands, which capabilities must show.
core::Result<core::ConfigSchema> full_schema(const store::ConnectorTypeRecord& row) {
  if (const auto* builtin = connectors::find_builtin(row.name);
      builtin != nullptr && row.config_schema.empty()) {
    return builtin->config_schema;
  }
  auto schema = core::parse_config_schema(row.config_schema);
  if (!schema) {
    return core::Error{core::ErrorCode::Internal,
                       "the stored configSchema of type '" + row.name +
                           "' does not parse: " + schema.error().message,
                       {}};
  }
  return schema;
}

}  // namespace

core::Result<json::array> ConnectorService::list_types() {
  auto rows = store_.list_connector_types();
  if (!rows) return rows.error();
  json::array out;
  for (const auto& row : *rows) out.push_back(type_view(row));
  return out;
}

core::Result<json::object> ConnectorService::get_type(std::string_view name) {
  auto row = store_.get_connector_type(name);
  if (!row) return row.error();
  auto history = store_.connector_type_history(name);
  if (!history) return history.error();
  json::object out = type_view(*row);
  json::array versions;
  for (const auto& old : *history) {
    versions.push_back(json::object{{"version", old.version}, {"createdAt", old.updated_at}});
  }
  out["versions"] = std::move(versions);
  return out;
}

core::Result<json::object> ConnectorService::put_type(std::string_view name,
                                                      const json::value& body,
                                                      const std::string& actor) {
  auto obj =
      support::body_object(body, "{configSchema, version} or {configSchema, autoBump: true}");
  if (!obj) return obj.error();
  for (const auto& entry : **obj) {
    if (entry.key() != "configSchema" && entry.key() != "version" && entry.key() != "autoBump") {
      return invalid_field(std::string(entry.key()),
                           "is not a field of a type update (configSchema, version, autoBump)");
    }
  }
  const auto* schema_json = (*obj)->if_contains("configSchema");
  if (schema_json == nullptr) return invalid_field("configSchema", "is required");
  bool auto_bump = false;
  if (const auto* flag = (*obj)->if_contains("autoBump")) {
    if (!flag->is_bool()) return invalid_field("autoBump", "must be true or false");
    auto_bump = flag->get_bool();
  }
  auto row = store_.get_connector_type(name);
  if (!row) return row.error();
  auto old_schema = full_schema(*row);
  if (!old_schema) return old_schema.error();
  auto new_schema = core::parse_config_schema(*schema_json);
  if (!new_schema) return new_schema.error();
  auto old_version = core::Semver::parse(row->version);
  if (!old_version) {
    return core::Error{core::ErrorCode::Internal,
                       "the stored version of type '" + row->name + "' is not semver",
                       {}};
  }
  auto schema_diff = core::diff(*old_schema, *new_schema);

  core::Semver next = *old_version;
  if (auto_bump) {
    next = core::auto_bump(*old_version, schema_diff);
  } else {
    const auto* version = (*obj)->if_contains("version");
    if (version == nullptr || !version->is_string()) {
      return invalid_field("version",
                           "is required (or send \"autoBump\": true to let the server choose); "
                           "suggested: " +
                               core::version_floor(*old_version, schema_diff).to_string());
    }
    auto parsed = core::Semver::parse(version->get_string());
    if (!parsed) return invalid_field("version", parsed.error().message);
    if (auto ok = core::validate_bump(*old_version, *parsed, schema_diff); !ok) return ok.error();
    next = *parsed;
  }

  store::ConnectorTypeRecord updated{
      .name = row->name,
      .version = next.to_string(),
      .config_schema = schema_json->is_object() ? schema_json->get_object() : json::object{}};
  if (auto stored = store_.put_connector_type(updated); !stored) return stored.error();
  json::array reasons;
  for (const auto& change : schema_diff.changes) {
    reasons.push_back(
        json::object{{"bump", core::to_string(change.bump)}, {"reason", change.reason}});
  }
  if (auto written =
          store_.append_audit({.actor = actor,
                               .action = "connector_type.update",
                               .target = row->name,
                               .details = {{"from", row->version}, {"to", updated.version}}});
      !written) {
    return written.error();
  }
  auto fresh = store_.get_connector_type(name);
  if (!fresh) return fresh.error();
  json::object out = type_view(*fresh);
  out["previousVersion"] = row->version;
  out["requiredBump"] = core::to_string(schema_diff.required());
  out["changes"] = std::move(reasons);
  return out;
}

core::Result<json::object> ConnectorService::capabilities(std::string_view name) {
  auto row = store_.get_connector_type(name);
  if (!row) return row.error();
  auto schema = full_schema(*row);
  if (!schema) return schema.error();
  json::array connection;
  for (const auto& field : schema->connection_config) {
    auto spec = core::to_json(field);
    spec["name"] = field.name;
    connection.push_back(std::move(spec));
  }
  json::array commands;
  json::array deprecated;
  for (const auto& command : schema->commands) {
    auto entry = core::to_json(command);
    entry["name"] = command.name;
    json::array params;
    for (const auto& param : command.params) {
      json::object spec;
      if (const auto* found = command.find_param_spec(param)) spec = core::to_json(*found);
      spec["name"] = param;
      params.push_back(std::move(spec));
    }
    entry["params"] = std::move(params);
    entry.erase("paramSchema");
    entry["deprecated"] = command.deprecated;
    if (command.deprecated) deprecated.push_back(json::string(command.name));
    commands.push_back(std::move(entry));
  }
  return json::object{{"type", row->name},
                      {"version", row->version},
                      {"connectionConfig", std::move(connection)},
                      {"commands", std::move(commands)},
                      {"deprecatedCommands", std::move(deprecated)}};
}

}  // namespace patchbay::server
