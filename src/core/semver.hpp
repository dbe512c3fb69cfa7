#pragma once
// Semantic versions (semver.org 2.0.0): MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].
// Connector definitions and connector types carry one; schema versioning
// (schema_versioning.hpp) compares them.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace patchbay::core {

struct Semver {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::uint64_t patch = 0;
  std::string prerelease;  // without the '-'; empty for a release
  std::string build;       // without the '+'; ignored by comparisons

  // Parses strictly: no leading 'v', no leading zeros, three numeric parts.
  static Result<Semver> parse(std::string_view text);

  std::string to_string() const;

  Semver next_major() const { return {major + 1, 0, 0, {}, {}}; }
  Semver next_minor() const { return {major, minor + 1, 0, {}, {}}; }
  // The next patch release; for a prerelease that is its own release (1.2.0-rc.1 -> 1.2.0).
  Semver next_patch() const;

  // Precedence as semver.org section 11 defines it; build metadata is ignored.
  std::strong_ordering operator<=>(const Semver& other) const;
  bool operator==(const Semver& other) const { return (*this <=> other) == 0; }
};

}  // namespace patchbay::core
