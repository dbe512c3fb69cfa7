#pragma once
// ConnectorDefinition: a connector as seed 001's JSON describes it (name, version,
// executionModel, configSchema with connectionConfig and commands, ...), plus the
// in-process parts a built-in attaches (handlers, mock scenarios, errorMap).
//
// parse_connector_definition() reads the seed's JSON shape and reports every
// problem as {path, message}; to_json() writes it back in canonical form: keys
// holding their default (false, "", absent) are omitted, `params` is always written.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/connector_context.hpp"
#include "core/error.hpp"
#include "core/field_spec.hpp"
#include "core/result.hpp"

namespace patchbay::core {

// The longest name of a connector, type, command, connection field or param.
inline constexpr std::size_t kMaxNameLength = 100;

enum class ExecutionModel { BuiltIn, Script, Oas, External };

// Wire spelling: "built_in", "script", "oas", "external".
std::string_view to_string(ExecutionModel model);
std::optional<ExecutionModel> parse_execution_model(std::string_view text);

// An in-code mock scenario: a canned outcome under a name ("default", "empty").
struct MockScenario {
  std::string name;
  CommandHandler run;
};

struct CommandSpec {
  std::string name;
  std::string description;
  // Param names in declaration order ("params").
  std::vector<std::string> params;
  // Typed param specs ("paramSchema"); a listed param without one accepts any value.
  std::vector<FieldSpec> param_schema;
  // Declarative output names ("outputs"); metadata only, absent when not declared.
  std::optional<std::vector<std::string>> outputs;
  bool deprecated = false;
  std::string deprecated_message;
  std::string added_in_version;

  // In-process parts; not part of the JSON. A command without a handler is run by
  // its execution model's runner (script sandbox, external service, agent).
  CommandHandler handler;
  std::vector<MockScenario> mocks;

  const FieldSpec* find_param_spec(std::string_view param) const;
  const MockScenario* find_mock(std::string_view scenario) const;
};

struct ConfigSchema {
  std::vector<FieldSpec> connection_config;  // "connectionConfig"
  std::vector<CommandSpec> commands;         // "commands", in declaration order

  const CommandSpec* find_command(std::string_view name) const;
  const FieldSpec* find_connection_field(std::string_view name) const;
  bool empty() const { return connection_config.empty() && commands.empty(); }
};

// Per-connector execution limits ("limits"); absent members keep the defaults of
// the execution model (for scripts: script::ScriptLimits).
struct ExecutionLimits {
  std::optional<std::int64_t> wall_time_ms;    // "wallTimeMs", 1..300000
  std::optional<std::int64_t> cpu_time_ms;     // "cpuTimeMs", 1..60000
  std::optional<std::int64_t> heap_mib;        // "heapMiB", 1..1024
  std::optional<std::int64_t> max_http_calls;  // "maxHttpCalls", 0..10000

  bool empty() const { return !wall_time_ms && !cpu_time_ms && !heap_mib && !max_http_calls; }
};

struct ConnectorDefinition {
  std::string name;
  // The registered handler a built_in instance uses; other models name themselves.
  std::string type;
  std::string version = "1.0.0";
  std::string description;
  std::string category;
  std::vector<std::string> tags;
  ExecutionModel execution_model = ExecutionModel::BuiltIn;
  ConfigSchema config_schema;
  // Command to run when the step config has no "command".
  std::string default_command;
  // Reserved for the http and delay built-ins: their type row carries an empty
  // configSchema so the UI uses dedicated step editors.
  bool legacy_commandless_ui = false;
  std::string script_source;  // script and oas models
  std::string endpoint_url;   // external model
  // The on-premise agent (its agentId) every command of this connector runs on;
  // empty: the server runs it, unless a connected agent claims the connector by name.
  std::string agent;
  // Maturity ("stable", "beta", "alpha") and the hosts it needs to reach, as
  // metadata for operators (written when set).
  std::string status;
  std::vector<std::string> egress;
  ExecutionLimits limits;

  // In-process: translates exceptions thrown by handlers into failures.
  ErrorMap error_map;

  // Names of all commands, comma-separated, for messages.
  std::string command_list() const;
};

// Reads a definition from seed 001's JSON shape. Every problem is reported with its
// path; the error's details hold {"errors": [{path, message}, ...]}.
Result<ConnectorDefinition> parse_connector_definition(const boost::json::value& json);
Result<ConfigSchema> parse_config_schema(const boost::json::value& json,
                                         const std::string& path = "configSchema");

// Problems a definition has however it was built (duplicate names, unknown
// defaultCommand, model-specific requirements). Empty when it is valid.
std::vector<FieldError> validate_definition(const ConnectorDefinition& definition);

// Agent ids: 1-64 characters of letters, digits, '.', '_' and '-'.
bool is_agent_id(std::string_view id);

boost::json::object to_json(const ConnectorDefinition& definition);
boost::json::object to_json(const ConfigSchema& schema);
boost::json::object to_json(const CommandSpec& command);

// The configSchema a connector type row carries: {} for legacyCommandlessUI
// connectors, the full schema otherwise.
boost::json::object type_row_schema(const ConnectorDefinition& definition);

}  // namespace patchbay::core
