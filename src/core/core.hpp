#pragma once
// core: the connector model every other folder builds on. No I/O.
// See src/core/README.md.

#include "core/connector_context.hpp"     // IWYU pragma: export
#include "core/connector_definition.hpp"  // IWYU pragma: export
#include "core/connector_result.hpp"      // IWYU pragma: export
#include "core/error.hpp"                 // IWYU pragma: export
#include "core/json.hpp"                  // IWYU pragma: export
#include "core/logger.hpp"                // IWYU pragma: export
#include "core/result.hpp"                // IWYU pragma: export
#include "core/schema_versioning.hpp"     // IWYU pragma: export
#include "core/semver.hpp"                // IWYU pragma: export
