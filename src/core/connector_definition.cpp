#include "core/connector_definition.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <boost/json/array.hpp>
#include <boost/url/parse.hpp>

#include "core/json.hpp"
#include "core/json_reader.hpp"
#include "core/semver.hpp"

namespace patchbay::core {
namespace {

constexpr std::array kDefinitionKeys = {
    "name",         "type",        "description",  "version",        "executionModel",
    "category",     "tags",        "configSchema", "defaultCommand", "legacyCommandlessUI",
    "scriptSource", "endpointUrl", "status",       "egress",         "limits",
    "agent"};
constexpr std::array kSchemaKeys = {"connectionConfig", "commands"};
constexpr std::array kCommandKeys = {"params",        "description", "outputs",
                                     "paramSchema",   "deprecated",  "deprecatedMessage",
                                     "addedInVersion"};
constexpr std::array kStatuses = {"stable", "beta", "alpha"};

struct LimitKey {
  const char* name;
  std::optional<std::int64_t> ExecutionLimits::*member;
  std::int64_t min;
  std::int64_t max;
};
constexpr std::array kLimitKeys = {
    LimitKey{"wallTimeMs", &ExecutionLimits::wall_time_ms, 1, 300'000},
    LimitKey{"cpuTimeMs", &ExecutionLimits::cpu_time_ms, 1, 60'000},
    LimitKey{"heapMiB", &ExecutionLimits::heap_mib, 1, 1024},
    LimitKey{"maxHttpCalls", &ExecutionLimits::max_http_calls, 0, 10'000}};

ExecutionLimits parse_limits(const json::value& v, std::vector<FieldError>& errors) {
  ExecutionLimits limits;
  const auto* obj = v.if_object();
  if (obj == nullptr) {
    errors.push_back({"limits", "must be an object like {\"wallTimeMs\": 10000}"});
    return limits;
  }
  std::array<const char*, kLimitKeys.size()> names{};
  for (std::size_t i = 0; i < kLimitKeys.size(); ++i) names[i] = kLimitKeys[i].name;
  reject_unknown_keys(*obj, names, "limits", errors);
  for (const auto& key : kLimitKeys) {
    const auto* value = obj->if_contains(key.name);
    if (value == nullptr || value->is_null()) continue;
    auto number = value->is_number() ? value->to_number<double>() : -1.0;
    if (!value->is_number() || number != static_cast<double>(static_cast<std::int64_t>(number)) ||
        number < static_cast<double>(key.min) || number > static_cast<double>(key.max)) {
      errors.push_back({child_path("limits", key.name), "must be an integer from " +
                                                            std::to_string(key.min) + " to " +
                                                            std::to_string(key.max)});
      continue;
    }
    limits.*key.member = static_cast<std::int64_t>(number);
  }
  return limits;
}

std::vector<FieldSpec> parse_field_map(const json::value& v, const std::string& path,
                                       std::vector<FieldError>& errors) {
  std::vector<FieldSpec> out;
  const auto* obj = v.if_object();
  if (obj == nullptr) {
    errors.push_back({path, "must be an object mapping field names to specs, got " +
                                std::string(json_kind_name(v))});
    return out;
  }
  for (const auto& entry : *obj) {
    std::string name(entry.key());
    out.push_back(parse_field_spec(name, entry.value(), child_path(path, name), errors));
  }
  return out;
}

CommandSpec parse_command(std::string name, const json::value& v, const std::string& path,
                          std::vector<FieldError>& errors) {
  CommandSpec command;
  command.name = std::move(name);
  const auto* obj = v.if_object();
  if (obj == nullptr) {
    errors.push_back({path,
                      "must be an object like {\"params\": [], \"description\": \"...\"}, "
                      "got " +
                          std::string(json_kind_name(v))});
    return command;
  }
  reject_unknown_keys(*obj, kCommandKeys, path, errors);
  command.description = read_string(*obj, "description", path, errors);
  if (const auto* schema = obj->if_contains("paramSchema"); schema && !schema->is_null()) {
    command.param_schema = parse_field_map(*schema, child_path(path, "paramSchema"), errors);
  }
  if (const auto* params = obj->if_contains("params"); params && !params->is_null()) {
    command.params = read_string_list(*params, child_path(path, "params"), errors);
  } else {
    for (const auto& spec : command.param_schema) command.params.push_back(spec.name);
  }
  if (const auto* outputs = obj->if_contains("outputs"); outputs && !outputs->is_null()) {
    command.outputs = read_string_list(*outputs, child_path(path, "outputs"), errors);
  }
  command.deprecated = read_bool(*obj, "deprecated", path, errors);
  command.deprecated_message = read_string(*obj, "deprecatedMessage", path, errors);
  command.added_in_version = read_string(*obj, "addedInVersion", path, errors);
  return command;
}

ConfigSchema parse_schema(const json::value& v, const std::string& path,
                          std::vector<FieldError>& errors) {
  ConfigSchema schema;
  const auto* obj = v.if_object();
  if (obj == nullptr) {
    errors.push_back({path, "must be an object with connectionConfig and commands, got " +
                                std::string(json_kind_name(v))});
    return schema;
  }
  reject_unknown_keys(*obj, kSchemaKeys, path, errors);
  if (const auto* cc = obj->if_contains("connectionConfig"); cc && !cc->is_null()) {
    schema.connection_config = parse_field_map(*cc, child_path(path, "connectionConfig"), errors);
  }
  if (const auto* commands = obj->if_contains("commands"); commands && !commands->is_null()) {
    std::string commands_path = child_path(path, "commands");
    if (const auto* map = commands->if_object()) {
      for (const auto& entry : *map) {
        std::string name(entry.key());
        schema.commands.push_back(
            parse_command(name, entry.value(), child_path(commands_path, name), errors));
      }
    } else {
      errors.push_back({commands_path, "must be an object mapping command names to commands"});
    }
  }
  return schema;
}

bool is_connector_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// Command names double as JavaScript function names in script connectors.
bool is_command_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  auto start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
  };
  if (!start(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

bool is_field_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength &&
         std::none_of(name.begin(), name.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

void validate_fields(const std::vector<FieldSpec>& fields, const std::string& path,
                     std::vector<FieldError>& errors) {
  std::set<std::string_view> seen;
  for (const auto& field : fields) {
    std::string field_path = child_path(path, field.name);
    if (!is_field_name(field.name)) {
      errors.push_back({field_path, "field names must be 1-100 printable characters"});
    }
    if (!seen.insert(field.name).second) {
      errors.push_back({field_path, "is declared twice"});
    }
    validate_field_spec(field, field_path, errors);
  }
}

void validate_command(const CommandSpec& command, const std::string& path,
                      std::vector<FieldError>& errors) {
  if (!is_command_name(command.name)) {
    errors.push_back({path,
                      "command names must be identifiers (letters, digits, _ or $, not "
                      "starting with a digit), at most 100 characters"});
  }
  std::set<std::string_view> params;
  for (std::size_t i = 0; i < command.params.size(); ++i) {
    const auto& param = command.params[i];
    std::string param_path = index_path(child_path(path, "params"), i);
    if (!is_field_name(param)) {
      errors.push_back({param_path, "param names must be 1-100 printable characters"});
    } else if (param == "command") {
      errors.push_back(
          {param_path, "'command' is reserved: it selects the command in a step config"});
    }
    if (!params.insert(param).second) {
      errors.push_back({param_path, "'" + param + "' is listed twice"});
    }
  }
  validate_fields(command.param_schema, child_path(path, "paramSchema"), errors);
  for (const auto& spec : command.param_schema) {
    if (!params.contains(spec.name)) {
      errors.push_back({child_path(child_path(path, "paramSchema"), spec.name),
                        "'" + spec.name + "' is not listed in params"});
    }
    if (spec.secret) {
      errors.push_back({child_path(child_path(path, "paramSchema"), spec.name),
                        "params cannot be secret; put credentials in connectionConfig"});
    }
  }
  if (command.outputs) {
    std::set<std::string_view> outputs;
    for (std::size_t i = 0; i < command.outputs->size(); ++i) {
      const auto& output = (*command.outputs)[i];
      std::string output_path = index_path(child_path(path, "outputs"), i);
      if (output.empty()) errors.push_back({output_path, "must not be empty"});
      if (!outputs.insert(output).second) {
        errors.push_back({output_path, "'" + output + "' is listed twice"});
      }
    }
  }
  if (!command.added_in_version.empty()) {
    if (auto v = Semver::parse(command.added_in_version); !v) {
      errors.push_back({child_path(path, "addedInVersion"), v.error().message});
    }
  }
}

void validate_endpoint_url(const std::string& url, std::vector<FieldError>& errors) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    errors.push_back({"endpointUrl", "is not an absolute URL: " + parsed.error().message()});
    return;
  }
  auto scheme = parsed->scheme();
  if (scheme != "http" && scheme != "https") {
    errors.push_back({"endpointUrl", "must use http or https, not '" + std::string(scheme) + "'"});
  }
  if (parsed->host().empty()) errors.push_back({"endpointUrl", "has no host"});
  if (parsed->has_userinfo()) {
    errors.push_back({"endpointUrl", "must not carry credentials; use connection config"});
  }
}

}  // namespace

bool is_agent_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && is_connector_name(id);
}

std::string_view to_string(ExecutionModel model) {
  switch (model) {
    case ExecutionModel::BuiltIn:
      return "built_in";
    case ExecutionModel::Script:
      return "script";
    case ExecutionModel::Oas:
      return "oas";
    case ExecutionModel::External:
      return "external";
  }
  return "built_in";
}

std::optional<ExecutionModel> parse_execution_model(std::string_view text) {
  for (auto model : {ExecutionModel::BuiltIn, ExecutionModel::Script, ExecutionModel::Oas,
                     ExecutionModel::External}) {
    if (to_string(model) == text) return model;
  }
  return std::nullopt;
}

const FieldSpec* CommandSpec::find_param_spec(std::string_view param) const {
  for (const auto& spec : param_schema) {
    if (spec.name == param) return &spec;
  }
  return nullptr;
}

const MockScenario* CommandSpec::find_mock(std::string_view scenario) const {
  for (const auto& mock : mocks) {
    if (mock.name == scenario) return &mock;
  }
  return nullptr;
}

const CommandSpec* ConfigSchema::find_command(std::string_view name) const {
  for (const auto& command : commands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

const FieldSpec* ConfigSchema::find_connection_field(std::string_view name) const {
  for (const auto& field : connection_config) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

std::string ConnectorDefinition::command_list() const {
  std::string out;
  for (const auto& command : config_schema.commands) {
    if (!out.empty()) out += ", ";
    out += command.name;
  }
  return out.empty() ? "(none)" : out;
}

Result<ConfigSchema> parse_config_schema(const json::value& json, const std::string& path) {
  std::vector<FieldError> errors;
  ConfigSchema schema = parse_schema(json, path, errors);
  if (errors.empty()) {
    for (const auto& command : schema.commands) {
      validate_command(command, child_path(child_path(path, "commands"), command.name), errors);
    }
    validate_fields(schema.connection_config, child_path(path, "connectionConfig"), errors);
  }
  if (!errors.empty()) return validation_error(std::move(errors), "invalid configSchema");
  return schema;
}

Result<ConnectorDefinition> parse_connector_definition(const json::value& json) {
  std::vector<FieldError> errors;
  const auto* obj = json.if_object();
  if (obj == nullptr) {
    errors.push_back({"", "a connector definition must be a JSON object, got " +
                              std::string(json_kind_name(json))});
    return validation_error(std::move(errors), "invalid connector definition");
  }
  reject_unknown_keys(*obj, kDefinitionKeys, "", errors);

  ConnectorDefinition def;
  def.name = read_string(*obj, "name", "", errors);
  def.type = read_string(*obj, "type", "", errors);
  def.description = read_string(*obj, "description", "", errors);
  if (obj->contains("version")) def.version = read_string(*obj, "version", "", errors);
  def.category = read_string(*obj, "category", "", errors);
  if (const auto* tags = obj->if_contains("tags"); tags && !tags->is_null()) {
    def.tags = read_string_list(*tags, "tags", errors);
  }
  if (const auto* model = obj->if_contains("executionModel");
      model == nullptr || model->is_null()) {
    errors.push_back({"executionModel", "is required: built_in, script, oas or external"});
  } else if (!model->is_string() || !parse_execution_model(model->get_string())) {
    errors.push_back({"executionModel",
                      "must be built_in, script, oas or external, got " + json_preview(*model)});
  } else {
    def.execution_model = *parse_execution_model(model->get_string());
  }
  if (const auto* schema = obj->if_contains("configSchema"); schema && !schema->is_null()) {
    def.config_schema = parse_schema(*schema, "configSchema", errors);
  }
  def.default_command = read_string(*obj, "defaultCommand", "", errors);
  def.legacy_commandless_ui = read_bool(*obj, "legacyCommandlessUI", "", errors);
  def.script_source = read_string(*obj, "scriptSource", "", errors);
  def.endpoint_url = read_string(*obj, "endpointUrl", "", errors);
  def.agent = read_string(*obj, "agent", "", errors);
  def.status = read_string(*obj, "status", "", errors);
  if (const auto* egress = obj->if_contains("egress"); egress && !egress->is_null()) {
    def.egress = read_string_list(*egress, "egress", errors);
  }
  if (const auto* limits = obj->if_contains("limits"); limits && !limits->is_null()) {
    def.limits = parse_limits(*limits, errors);
  }

  // Semantic checks read the parsed structure, so they run on a clean parse only;
  // otherwise one typo would be reported twice.
  if (errors.empty()) errors = validate_definition(def);
  if (!errors.empty()) {
    return validation_error(std::move(errors), "invalid connector definition");
  }
  return def;
}

std::vector<FieldError> validate_definition(const ConnectorDefinition& def) {
  std::vector<FieldError> errors;
  if (def.name.empty()) {
    errors.push_back({"name", "is required"});
  } else if (!is_connector_name(def.name)) {
    errors.push_back({"name",
                      "must be 1-100 characters of letters, digits, '-', '_' or '.', "
                      "starting with a letter or digit"});
  }
  if (auto v = Semver::parse(def.version); !v) errors.push_back({"version", v.error().message});
  if (def.execution_model == ExecutionModel::BuiltIn && def.type.empty()) {
    errors.push_back({"type", "is required for built_in connectors: the registered type to use"});
  }
  if (!def.type.empty() && !is_connector_name(def.type)) {
    errors.push_back({"type", "must be 1-100 characters of letters, digits, '-', '_' or '.'"});
  }
  if ((def.execution_model == ExecutionModel::Script ||
       def.execution_model == ExecutionModel::Oas) &&
      def.script_source.empty()) {
    errors.push_back(
        {"scriptSource",
         "is required for " + std::string(to_string(def.execution_model)) + " connectors"});
  }
  if (def.execution_model == ExecutionModel::External) {
    if (def.endpoint_url.empty()) {
      errors.push_back({"endpointUrl", "is required for external connectors"});
    } else {
      validate_endpoint_url(def.endpoint_url, errors);
    }
  }
  if (!def.agent.empty() && !is_agent_id(def.agent)) {
    errors.push_back({"agent", "must be 1-64 characters of letters, digits, '.', '_' or '-'"});
  }
  if (!def.status.empty() && std::none_of(kStatuses.begin(), kStatuses.end(),
                                          [&](const char* s) { return def.status == s; })) {
    errors.push_back({"status", "must be stable, beta or alpha"});
  }
  for (std::size_t i = 0; i < def.tags.size(); ++i) {
    if (def.tags[i].empty()) errors.push_back({index_path("tags", i), "must not be empty"});
  }

  validate_fields(def.config_schema.connection_config, "configSchema.connectionConfig", errors);
  std::set<std::string_view> names;
  for (const auto& command : def.config_schema.commands) {
    std::string path = "configSchema.commands." + command.name;
    if (!names.insert(command.name).second) errors.push_back({path, "is declared twice"});
    validate_command(command, path, errors);
  }
  if (!def.default_command.empty() && !def.config_schema.find_command(def.default_command)) {
    errors.push_back({"defaultCommand", "'" + def.default_command +
                                            "' is not one of the commands: " + def.command_list()});
  }
  return errors;
}

json::object to_json(const CommandSpec& command) {
  json::object out;
  json::array params;
  for (const auto& p : command.params) params.emplace_back(p);
  out["params"] = std::move(params);
  if (!command.description.empty()) out["description"] = command.description;
  if (command.outputs) {
    json::array outputs;
    for (const auto& o : *command.outputs) outputs.emplace_back(o);
    out["outputs"] = std::move(outputs);
  }
  if (!command.param_schema.empty()) {
    json::object schema;
    for (const auto& spec : command.param_schema) schema[spec.name] = to_json(spec);
    out["paramSchema"] = std::move(schema);
  }
  if (command.deprecated) out["deprecated"] = true;
  if (!command.deprecated_message.empty()) out["deprecatedMessage"] = command.deprecated_message;
  if (!command.added_in_version.empty()) out["addedInVersion"] = command.added_in_version;
  return out;
}

json::object to_json(const ConfigSchema& schema) {
  json::object out;
  if (!schema.connection_config.empty()) {
    json::object connection;
    for (const auto& field : schema.connection_config) connection[field.name] = to_json(field);
    out["connectionConfig"] = std::move(connection);
  }
  if (!schema.commands.empty()) {
    json::object commands;
    for (const auto& command : schema.commands) commands[command.name] = to_json(command);
    out["commands"] = std::move(commands);
  }
  return out;
}

json::object to_json(const ConnectorDefinition& def) {
  json::object out;
  out["name"] = def.name;
  if (!def.type.empty()) out["type"] = def.type;
  if (!def.description.empty()) out["description"] = def.description;
  out["version"] = def.version;
  out["executionModel"] = to_string(def.execution_model);
  if (!def.category.empty()) out["category"] = def.category;
  if (!def.tags.empty()) {
    json::array tags;
    for (const auto& t : def.tags) tags.emplace_back(t);
    out["tags"] = std::move(tags);
  }
  if (!def.config_schema.empty()) out["configSchema"] = to_json(def.config_schema);
  if (!def.default_command.empty()) out["defaultCommand"] = def.default_command;
  if (def.legacy_commandless_ui) out["legacyCommandlessUI"] = true;
  if (!def.script_source.empty()) out["scriptSource"] = def.script_source;
  if (!def.endpoint_url.empty()) out["endpointUrl"] = def.endpoint_url;
  if (!def.agent.empty()) out["agent"] = def.agent;
  if (!def.status.empty()) out["status"] = def.status;
  if (!def.egress.empty()) {
    json::array egress;
    for (const auto& e : def.egress) egress.emplace_back(e);
    out["egress"] = std::move(egress);
  }
  if (!def.limits.empty()) {
    json::object limits;
    for (const auto& key : kLimitKeys) {
      if (def.limits.*key.member) limits[key.name] = *(def.limits.*key.member);
    }
    out["limits"] = std::move(limits);
  }
  return out;
}

json::object type_row_schema(const ConnectorDefinition& def) {
  if (def.legacy_commandless_ui) return {};
  return to_json(def.config_schema);
}

}  // namespace patchbay::core
