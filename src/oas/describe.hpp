#pragma once
// A connector description to a draft script connector: the engine of the MCP tool
// generate_connector_script (seed 001, "AI-Assisted Building"). An AI assistant
// writes what it understands of an HTTP API as a structured description — the
// connector's name, base URL and auth scheme, and each command's method, path,
// params and body fields — and patchbay writes the code. The description is read
// into the OpenAPI importer's Model and drafted by the same code as an imported
// spec (draft.hpp), so its connectionConfig fields, paramSchema and generated
// script (one descriptor per command and the shared floh.* runtime) are exactly
// those an equivalent OpenAPI description would give; only the execution model
// differs: "script", so the user owns and edits the result.
//
// The shape is documented in docs/connector-generation.md and published by
// description_schema(). In short:
//   {name, description?, version?, baseUrl,
//    auth?: {type: none|apiKey|bearer|basic|oauth2ClientCredentials,
//            in?, name?, tokenUrl?, scopes?},
//    commands: [{name, description?, method, path,
//                params?: [{name, in: path|query|header|body, type?, required?,
//                           description?, default?, enum?, wireName?}],
//                bodyType?: json|form, outputs?}],
//    testCommand?}
//
// Thread-safety: both functions are reentrant; description_schema() returns one
// immutable object built on first use.

#include <cstddef>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "oas/oas.hpp"

namespace patchbay::oas {

// What a description may hold before it is refused with InvalidArgument. Names
// (connector, command, param, wireName, auth name, output) are bounded by
// core::kMaxNameLength.
inline constexpr std::size_t kMaxDescribedCommands = 2000;
inline constexpr std::size_t kMaxDescribedParams = 200;     // per command
inline constexpr std::size_t kMaxDescribedEnumValues = 500;  // per param
inline constexpr std::size_t kMaxDescribedOutputs = 200;     // per command
inline constexpr std::size_t kMaxDescribedScopes = 100;
inline constexpr std::size_t kMaxDescribedTextBytes = 10'000;  // each description string
inline constexpr std::size_t kMaxDescribedUrlBytes = 2048;     // baseUrl, tokenUrl, a path
inline constexpr std::size_t kMaxDescribedValueDepth = 8;      // nesting of a default
// At most this many problems are listed in a refusal's details.
inline constexpr std::size_t kMaxReportedProblems = 50;

// The draft `description` describes, shaped as import_document() returns one:
// oas::to_json(draft) is {name, type, description, version, executionModel:
// "script", configSchema, scriptSource, warnings}, ready for POST /api/connectors.
// draft.operations is the number of commands described; draft.spec_version is "".
//
// A bad description is refused with InvalidArgument, never drafted: the message
// names the first problem by its JSON path ("invalid connector description:
// commands[2].params[0].in: must be one of path, query, header, body (and 1 more)")
// and the details hold every problem found, {"errors": [{path, message}, ...]}.
core::Result<Draft> draft_from_description(const boost::json::value& description);

// The description's shape as a JSON Schema (a draft 2020-12 subset: type,
// properties, required, additionalProperties: false, enum, items, minItems, and a
// description on every property), for the MCP tool's inputSchema. A description
// this schema refuses, draft_from_description() refuses too, but for the case of
// methods (listed in upper case, read in any case); the rules a schema cannot
// state (unique names, path variables matching path params, bounds, URLs) are in
// the descriptions of the properties they concern.
const boost::json::object& description_schema();

}  // namespace patchbay::oas
