#pragma once
// execute_definition(): the one path every execution model takes to run a
// command. It never throws and always returns a ConnectorResult:
//
// 1. Route: config.command, else the definition's defaultCommand. An unknown or
//    missing command fails, naming the available commands.
// 2. Params: every key of config except "command"; paramSchema defaults fill
//    absent (or null) params.
// 3. Required fields: required params, plus required connection fields unless a
//    mock runs, fail with "Missing required field(s): a, b".
// 4. Types: params and connection fields are checked against their specs
//    (lossless string coercion, see core::check_field_value); all problems are
//    reported at once.
// 5. Deprecated commands log a structured warning and run normally.
// 6. Mock (context.mock set): the named in-code scenario, else "default", runs
//    instead of the handler; a command without either fails.
// 7. The handler runs. A thrown exception goes through the definition's
//    errorMap; with no match, its message becomes the error.
// 8. The outcome is normalized by core::outcome_to_result().
//
// Thread-safety: concurrent calls are safe when the handlers are.

#include "core/connector_context.hpp"
#include "core/connector_definition.hpp"
#include "core/connector_result.hpp"
#include "core/logger.hpp"

namespace patchbay::dispatch {

core::ConnectorResult execute_definition(const core::ConnectorDefinition& definition,
                                         const core::ConnectorContext& context,
                                         core::Logger& logger = core::null_logger());

}  // namespace patchbay::dispatch
