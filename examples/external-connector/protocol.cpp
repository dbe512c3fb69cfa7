#include "protocol.hpp"

#include <cmath>
#include <limits>
#include <utility>

#include <boost/json/serialize.hpp>

#include "core/json.hpp"

namespace patchbay::example {
namespace {

HttpResponse json_response(int status, const json::object& body) {
  return HttpResponse{.status = status, .body = json::serialize(body)};
}

// A JSON number that is a whole number in int64 range (50, 50.0), else nullopt.
std::optional<std::int64_t> as_integer(const json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64() && value.get_uint64() <= std::numeric_limits<std::int64_t>::max()) {
    return static_cast<std::int64_t>(value.get_uint64());
  }
  // 2^63 is exact as a double; anything below it converts without overflow.
  constexpr double kLimit = 9223372036854775808.0;
  if (value.is_double() && std::trunc(value.get_double()) == value.get_double() &&
      value.get_double() >= -kLimit && value.get_double() < kLimit) {
    return static_cast<std::int64_t>(value.get_double());
  }
  return std::nullopt;
}

core::Result<json::value> check_field(const Field& field, const json::value& value) {
  auto problem = [&](const std::string& message) {
    return core::invalid_argument(field.name + ": " + message);
  };
  if (field.type == Field::Type::String) {
    if (!value.is_string()) return problem("expected a string, got " + core::json_preview(value));
    return value;
  }
  auto number = as_integer(value);
  if (!number) {
    return problem("expected an integer, got " + core::json_preview(value));
  }
  if (field.minimum && *number < *field.minimum) {
    return problem("must be at least " + std::to_string(*field.minimum) + ", got " +
                   std::to_string(*number));
  }
  if (field.maximum && *number > *field.maximum) {
    return problem("must be at most " + std::to_string(*field.maximum) + ", got " +
                   std::to_string(*number));
  }
  return json::value(*number);
}

json::object field_json(const Field& field) {
  json::object out;
  out["type"] = field.type == Field::Type::String ? "string" : "integer";
  if (field.required) out["required"] = true;
  if (field.secret) out["secret"] = true;
  if (!field.description.empty()) out["description"] = field.description;
  if (field.default_value) out["default"] = *field.default_value;
  if (field.minimum) out["minimum"] = *field.minimum;
  if (field.maximum) out["maximum"] = *field.maximum;
  return out;
}

}  // namespace

core::Result<Call> parse_call(std::string_view body) {
  auto parsed = core::parse_json(body);
  if (!parsed) {
    return core::invalid_argument("the request body is not JSON: " + parsed.error().message);
  }
  if (!parsed->is_object()) {
    return core::invalid_argument("the request body must be a JSON object, got " +
                                  core::json_preview(*parsed));
  }
  Call call;
  call.request = std::move(parsed->get_object());
  const json::value* version = call.request.if_contains("protocolVersion");
  if (version == nullptr || !version->is_string() || version->get_string() != kProtocolVersion) {
    return core::invalid_argument("unsupported protocolVersion " +
                                  (version ? json::serialize(*version) : "(missing)") +
                                  "; this service speaks " + std::string(kProtocolVersion));
  }
  const json::value* command = call.request.if_contains("command");
  if (command == nullptr || !command->is_string() || command->get_string().empty()) {
    return core::invalid_argument("command must be a non-empty string");
  }
  call.command = command->get_string();
  for (auto [name, slot] :
       {std::pair{"config", &call.config}, std::pair{"params", &call.params},
        std::pair{"variables", &call.variables}, std::pair{"metadata", &call.metadata}}) {
    const json::value* section = call.request.if_contains(name);
    if (section == nullptr || section->is_null()) continue;
    if (!section->is_object()) {
      return core::invalid_argument(std::string(name) + " must be an object, got " +
                                    core::json_preview(*section));
    }
    *slot = section->get_object();
  }
  return call;
}

HttpResponse succeed(json::value payload, json::object variables) {
  return json_response(
      200,
      {{"success", true}, {"payload", std::move(payload)}, {"variables", std::move(variables)}});
}

HttpResponse fail(std::string error, json::object diagnostics) {
  return json_response(
      200,
      {{"success", false}, {"error", std::move(error)}, {"diagnostics", std::move(diagnostics)}});
}

HttpResponse refuse(int status, std::string error) {
  return json_response(status, {{"success", false}, {"error", std::move(error)}});
}

core::Result<json::object> check_params(const std::vector<Field>& fields,
                                        const json::object& params) {
  json::object checked = params;
  for (const Field& field : fields) {
    const json::value* value = params.if_contains(field.name);
    // As in patchbay: absent, null and "" all count as not given.
    if (value == nullptr || value->is_null() ||
        (value->is_string() && value->get_string().empty())) {
      if (field.default_value) {
        checked[field.name] = *field.default_value;
      } else if (field.required) {
        return core::invalid_argument(field.name + ": required");
      }
      continue;
    }
    auto ok = check_field(field, *value);
    if (!ok) return ok.error();
    checked[field.name] = std::move(*ok);
  }
  return checked;
}

json::object config_schema(const std::vector<Field>& connection,
                           const std::vector<Command>& commands) {
  json::object connection_config;
  for (const Field& field : connection) connection_config[field.name] = field_json(field);
  json::object command_map;
  for (const Command& command : commands) {
    json::array params;
    json::object param_schema;
    for (const Field& field : command.params) {
      params.emplace_back(field.name);
      param_schema[field.name] = field_json(field);
    }
    json::array outputs;
    for (const auto& output : command.outputs) outputs.emplace_back(output);
    command_map[command.name] = {{"description", command.description},
                                 {"params", std::move(params)},
                                 {"paramSchema", std::move(param_schema)},
                                 {"outputs", std::move(outputs)}};
  }
  return {{"connectionConfig", std::move(connection_config)}, {"commands", std::move(command_map)}};
}

}  // namespace patchbay::example
