#include "server/service_support.hpp"

#include "connectors/registry.hpp"
#include "secrets/secrets.hpp"

namespace patchbay::server::support {

namespace json = boost::json;

core::Result<core::ConnectorDefinition> stored_definition(const store::ConnectorRecord& record) {
  auto def = core::parse_connector_definition(record.definition);
  if (!def) {
    return core::Error{core::ErrorCode::Internal,
                       "the stored definition of connector '" + record.name +
                           "' does not parse: " + def.error().message,
                       def.error().details};
  }
  return def;
}

std::vector<core::FieldSpec> connection_fields(const core::ConnectorDefinition& definition) {
  if (definition.execution_model == core::ExecutionModel::BuiltIn) {
    if (const auto* builtin = connectors::find_builtin(definition.type)) {
      return builtin->config_schema.connection_config;
    }
  }
  return definition.config_schema.connection_config;
}

core::FieldSpec signing_secret_field() {
  core::FieldSpec field;
  field.name = std::string(kSigningSecretKey);
  field.secret = true;
  return field;
}

std::vector<core::FieldSpec> sealed_fields(const core::ConnectorDefinition& definition) {
  auto fields = connection_fields(definition);
  if (definition.execution_model == core::ExecutionModel::External) {
    fields.push_back(signing_secret_field());
  }
  return fields;
}

json::object connector_view(const store::ConnectorRecord& record,
                            const std::vector<core::FieldSpec>& fields) {
  json::object view;
  view["id"] = record.id;
  for (const auto& [key, value] : record.definition) view[key] = value;
  auto config = secrets::mask_config(fields, record.config);
  if (auto* signing = config.if_contains(kSigningSecretKey)) {
    view["signingSecret"] = json::object{{"set", signing->as_object().at("set")}};
    config.erase(kSigningSecretKey);
  }
  view["config"] = std::move(config);
  view["revision"] = record.revision;
  view["createdAt"] = record.created_at;
  view["updatedAt"] = record.updated_at;
  return view;
}

core::Error invalid_field(std::string path, std::string message) {
  return core::validation_error({{std::move(path), std::move(message)}}, "invalid request");
}

core::Error invalid(std::string message) {
  return core::Error{core::ErrorCode::InvalidArgument, std::move(message), {}};
}

core::Result<const json::object*> body_object(const json::value& body, std::string_view what) {
  if (body.is_null()) return invalid("the request needs a JSON body: " + std::string(what));
  const auto* obj = body.if_object();
  if (obj == nullptr) return invalid("the body must be a JSON object: " + std::string(what));
  return obj;
}

}  // namespace patchbay::server::support
