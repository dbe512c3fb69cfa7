#pragma once
// Schema versioning, exactly as seed 001's "Versioning" section states it, for
// every connector type (built-in, script, OAS-derived):
//
// Major (breaking): removed command; removed param from an existing command; new
// param without a default; removed output from an existing command; removed
// connection-config field; new connection-config field marked required.
// Minor: new command; new param with a default; new output; new optional
// connection-config field.
//
// patchbay adds, on the same reasoning (old step configs must keep working): an
// existing param or connection field that becomes required, loses its default or
// changes type is major; any other change to the schema (descriptions,
// deprecation, UI hints) needs at least a patch bump.

#include <string>
#include <vector>

#include "core/connector_definition.hpp"
#include "core/result.hpp"
#include "core/semver.hpp"

namespace patchbay::core {

enum class Bump { None, Patch, Minor, Major };

std::string_view to_string(Bump bump);

struct SchemaChange {
  Bump bump;
  std::string reason;  // "removed command 'listUsers'"
};

struct SchemaDiff {
  std::vector<SchemaChange> changes;

  // The largest bump any change requires; None when the schemas are equivalent.
  Bump required() const;
  // The reasons behind `required()`, for error messages.
  std::vector<std::string> reasons_for(Bump bump) const;
};

// Compares two configSchemas and lists every change with the bump it requires.
SchemaDiff diff(const ConfigSchema& old_schema, const ConfigSchema& new_schema);

// The lowest version that clears the floor `diff` sets above `old_version`:
// next major / minor / patch, or `old_version` itself when nothing changed.
Semver version_floor(const Semver& old_version, const SchemaDiff& diff);

// Accepts `new_version` when it is at or above the floor (and never below the old
// version). A Conflict error otherwise, naming the suggested version and the reasons;
// details carry {"suggestedVersion", "requiredBump", "reasons"}.
Result<void> validate_bump(const Semver& old_version, const Semver& new_version,
                           const SchemaDiff& diff);

// The version PUT /api/connector-types/:id with autoBump: true stores.
Semver auto_bump(const Semver& old_version, const SchemaDiff& diff);

}  // namespace patchbay::core
