#include "core/schema_versioning.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/json.hpp"

namespace patchbay::core {
namespace {

std::string quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

bool contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

const FieldSpec* find_field(const std::vector<FieldSpec>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// Everything about a field besides type, required and default: documentation
// and UI hints, whose changes need a patch bump.
bool same_presentation(const FieldSpec& a, const FieldSpec& b) {
  return a.secret == b.secret && a.description == b.description && a.label == b.label &&
         a.placeholder == b.placeholder && a.options == b.options &&
         a.enum_values == b.enum_values && a.minimum == b.minimum && a.maximum == b.maximum;
}

// Changes to a field both schemas have. `what` reads like "param 'limit' of command 'list'".
void diff_existing_field(const FieldSpec* old_spec, const FieldSpec* new_spec,
                         const std::string& what, std::vector<SchemaChange>& out) {
  static const FieldSpec kUntyped{};
  const FieldSpec& a = old_spec ? *old_spec : kUntyped;
  const FieldSpec& b = new_spec ? *new_spec : kUntyped;
  if (a.type != b.type) {
    out.push_back({Bump::Major, what + " changed type from " +
                                    std::string(to_string(a.effective_type())) + " to " +
                                    std::string(to_string(b.effective_type()))});
  }
  if (!a.required && b.required) out.push_back({Bump::Major, what + " became required"});
  if (a.required && !b.required) out.push_back({Bump::Patch, what + " became optional"});
  if (a.default_value && !b.default_value) {
    out.push_back({Bump::Major, what + " lost its default"});
  } else if (a.default_value != b.default_value) {
    out.push_back({Bump::Patch, what + " changed its default"});
  }
  if (!same_presentation(a, b))
    out.push_back({Bump::Patch, what + " changed its description or constraints"});
}

void diff_command(const CommandSpec& a, const CommandSpec& b, std::vector<SchemaChange>& out) {
  std::string command = "command " + quoted(a.name);
  for (const auto& param : a.params) {
    if (!contains(b.params, param)) {
      out.push_back({Bump::Major, "removed param " + quoted(param) + " from " + command});
    }
  }
  for (const auto& param : b.params) {
    std::string what = "param " + quoted(param) + " of " + command;
    const FieldSpec* new_spec = b.find_param_spec(param);
    if (!contains(a.params, param)) {
      if (new_spec && new_spec->default_value) {
        out.push_back({Bump::Minor, "new " + what + " with a default"});
      } else {
        out.push_back({Bump::Major, "new " + what + " without a default"});
      }
      continue;
    }
    diff_existing_field(a.find_param_spec(param), new_spec, what, out);
  }
  static const std::vector<std::string> kNone;
  const auto& old_outputs = a.outputs ? *a.outputs : kNone;
  const auto& new_outputs = b.outputs ? *b.outputs : kNone;
  for (const auto& output : old_outputs) {
    if (!contains(new_outputs, output)) {
      out.push_back({Bump::Major, "removed output " + quoted(output) + " from " + command});
    }
  }
  for (const auto& output : new_outputs) {
    if (!contains(old_outputs, output)) {
      out.push_back({Bump::Minor, "new output " + quoted(output) + " on " + command});
    }
  }
  if (a.params != b.params &&
      std::is_permutation(a.params.begin(), a.params.end(), b.params.begin(), b.params.end())) {
    out.push_back({Bump::Patch, "reordered params of " + command});
  }
  if (a.description != b.description) {
    out.push_back({Bump::Patch, "changed the description of " + command});
  }
  if (a.deprecated != b.deprecated || a.deprecated_message != b.deprecated_message) {
    out.push_back({Bump::Patch, "changed the deprecation of " + command});
  }
  if (a.added_in_version != b.added_in_version) {
    out.push_back({Bump::Patch, "changed addedInVersion of " + command});
  }
}

Bump max_bump(Bump a, Bump b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

}  // namespace

std::string_view to_string(Bump bump) {
  switch (bump) {
    case Bump::None:
      return "none";
    case Bump::Patch:
      return "patch";
    case Bump::Minor:
      return "minor";
    case Bump::Major:
      return "major";
  }
  return "none";
}

Bump SchemaDiff::required() const {
  Bump out = Bump::None;
  for (const auto& change : changes) out = max_bump(out, change.bump);
  return out;
}

std::vector<std::string> SchemaDiff::reasons_for(Bump bump) const {
  std::vector<std::string> out;
  for (const auto& change : changes) {
    if (change.bump == bump) out.push_back(change.reason);
  }
  return out;
}

SchemaDiff diff(const ConfigSchema& a, const ConfigSchema& b) {
  SchemaDiff result;
  auto& out = result.changes;
  for (const auto& command : a.commands) {
    if (const auto* updated = b.find_command(command.name)) {
      diff_command(command, *updated, out);
    } else {
      out.push_back({Bump::Major, "removed command " + quoted(command.name)});
    }
  }
  for (const auto& command : b.commands) {
    if (!a.find_command(command.name)) {
      out.push_back({Bump::Minor, "new command " + quoted(command.name)});
    }
  }
  for (const auto& field : a.connection_config) {
    std::string what = "connection-config field " + quoted(field.name);
    if (const auto* updated = find_field(b.connection_config, field.name)) {
      diff_existing_field(&field, updated, what, out);
    } else {
      out.push_back({Bump::Major, "removed " + what});
    }
  }
  for (const auto& field : b.connection_config) {
    if (find_field(a.connection_config, field.name)) continue;
    std::string what = "connection-config field " + quoted(field.name);
    if (field.required) {
      out.push_back({Bump::Major, "new required " + what});
    } else {
      out.push_back({Bump::Minor, "new optional " + what});
    }
  }
  return result;
}

Semver version_floor(const Semver& old_version, const SchemaDiff& diff) {
  switch (diff.required()) {
    case Bump::Major:
      return old_version.next_major();
    case Bump::Minor:
      return old_version.next_minor();
    case Bump::Patch:
      return old_version.next_patch();
    case Bump::None:
      break;
  }
  return old_version;
}

Result<void> validate_bump(const Semver& old_version, const Semver& new_version,
                           const SchemaDiff& diff) {
  Semver floor = version_floor(old_version, diff);
  if (new_version >= floor && new_version >= old_version) return {};
  Bump bump = diff.required();
  std::vector<std::string> reasons = diff.reasons_for(bump);
  std::string message;
  json::array reason_list;
  if (bump == Bump::None) {
    message = "version " + new_version.to_string() + " is below the current version " +
              old_version.to_string() + "; versions never go down";
  } else {
    message = "version " + new_version.to_string() + " is below the floor " + floor.to_string() +
              ": the schema change needs a " + std::string(to_string(bump)) + " bump (";
    for (std::size_t i = 0; i < reasons.size(); ++i) {
      if (i > 0) message += "; ";
      message += reasons[i];
    }
    message += ")";
  }
  for (auto& r : reasons) reason_list.emplace_back(r);
  return Error{ErrorCode::Conflict, std::move(message),
               json::object{{"currentVersion", old_version.to_string()},
                            {"suggestedVersion", floor.to_string()},
                            {"requiredBump", to_string(bump)},
                            {"reasons", std::move(reason_list)}}};
}

Semver auto_bump(const Semver& old_version, const SchemaDiff& diff) {
  return version_floor(old_version, diff);
}

}  // namespace patchbay::core
