// ConnectorService: executions. A connector's runnable form (parsed definition,
// script handlers attached) is cached per revision; its sealed config is opened
// for each execution only, and every secret value is redacted from the result
// and the params before they are answered or recorded.

#include <algorithm>
#include <chrono>

#include <boost/json/serialize.hpp>

#include "connectors/runnable.hpp"
#include "dispatch/dispatch.hpp"
#include "external/external.hpp"
#include "server/agent_hub.hpp"
#include "server/connector_service.hpp"
#include "server/execution_recorder.hpp"
#include "server/metrics.hpp"
#include "server/service_support.hpp"

namespace patchbay::server {

namespace json = boost::json;

struct ConnectorService::Runtime {
  std::int64_t revision = 0;
  std::shared_ptr<const core::ConnectorDefinition> definition;
  // The stored definition as the agent gets it, and the agent it names.
  boost::json::object definition_json;
  std::string definition_hash;  // agent::definition_hash(definition_json)
  std::string agent;
  std::int64_t agent_timeout_ms = 0;
  std::vector<core::FieldSpec> fields;
  // Set when this server cannot run the connector's execution model.
  std::string unsupported;
};

namespace {

using support::invalid;
using support::invalid_field;

// How long an agent may take when the connector's limits.wallTimeMs does not say.
constexpr std::int64_t kAgentDefaultTimeoutMs = 30'000;

constexpr std::string_view kRequestKeys[] = {"command", "params", "variables",
                                             "mock",    "stepId", "runId"};

void redact_strings(json::value& value, const std::vector<std::string>& secrets) {
  if (auto* text = value.if_string()) {
    auto redacted = secrets::redact(*text, secrets);
    if (redacted != *text) *text = redacted;
  } else if (auto* array = value.if_array()) {
    for (auto& item : *array) redact_strings(item, secrets);
  } else if (auto* object = value.if_object()) {
    for (auto& entry : *object) redact_strings(entry.value(), secrets);
  }
}

// Plaintext values of the secret connection fields, for redaction.
std::vector<std::string> secret_values(const std::vector<core::FieldSpec>& fields,
                                       const json::object& opened) {
  std::vector<std::string> out;
  for (const auto& field : fields) {
    if (!field.secret) continue;
    const auto* value = opened.if_contains(field.name);
    if (value == nullptr || value->is_null()) continue;
    out.push_back(value->is_string() ? std::string(value->get_string()) : json::serialize(*value));
  }
  return out;
}

core::Result<std::string> optional_string(const json::object& request, std::string_view key) {
  const auto* value = request.if_contains(key);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) return invalid_field(std::string(key), "must be a string");
  return std::string(value->get_string());
}

core::Result<json::object> optional_object(const json::object& request, std::string_view key) {
  const auto* value = request.if_contains(key);
  if (value == nullptr || value->is_null()) return json::object();
  if (!value->is_object()) return invalid_field(std::string(key), "must be an object");
  return value->get_object();
}

}  // namespace

