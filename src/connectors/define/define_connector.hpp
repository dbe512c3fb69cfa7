#pragma once
// The define_connector framework: how a built-in connector is written.
//
//   struct WidgetConnection { std::string baseUrl; std::string apiKey; };
//   BOOST_DESCRIBE_STRUCT(WidgetConnection, (), (baseUrl, apiKey))
//   struct ListParams { std::optional<double> limit; };
//   BOOST_DESCRIBE_STRUCT(ListParams, (), (limit))
//
//   core::ConnectorDefinition make_widget() {
//     return define_connector({
//         .name = "widget",
//         .description = "Widget platform connector.",
//         .connection = {t::string("baseUrl").required(), t::secret("apiKey").required()},
//         .commands = {define_command<ListParams, WidgetConnection>("listWidgets", {
//             .description = "List widgets.",
//             .params = {t::number("limit").default_to(50)},
//             .outputs = {{"widgets", "total"}},
//             .handler = [](const auto& call) -> CommandOutcome { ... },
//         })},
//     });
//   }
//
// Params and Connection are structs described with BOOST_DESCRIBE_STRUCT (or
// json::object for untyped access). The dispatcher validates params and
// connection fields against the declared specs before the handler runs; the
// framework then converts them to the structs, so `call.params.limit` is a
// std::optional<double> and `call.connection.apiKey` a std::string.

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include "core/connector_definition.hpp"
#include "core/json.hpp"

namespace patchbay::connectors {

using core::CommandOutcome;
using core::fail;
using core::Failure;
using core::succeed;
using core::Success;
namespace json = boost::json;

// Typed field builders. Each returns a Field that converts to core::FieldSpec.
namespace t {

class Field {
 public:
  Field(std::string name, core::FieldType type) {
    spec_.name = std::move(name);
    spec_.type = type;
  }

  Field required() && {
    return set([](auto& s) { s.required = true; });
  }
  Field describe(std::string text) && {
    return set([&](auto& s) { s.description = std::move(text); });
  }
  Field label(std::string text) && {
    return set([&](auto& s) { s.label = std::move(text); });
  }
  Field default_to(json::value value) && {
    if (value.is_double()) value = core::number_value(value.get_double());
    return set([&](auto& s) { s.default_value = std::move(value); });
  }
  Field min(double value) && {
    return set([&](auto& s) { s.minimum = value; });
  }
  Field max(double value) && {
    return set([&](auto& s) { s.maximum = value; });
  }
  Field one_of(std::vector<json::value> values) && {
    return set([&](auto& s) { s.enum_values = std::move(values); });
  }

  operator core::FieldSpec() const& { return spec_; }         // NOLINT: builders convert implicitly
  operator core::FieldSpec() && { return std::move(spec_); }  // NOLINT

 private:
  template <class F>
  Field set(F&& apply) {
    apply(spec_);
    return std::move(*this);
  }
  friend Field secret(std::string name);
  friend Field select(std::string name, std::vector<json::value> options);

  core::FieldSpec spec_;
};

inline Field string(std::string name) { return {std::move(name), core::FieldType::String}; }
// A string that is encrypted at rest, masked in API output and redacted in logs.
inline Field secret(std::string name) {
  Field field(std::move(name), core::FieldType::String);
  field.spec_.secret = true;
  return field;
}
inline Field number(std::string name) { return {std::move(name), core::FieldType::Number}; }
inline Field integer(std::string name) { return {std::move(name), core::FieldType::Integer}; }
inline Field boolean(std::string name) { return {std::move(name), core::FieldType::Boolean}; }
inline Field date(std::string name) { return {std::move(name), core::FieldType::Date}; }
// One of `options` (scalars or {"value", "label"} objects).
inline Field select(std::string name, std::vector<json::value> options) {
  Field field(std::move(name), core::FieldType::Select);
  field.spec_.options = std::move(options);
  return field;
}
inline Field object(std::string name) { return {std::move(name), core::FieldType::Object}; }
inline Field array(std::string name) { return {std::move(name), core::FieldType::Array}; }
// Any JSON value, passed through unchecked.
inline Field raw(std::string name) { return {std::move(name), core::FieldType::Raw}; }

}  // namespace t

// What a typed handler receives. References stay valid for the call only.
template <class Params, class Connection>
struct Call {
  const Params& params;
  const Connection& connection;
  // The full context: config, connectorConfig, variables, stepId, runId.
  const core::ConnectorContext& context;
  core::Logger& logger;
  // The untyped call, for fields the structs do not declare.
  const core::CommandCall& raw;
};

template <class Params = json::object, class Connection = json::object>
struct CommandDef {
  using TypedCall = Call<Params, Connection>;
  using Handler = std::function<CommandOutcome(const TypedCall&)>;

