// ConnectorService: create, read, update and delete connectors; seeding at boot.
// Executions are in connector_execution.cpp, connector types in connector_types.cpp.

#include "server/connector_service.hpp"

#include <algorithm>
#include <set>

#include "connectors/registry.hpp"
#include "connectors/seeds/seeds.hpp"
#include "core/schema_versioning.hpp"
#include "core/semver.hpp"
#include "external/external.hpp"
#include "server/execution_recorder.hpp"
#include "server/metrics.hpp"
#include "server/service_support.hpp"

namespace patchbay::server {
namespace {

namespace json = boost::json;
using support::invalid;
using support::invalid_field;

// Keys the API adds to a connector's view; sent back in an update they are
// ignored (revision is checked), so GET -> edit -> PUT works.
constexpr std::string_view kViewOnlyKeys[] = {"id", "createdAt", "updatedAt"};

// Checks a script (or generated oas script): it compiles, and every command
// has a function to run.
core::Result<void> check_script_commands(const core::ConnectorDefinition& def,
                                         const script::ScriptLimits& limits) {
  std::string filename = def.name + ".js";
  if (auto compiled = script::check_script(def.script_source, filename, limits); !compiled) {
    auto error = compiled.error();
    error.code = core::ErrorCode::InvalidDefinition;
    error.message = "scriptSource: " + error.message;
    return error;
  }
  auto functions = script::script_functions(def.script_source, limits);
  if (!functions) return functions.error();
  std::set<std::string> defined(functions->begin(), functions->end());
  std::vector<core::FieldError> missing;
  for (const auto& command : def.config_schema.commands) {
    if (!defined.contains(command.name)) {
      missing.push_back({"configSchema.commands." + command.name,
                         "has no function '" + command.name + "' in scriptSource"});
    }
  }
  if (missing.empty()) return {};
  std::string list;
  for (const auto& name : *functions) list += (list.empty() ? "" : ", ") + name;
  auto error = core::validation_error(std::move(missing), "commands without a function",
                                      core::ErrorCode::InvalidDefinition);
  error.message += "; the script defines: " + (list.empty() ? std::string("no functions") : list);
  return error;
}

bool looks_like_id(std::string_view name) {
  if (name.size() != 18 || !name.starts_with("c_")) return false;
  return std::all_of(name.begin() + 2, name.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Parses and checks a definition the way every create and update does.
core::Result<core::ConnectorDefinition> prepare_definition(const json::object& definition_json,
                                                           const script::ScriptLimits& limits) {
  auto def = core::parse_connector_definition(definition_json);
  if (!def) return def.error();
  if (looks_like_id(def->name)) {
    // `:id` accepts ids and names: a name shaped like an id would be ambiguous.
    return invalid_field(
        "name", "'" + def->name + "' has the form of a connector id (c_ and 16 hex digits)");
  }
  if (def->type.empty()) def->type = def->name;
  if (auto problems = core::validate_definition(*def); !problems.empty()) {
    return core::validation_error(std::move(problems), "invalid connector definition");
  }
  switch (def->execution_model) {
    case core::ExecutionModel::BuiltIn: {
      const auto* builtin = connectors::find_builtin(def->type);
      if (builtin == nullptr) {
        return invalid_field("type", "'" + def->type +
                                         "' is not a registered built-in handler; registered: " +
                                         connectors::builtin_names());
      }
      // The handler decides the schema: a client-sent copy could drift from it.
      def->config_schema = builtin->config_schema;
      def->default_command = builtin->default_command;
      def->legacy_commandless_ui = builtin->legacy_commandless_ui;
      break;
    }
    case core::ExecutionModel::Script:
    case core::ExecutionModel::Oas:
      if (def->script_source.empty()) {
        return invalid_field(
            "scriptSource", "is required for " +
                                std::string(core::to_string(def->execution_model)) + " connectors");
      }
      if (auto checked = check_script_commands(*def, limits); !checked) return checked.error();
      break;
    case core::ExecutionModel::External:
      break;
  }
  return def;
}

// Connection config as sent: an object whose keys are declared connection fields
// with values of the declared types (coerced losslessly). Secret fields may carry
// the mask (kept on update).
core::Result<json::object> check_config(const std::vector<core::FieldSpec>& fields,
                                        const json::value* sent) {
  json::object config;
  if (sent == nullptr || sent->is_null()) return config;
  if (!sent->is_object()) return invalid_field("config", "must be an object of connection fields");
  std::vector<core::FieldError> problems;
  for (const auto& [key, value] : sent->get_object()) {
    std::string path = "config." + std::string(key);
    auto spec =
        std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.name == key; });
    if (spec == fields.end()) {
      std::string known;
      for (const auto& f : fields) known += (known.empty() ? "" : ", ") + f.name;
      problems.push_back(
          {path, "is not a connection field of this connector" +
                     (known.empty() ? std::string(" (it has none)") : "; fields: " + known)});
      continue;
    }
    bool masked = spec->secret && ((value.is_string() && value.get_string() == secrets::kMask) ||
                                   value.is_object());
    if (masked || value.is_null()) {
      config[key] = value;
      continue;
    }
    auto checked = core::check_field_value(*spec, value);
    if (!checked) {
      problems.push_back({path, checked.error().message});
      continue;
    }
    config[key] = std::move(*checked);
  }
  if (!problems.empty()) return core::validation_error(std::move(problems), "invalid config");
  return config;
}

struct SigningSecret {
  std::string value;  // empty: keep the stored one
  bool generated = false;
};

constexpr std::size_t kMinSigningSecret = 16;
constexpr std::size_t kMaxSigningSecret = 512;

// The signing secret a create (stored == nullptr) or an update sets: the one sent,
// a generated one when a new external connector has none, or "keep".
core::Result<SigningSecret> signing_secret_for(const core::ConnectorDefinition& def,
                                               const json::value& sent,
                                               const json::object* stored) {
  if (def.execution_model != core::ExecutionModel::External) {
    if (sent.is_null()) return SigningSecret{};
    return invalid_field("signingSecret", "only external connectors sign their requests");
  }
  bool masked = (sent.is_string() && sent.get_string() == secrets::kMask) || sent.is_object();
  bool have_stored = stored != nullptr && stored->contains(support::kSigningSecretKey);
  if (sent.is_null() || masked) {
    if (have_stored) return SigningSecret{};
    return SigningSecret{.value = external::generate_signing_secret(), .generated = true};
  }
  if (!sent.is_string() || sent.get_string().size() < kMinSigningSecret ||
      sent.get_string().size() > kMaxSigningSecret) {
    return invalid_field("signingSecret",
                         "must be a string of 16 to 512 characters (for example the output of "
                         "'openssl rand -hex 32'), or absent to have one generated");
  }
  return SigningSecret{.value = std::string(sent.get_string())};
}

// An external connector registered without a configSchema takes the one its
// service serves at /schema.
core::Result<void> schema_from_service(core::ConnectorDefinition& def,
                                       const std::string& signing_secret) {
  auto served = external::fetch_schema(
      {.url = def.endpoint_url, .signing_secret = signing_secret, .instance = def.name});
  if (!served) {
    if (served.error().code != core::ErrorCode::NotFound) return served.error();
    return core::validation_error(
        {{"configSchema", "is required: none was sent and " + served.error().message}},
        "an external connector needs a configSchema", core::ErrorCode::InvalidDefinition);
  }
  auto schema = core::parse_config_schema(json::value(std::move(*served)));
  if (!schema) {
    auto error = schema.error();
    error.code = core::ErrorCode::InvalidDefinition;
    error.message = "the configSchema the service serves at /schema is invalid: " + error.message;
    return error;
  }
  def.config_schema = std::move(*schema);
  if (auto problems = core::validate_definition(def); !problems.empty()) {
    return core::validation_error(std::move(problems),
                                  "the configSchema the service serves at /schema is invalid",
                                  core::ErrorCode::InvalidDefinition);
  }
  return {};
}

// The type row a connector's type gets when none exists yet.
store::ConnectorTypeRecord type_row(const core::ConnectorDefinition& def) {
  return {.name = def.type, .version = def.version, .config_schema = core::type_row_schema(def)};
}

}  // namespace

ConnectorService::ConnectorService(store::Store& store, const secrets::Keyring& keyring,
                                   ExecutionRecorder& recorder, Metrics& metrics,
                                   core::Logger& logger, ServiceOptions options)
    : store_(store),
      keyring_(keyring),
      recorder_(recorder),
      metrics_(metrics),
      logger_(logger),
      options_(std::move(options)) {}

ConnectorService::~ConnectorService() = default;

core::Result<void> ConnectorService::audit(const std::string& actor, std::string action,
                                           std::string target, json::object details) {
  return store_.append_audit(store::AuditEntry{.actor = actor,
                                               .action = std::move(action),
                                               .target = std::move(target),
                                               .details = std::move(details)});
}

core::Result<json::object> ConnectorService::create(const json::value& body,
                                                    const std::string& actor) {
  auto obj = support::body_object(body, "a connector definition");
  if (!obj) return obj.error();
  json::object definition_json = **obj;
  json::value sent_config;
  if (auto* config = definition_json.if_contains("config")) {
    sent_config = *config;
    definition_json.erase("config");
  }
  // A parse-oas draft is posted as it came, import warnings included; they are
  // not part of a definition.
  definition_json.erase("warnings");
  json::value sent_secret;
  if (auto* secret = definition_json.if_contains("signingSecret")) {
    sent_secret = *secret;
    definition_json.erase("signingSecret");
  }
  auto def = prepare_definition(definition_json, options_.script_limits);
  if (!def) return def.error();
  auto signing_secret = signing_secret_for(*def, sent_secret, nullptr);
  if (!signing_secret) return signing_secret.error();
  bool generated_secret = signing_secret->generated;
  if (def->execution_model == core::ExecutionModel::External && def->config_schema.empty()) {
    if (auto fetched = schema_from_service(*def, signing_secret->value); !fetched) {
      return fetched.error();
    }
  }
  auto config = check_config(support::connection_fields(*def), &sent_config);
  if (!config) return config.error();
  auto fields = support::sealed_fields(*def);
  // A mask in a create keeps nothing: there is no stored value yet.
  *config = secrets::merge_update(fields, {}, *config);
  if (!signing_secret->value.empty()) {
    (*config)[support::kSigningSecretKey] = signing_secret->value;
  }

  store::ConnectorRecord record{
      .id = store::new_id("c_"), .name = def->name, .definition = core::to_json(*def)};
  secrets::seal_config(keyring_, record.id, fields, *config);
  record.config = std::move(*config);
  auto created = store_.create_connector(std::move(record));
  if (!created) return created.error();
  if (auto existing = store_.get_connector_type(def->type);
      !existing && existing.error().code == core::ErrorCode::NotFound) {
    if (auto stored = store_.put_connector_type(type_row(*def)); !stored) return stored.error();
  }
  if (auto written = audit(actor, "connector.create", created->name, {{"id", created->id}});
      !written) {
    return written.error();
  }
  logger_.info("connector created",
               {{"connector", created->name}, {"id", created->id}, {"actor", actor}});
  auto view = support::connector_view(*created, fields);
  // A secret patchbay made up is shown this once: the service needs it too.
  if (generated_secret) view["signingSecret"] = signing_secret->value;
  return view;
}

core::Result<json::object> ConnectorService::get(std::string_view id_or_name) {
  auto record = store_.get_connector(id_or_name);
  if (!record) return record.error();
  auto def = support::stored_definition(*record);
  if (!def) return def.error();
  return support::connector_view(*record, support::sealed_fields(*def));
}

core::Result<json::array> ConnectorService::list() {
  auto records = store_.list_connectors();
  if (!records) return records.error();
  json::array out;
  out.reserve(records->size());
  for (const auto& record : *records) {
    auto def = support::stored_definition(record);
    if (!def) return def.error();
    out.push_back(support::connector_view(record, support::sealed_fields(*def)));
  }
  return out;
}

core::Result<json::object> ConnectorService::update(std::string_view id_or_name,
                                                    const json::value& body,
                                                    const std::string& actor) {
  auto obj = support::body_object(body, "the connector fields to change");
  if (!obj) return obj.error();
  auto record = store_.get_connector(id_or_name);
  if (!record) return record.error();
  auto old_def = support::stored_definition(*record);
  if (!old_def) return old_def.error();

  json::object definition_json = record->definition;
  const json::value* sent_config = nullptr;
  json::value sent_secret;
  bool auto_bump = false;
  for (const auto& [key, value] : **obj) {
    if (key == "config") {
      sent_config = &value;
    } else if (key == "signingSecret") {
      sent_secret = value;
    } else if (key == "revision") {
      if (!value.is_int64() || value.get_int64() != record->revision) {
        return core::Error{core::ErrorCode::Conflict,
                           "connector '" + record->name + "' is at revision " +
                               std::to_string(record->revision) +
                               "; read it again and reapply your change",
                           json::object{{"revision", record->revision}}};
      }
    } else if (key == "autoBump") {
      if (!value.is_bool()) return invalid_field("autoBump", "must be true or false");
      auto_bump = value.get_bool();
    } else if (std::find(std::begin(kViewOnlyKeys), std::end(kViewOnlyKeys), key) ==
               std::end(kViewOnlyKeys)) {
      definition_json[key] = value;
    }
  }
  auto def = prepare_definition(definition_json, options_.script_limits);
  if (!def) return def.error();
  if (def->execution_model != old_def->execution_model) {
    return invalid_field("executionModel",
                         "cannot change from " +
                             std::string(core::to_string(old_def->execution_model)) +
                             "; create a new connector instead");
  }
  auto schema_diff = core::diff(old_def->config_schema, def->config_schema);
  if (schema_diff.required() != core::Bump::None) {
    auto old_version = core::Semver::parse(old_def->version);
    auto new_version = core::Semver::parse(def->version);
    if (old_version && new_version) {
      if (auto_bump) {
        def->version = core::auto_bump(*old_version, schema_diff).to_string();
      } else if (auto ok = core::validate_bump(*old_version, *new_version, schema_diff); !ok) {
        return ok.error();
      }
    }
  }

  auto signing_secret = signing_secret_for(*def, sent_secret, &record->config);
  if (!signing_secret) return signing_secret.error();
  auto fields = support::sealed_fields(*def);
  store::ConnectorRecord next = *record;
  if (sent_config != nullptr) {
    auto config = check_config(support::connection_fields(*def), sent_config);
    if (!config) return config.error();
    next.config = secrets::merge_update(fields, record->config, *config);
  }
  next.config.erase(support::kSigningSecretKey);
  if (!signing_secret->value.empty()) {
    next.config[support::kSigningSecretKey] = signing_secret->value;
  } else if (const auto* stored = record->config.if_contains(support::kSigningSecretKey)) {
    next.config[support::kSigningSecretKey] = *stored;
  }
  secrets::seal_config(keyring_, next.id, fields, next.config);
  next.name = def->name;
  next.definition = core::to_json(*def);
  auto updated = store_.update_connector(std::move(next));
  if (!updated) return updated.error();
  forget(*record);
  if (schema_diff.required() != core::Bump::None) {
    if (auto stored = store_.put_connector_type(type_row(*def)); !stored) return stored.error();
  }
  if (auto written = audit(actor, "connector.update", updated->name,
                           {{"id", updated->id}, {"revision", updated->revision}});
      !written) {
    return written.error();
  }
  logger_.info("connector updated",
               {{"connector", updated->name}, {"revision", updated->revision}, {"actor", actor}});
  auto view = support::connector_view(*updated, fields);
  if (signing_secret->generated) view["signingSecret"] = signing_secret->value;
  return view;
}

core::Result<void> ConnectorService::remove(std::string_view id_or_name, const std::string& actor) {
  auto record = store_.get_connector(id_or_name);
  if (!record) return record.error();
  if (auto deleted = store_.delete_connector(record->id); !deleted) return deleted.error();
  forget(*record);
  {
    std::lock_guard lock(runtimes_mutex_);
    runtimes_.erase(record->id);
  }
  logger_.info("connector deleted", {{"connector", record->name}, {"actor", actor}});
  return audit(actor, "connector.delete", record->name, {{"id", record->id}});
}

core::Result<void> ConnectorService::seed(bool with_sample_connector) {
  for (const auto& builtin : connectors::builtin_definitions()) {
    auto row = type_row(builtin);
    if (row.name.empty()) row.name = builtin.name;  // built-ins may leave type unset
    auto stored = store_.get_connector_type(row.name);
    bool newer = true;
    if (stored) {
      auto have = core::Semver::parse(stored->version);
      auto ours = core::Semver::parse(builtin.version);
      newer = !have || !ours || *have < *ours;
    } else if (stored.error().code != core::ErrorCode::NotFound) {
      return stored.error();
    }
    if (!newer) continue;
    if (auto put = store_.put_connector_type(row); !put) return put.error();
  }
  if (!with_sample_connector) return {};
  auto sample = connectors::sample_script_connector();
  json::object body = core::to_json(sample);
  auto created = create(body, "system");
  if (!created && created.error().code != core::ErrorCode::Conflict) return created.error();
  return {};
}

}  // namespace patchbay::server