core::Result<std::shared_ptr<const store::ConnectorRecord>> ConnectorService::record_for_execution(
    std::string_view id_or_name) {
  auto now = std::chrono::steady_clock::now();
  std::string key(id_or_name);
  {
    std::lock_guard lock(records_mutex_);
    if (auto found = records_.find(key);
        found != records_.end() && now - found->second.fetched < options_.record_cache_ttl) {
      return found->second.record;
    }
  }
  auto record = store_.get_connector(id_or_name);
  if (!record) return record.error();
  auto shared = std::make_shared<const store::ConnectorRecord>(std::move(*record));
  std::lock_guard lock(records_mutex_);
  if (records_.size() > 10'000) records_.clear();  // names that come and go; stay bounded
  records_[shared->id] = {shared, now};
  records_[shared->name] = {shared, now};
  return shared;
}

void ConnectorService::forget(const store::ConnectorRecord& record) {
  std::lock_guard lock(records_mutex_);
  records_.erase(record.id);
  records_.erase(record.name);
}

core::Result<std::string> ConnectorService::signing_secret(const store::ConnectorRecord& record) {
  const auto* sealed = record.config.if_contains(support::kSigningSecretKey);
  if (sealed == nullptr) return std::string();
  json::object one{{support::kSigningSecretKey, *sealed}};
  if (auto opened =
          secrets::open_config(keyring_, record.id, {support::signing_secret_field()}, one);
      !opened) {
    return opened.error();
  }
  return std::string(one.at(support::kSigningSecretKey).as_string());
}

core::Result<json::object> ConnectorService::health(std::string_view id_or_name) {
  auto record = store_.get_connector(id_or_name);
  if (!record) return record.error();
  auto def = support::stored_definition(*record);
  if (!def) return def.error();
  json::object out{{"connector", record->name},
                   {"executionModel", core::to_string(def->execution_model)}};
  if (def->execution_model != core::ExecutionModel::External) {
    out["healthy"] = true;
    out["detail"] = "runs inside patchbay: there is no separate service to check";
    return out;
  }
  auto secret = signing_secret(*record);
  if (!secret) return secret.error();
  auto checked = external::check_health(
      {.url = def->endpoint_url, .signing_secret = std::move(*secret), .instance = def->name});
  for (auto& [key, value] : checked) out[key] = std::move(value);
  return out;
}

core::Result<std::shared_ptr<const ConnectorService::Runtime>> ConnectorService::runtime_for(
    const store::ConnectorRecord& record) {
  {
    std::lock_guard lock(runtimes_mutex_);
    if (auto found = runtimes_.find(record.id);
        found != runtimes_.end() && found->second->revision == record.revision) {
      return found->second;
    }
  }
  auto def = support::stored_definition(record);
  if (!def) return def.error();
  auto runtime = std::make_shared<Runtime>();
  runtime->revision = record.revision;
  runtime->fields = support::sealed_fields(*def);
  runtime->definition_json = record.definition;
  runtime->definition_hash = agent::definition_hash(record.definition);
  runtime->agent = def->agent;
  runtime->agent_timeout_ms = def->limits.wall_time_ms.value_or(kAgentDefaultTimeoutMs);
  connectors::RunnableOptions runnable_options{.script_limits = options_.script_limits};
  if (def->execution_model == core::ExecutionModel::External) {
    auto secret = signing_secret(record);
    if (!secret) return secret.error();
    runnable_options.signing_secret = std::move(*secret);
  }
  // A connector this server cannot run may still run on an agent: keep the
  // reason for the executions that do not go there.
  if (auto made = connectors::runnable(std::move(*def), runnable_options)) {
    runtime->definition = std::move(*made);
  } else {
    runtime->unsupported = made.error().message;
  }
  std::lock_guard lock(runtimes_mutex_);
  runtimes_[record.id] = runtime;
  return std::shared_ptr<const Runtime>(runtime);
}

core::Result<json::object> ConnectorService::run(const store::ConnectorRecord& record,
                                                 const json::object& request,
                                                 const std::string& actor) {
  for (const auto& entry : request) {
    if (std::find(std::begin(kRequestKeys), std::end(kRequestKeys), entry.key()) ==
        std::end(kRequestKeys)) {
      return invalid_field(std::string(entry.key()),
                           "is not a field of an execute request (command, params, variables, "
                           "mock, stepId, runId)");
    }
  }
  auto command = optional_string(request, "command");
  auto params = optional_object(request, "params");
  auto variables = optional_object(request, "variables");
  auto mock = optional_string(request, "mock");
  auto step_id = optional_string(request, "stepId");
  auto run_id = optional_string(request, "runId");
  if (!command) return command.error();
  if (!params) return params.error();
  if (!variables) return variables.error();
  if (!mock) return mock.error();
  if (!step_id) return step_id.error();
  if (!run_id) return run_id.error();
  if (params->contains("command")) {
    return invalid_field("params.command", "is reserved: name the command in \"command\"");
  }

  auto runtime = runtime_for(record);
  if (!runtime) return runtime.error();
  const auto& rt = **runtime;

  json::object opened = record.config;
  if (auto ok = secrets::open_config(keyring_, record.id, rt.fields, opened); !ok) {
    return ok.error();
  }
  auto secrets_in_use = secret_values(rt.fields, opened);
  std::string signing_secret;
  if (const auto* secret = opened.if_contains(support::kSigningSecretKey)) {
    if (secret->is_string()) signing_secret = secret->get_string();
    opened.erase(support::kSigningSecretKey);  // signs requests; never a connection field
  }

  core::ConnectorContext context;
  context.config = *params;
  if (!command->empty()) context.config["command"] = *command;
  context.connector_config = std::move(opened);
  context.variables = std::move(*variables);
  context.step_id = std::move(*step_id);
  context.run_id = std::move(*run_id);
  context.mock = std::move(*mock);
  std::string command_name = *command;
  if (command_name.empty() && rt.definition) command_name = rt.definition->default_command;

  store::ExecutionRecord execution;
  execution.id = store::new_id("x_");
  execution.started_at = store::now_rfc3339();
  auto started = std::chrono::steady_clock::now();
  auto agent = options_.agents ? options_.agents->route(rt.agent, record.name) : std::nullopt;
  core::ConnectorResult result;
  if (agent) {
    result = options_.agents->execute(
        *agent,
        agent::Command{.connector = record.name,
                       .definition_hash = rt.definition_hash,
                       .command = *command,
                       .params = *params,
                       .config = context.connector_config,
                       .variables = context.variables,
                       .step_id = context.step_id,
                       .run_id = context.run_id,
                       .mock = context.mock,
                       .timeout_ms = rt.agent_timeout_ms,
                       .signing_secret = signing_secret},
        rt.definition_json);
  } else if (rt.unsupported.empty()) {
    result = dispatch::execute_definition(*rt.definition, context, logger_);
  } else {
    result = core::failure_result(rt.unsupported);
  }
  auto elapsed = std::chrono::steady_clock::now() - started;

  const bool succeeded = result.success;
  json::value result_json = core::to_json(std::move(result));
  json::value recorded_params = *params;
  if (!secrets_in_use.empty()) {
    redact_strings(result_json, secrets_in_use);
    redact_strings(recorded_params, secrets_in_use);
  }
  if (const auto* spec =
          rt.definition ? rt.definition->config_schema.find_command(command_name) : nullptr) {
    for (const auto& field : spec->param_schema) {
      if (field.secret && recorded_params.get_object().contains(field.name)) {
        recorded_params.get_object()[field.name] = secrets::kMask;
      }
    }
  }

  execution.connector_id = record.id;
  execution.command = command_name;
  execution.params = std::move(recorded_params.get_object());
  execution.result = std::move(result_json.get_object());
  execution.success = succeeded;
  execution.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  execution.step_id = context.step_id;
  execution.run_id = context.run_id;
  execution.actor = actor;
  store::AuditEntry entry{
      .actor = actor,
      .action = "connector.execute",
      .target = record.name,
      .details = {
          {"executionId", execution.id}, {"command", command_name}, {"success", succeeded}}};
  if (auto recorded = recorder_.record(execution, std::move(entry)); !recorded) {
    return recorded.error();
  }
  metrics_.count_execution(record.name, command_name, succeeded,
                           std::chrono::duration<double>(elapsed).count());

  // The recorder gives the record back as written: answer with its result.
  json::object out = std::move(execution.result);
  out["executionId"] = execution.id;
  out["durationMs"] = execution.duration_ms;
  return out;
}

core::Result<json::object> ConnectorService::execute(std::string_view id_or_name,
                                                     const json::value& body,
                                                     const std::string& actor) {
  const json::object empty;
  const json::object* request = &empty;
  if (!body.is_null()) {
    auto obj = support::body_object(body, "{command, params, variables}");
    if (!obj) return obj.error();
    request = *obj;
  }
  auto record = record_for_execution(id_or_name);
  if (!record) return record.error();
  return run(**record, *request, actor);
}

core::Result<json::object> ConnectorService::test(std::string_view id_or_name,
                                                  const std::string& actor) {
  auto record = record_for_execution(id_or_name);
  if (!record) return record.error();
  auto runtime = runtime_for(**record);
  if (!runtime) return runtime.error();
  const auto& def = (*runtime)->definition;
  if (def && def->config_schema.find_command("test") == nullptr) {
    return core::Error{core::ErrorCode::InvalidArgument,
                       "connector '" + (*record)->name +
                           "' has no 'test' command; its commands: " + def->command_list(),
                       {}};
  }
  return run(**record, json::object{{"command", "test"}}, actor);
}

core::Result<json::object> ConnectorService::get_execution(std::string_view id) {
  auto record = store_.get_execution(id);
  if (!record) return record.error();
  return json::object{{"id", record->id},
                      {"connectorId", record->connector_id},
                      {"command", record->command},
                      {"params", record->params},
                      {"result", record->result},
                      {"success", record->success},
                      {"startedAt", record->started_at},
                      {"durationMs", record->duration_ms},
                      {"stepId", record->step_id},
                      {"runId", record->run_id},
                      {"actor", record->actor}};
}

}  // namespace patchbay::server
