#include "connectors/define/define_connector.hpp"

namespace patchbay::connectors {

core::ConnectorDefinition define_connector(ConnectorSpec spec) {
  core::ConnectorDefinition def;
  def.type = spec.name;
  def.name = std::move(spec.name);
  def.version = std::move(spec.version);
  def.description = std::move(spec.description);
  def.category = std::move(spec.category);
  def.tags = std::move(spec.tags);
  def.status = std::move(spec.status);
  def.egress = std::move(spec.egress);
  def.execution_model = core::ExecutionModel::BuiltIn;
  def.config_schema.connection_config = std::move(spec.connection);
  def.config_schema.commands = std::move(spec.commands);
  def.error_map = std::move(spec.error_map);
  def.default_command = std::move(spec.default_command);
  def.legacy_commandless_ui = spec.legacy_commandless_ui;
  return def;
}

}  // namespace patchbay::connectors
