#pragma once
// runnable(): a stored definition made ready for dispatch::execute_definition,
// the one place that knows what each execution model needs: a built-in is the
// registry's definition (its handlers), a script or oas connector gets handlers
// that run its script in the sandbox, an external one handlers that call its
// service. The server (per connector revision) and the agent (per definition
// hash) both build what they run here.
//
// Thread-safety: may be called concurrently.

#include <memory>
#include <string>

#include "core/connector_definition.hpp"
#include "core/result.hpp"
#include "script/script.hpp"

namespace patchbay::connectors {

struct RunnableOptions {
  script::ScriptLimits script_limits;
  // External connectors sign their requests with it.
  std::string signing_secret;
};

// NotFound when a built-in type is not part of this build.
core::Result<std::shared_ptr<const core::ConnectorDefinition>> runnable(
    core::ConnectorDefinition definition, const RunnableOptions& options = {});

}  // namespace patchbay::connectors
