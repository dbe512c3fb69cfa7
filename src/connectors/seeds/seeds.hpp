#pragma once
// Connectors seeded on first start (besides the built-in types): the seed's
// sample-script connector. Their sources live beside this file and are compiled
// into the binary.

#include "core/connector_definition.hpp"

namespace patchbay::connectors {

// The sample-script connector's definition (scriptSource included), without
// handlers; script::attach_script_handlers makes it runnable.
core::ConnectorDefinition sample_script_connector();

}  // namespace patchbay::connectors
