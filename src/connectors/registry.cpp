#include "connectors/registry.hpp"

#include <algorithm>
#include <cstdio>

#include "core/check.hpp"

namespace patchbay::connectors::builtin {
#define PATCHBAY_BUILTIN(id) core::ConnectorDefinition make_##id();
#include "connectors/builtin/builtins.def"
#undef PATCHBAY_BUILTIN
}  // namespace patchbay::connectors::builtin

namespace patchbay::connectors {
namespace {

std::vector<core::ConnectorDefinition> load_builtins() {
  std::vector<core::ConnectorDefinition> all;
#define PATCHBAY_BUILTIN(id) all.push_back(builtin::make_##id());
#include "connectors/builtin/builtins.def"
#undef PATCHBAY_BUILTIN
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto problems = core::validate_definition(all[i]);
    for (const auto& p : problems) {
      std::fprintf(stderr, "patchbay: built-in '%s': %s: %s\n", all[i].name.c_str(), p.path.c_str(),
                   p.message.c_str());
    }
    PATCHBAY_CHECK(problems.empty(), "a built-in connector definition is invalid");
    PATCHBAY_CHECK(i == 0 || all[i - 1].name != all[i].name, "two built-ins share a name");
  }
  return all;
}

}  // namespace

const std::vector<core::ConnectorDefinition>& builtin_definitions() {
  static const std::vector<core::ConnectorDefinition> all = load_builtins();
  return all;
}

const core::ConnectorDefinition* find_builtin(std::string_view name) {
  for (const auto& def : builtin_definitions()) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

std::string builtin_names() {
  std::string out;
  for (const auto& def : builtin_definitions()) {
    if (!out.empty()) out += ", ";
    out += def.name;
  }
  return out;
}

}  // namespace patchbay::connectors
