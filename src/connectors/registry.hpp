#pragma once
// The built-in connector registry: every connector in builtin/builtins.def,
// built once on first use and valid for the life of the program.
//
// Thread-safety: all functions may be called concurrently; the first call builds
// the list (a function-local static).

#include <string>
#include <string_view>
#include <vector>

#include "core/connector_definition.hpp"

namespace patchbay::connectors {

// All built-ins, sorted by name. Each has passed core::validate_definition; an
// invalid built-in is a bug and stops the program at start-up with the problems.
const std::vector<core::ConnectorDefinition>& builtin_definitions();

// The built-in named `name`, or null.
const core::ConnectorDefinition* find_builtin(std::string_view name);

// Names of all built-ins, comma-separated, for messages.
std::string builtin_names();

}  // namespace patchbay::connectors
