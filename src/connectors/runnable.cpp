#include "connectors/runnable.hpp"

#include "connectors/registry.hpp"
#include "external/external.hpp"

namespace patchbay::connectors {

core::Result<std::shared_ptr<const core::ConnectorDefinition>> runnable(
    core::ConnectorDefinition definition, const RunnableOptions& options) {
  switch (definition.execution_model) {
    case core::ExecutionModel::BuiltIn: {
      const auto* builtin = find_builtin(definition.type);
      if (builtin == nullptr) {
        return core::Error{core::ErrorCode::NotFound,
                           "built-in type '" + definition.type +
                               "' is not part of this patchbay build; registered: " +
                               builtin_names(),
                           {}};
      }
      // The registry lives for the whole program: alias it, no copy.
      return std::shared_ptr<const core::ConnectorDefinition>(std::shared_ptr<void>(), builtin);
    }
    case core::ExecutionModel::Script:
    case core::ExecutionModel::Oas: {
      auto owned = std::make_shared<core::ConnectorDefinition>(std::move(definition));
      script::attach_script_handlers(*owned, options.script_limits);
      return std::shared_ptr<const core::ConnectorDefinition>(std::move(owned));
    }
    case core::ExecutionModel::External: {
      auto owned = std::make_shared<core::ConnectorDefinition>(std::move(definition));
      external::attach_external_handlers(*owned, {.url = owned->endpoint_url,
                                                  .signing_secret = options.signing_secret,
                                                  .instance = owned->name});
      return std::shared_ptr<const core::ConnectorDefinition>(std::move(owned));
    }
  }
  return core::Error{core::ErrorCode::Internal, "unknown execution model", {}};
}

}  // namespace patchbay::connectors