  std::string description;
  std::vector<core::FieldSpec> params;
  std::optional<std::vector<std::string>> outputs;
  bool deprecated = false;
  std::string deprecated_message;
  std::string added_in_version;
  // In-code mock scenarios by name; "default" is the fallback.
  std::vector<std::pair<std::string, Handler>> mock;
  Handler handler;
};

namespace detail {

template <class T>
core::Result<T> convert(const json::object& object) {
  if constexpr (std::is_same_v<T, json::object>) {
    return object;
  } else {
    return core::from_object<T>(object);
  }
}

// Erases the types: converts params and connection, then calls `typed`.
template <class Params, class Connection>
core::CommandHandler erase(std::string command,
                           typename CommandDef<Params, Connection>::Handler typed) {
  return [command = std::move(command),
          typed = std::move(typed)](const core::CommandCall& call) -> CommandOutcome {
    auto params = convert<Params>(call.params);
    if (!params) {
      return fail({.error = "Command '" + command + "': params do not fit the handler's Params: " +
                            params.error().message});
    }
    auto connection = convert<Connection>(call.connection);
    if (!connection) {
      // Mock scenarios run without credentials by design; they get an empty Connection.
      if (!call.context.mock.empty()) {
        const Connection empty{};
        return typed(Call<Params, Connection>{*params, empty, call.context, call.logger, call});
      }
      return fail({.error = "Command '" + command +
                            "': connection config does not fit the handler's Connection: " +
                            connection.error().message});
    }
    return typed(Call<Params, Connection>{*params, *connection, call.context, call.logger, call});
  };
}

}  // namespace detail

template <class Params = json::object, class Connection = json::object>
core::CommandSpec define_command(std::string name, CommandDef<Params, Connection> def) {
  core::CommandSpec spec;
  spec.name = name;
  spec.description = std::move(def.description);
  for (auto& field : def.params) spec.params.push_back(field.name);
  spec.param_schema = std::move(def.params);
  spec.outputs = std::move(def.outputs);
  spec.deprecated = def.deprecated;
  spec.deprecated_message = std::move(def.deprecated_message);
  spec.added_in_version = std::move(def.added_in_version);
  for (auto& [scenario, run] : def.mock) {
    spec.mocks.push_back({scenario, detail::erase<Params, Connection>(name, std::move(run))});
  }
  if (def.handler) spec.handler = detail::erase<Params, Connection>(name, std::move(def.handler));
  return spec;
}

struct ConnectorSpec {
  std::string name;
  std::string version = "1.0.0";
  std::string description;
  std::string category;
  std::vector<std::string> tags;
  std::string status = "stable";
  // Hosts the connector talks to, e.g. "*.acme.example" or "any" for user-given URLs.
  std::vector<std::string> egress;
  std::vector<core::FieldSpec> connection;
  core::ErrorMap error_map;
  std::string default_command;
  bool legacy_commandless_ui = false;
  std::vector<core::CommandSpec> commands;
};

// Builds a built_in definition (type = name). Validity is checked once, when the
// registry loads the built-ins (see registry.hpp), and by each built-in's test.
core::ConnectorDefinition define_connector(ConnectorSpec spec);

}  // namespace patchbay::connectors
