#include "core/semver.hpp"

#include <charconv>
#include <limits>
#include <vector>

namespace patchbay::core {
namespace {

Error bad_version(std::string_view text, std::string_view why) {
  return Error{ErrorCode::InvalidArgument,
               "invalid version '" + std::string(text) + "': " + std::string(why) +
                   " (expected MAJOR.MINOR.PATCH, e.g. 1.0.0)",
               {}};
}

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_identifier_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t at = s.find(sep, start);
    parts.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

// Dot-separated identifiers of a prerelease or build suffix; numeric prerelease
// identifiers may not have leading zeros.
bool valid_identifiers(std::string_view s, bool numeric_no_leading_zero) {
  for (auto part : split(s, '.')) {
    if (part.empty()) return false;
    for (char c : part) {
      if (!is_identifier_char(c)) return false;
    }
    if (numeric_no_leading_zero && is_digits(part) && part.size() > 1 && part[0] == '0') {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<Semver> Semver::parse(std::string_view text) {
  if (text.empty()) return bad_version(text, "empty");
  if (text.size() > 256) return bad_version(text.substr(0, 32), "longer than 256 characters");
  Semver v;
  std::string_view rest = text;
  if (auto plus = rest.find('+'); plus != std::string_view::npos) {
    v.build = std::string(rest.substr(plus + 1));
    rest = rest.substr(0, plus);
    if (!valid_identifiers(v.build, false)) return bad_version(text, "bad build metadata");
  }
  if (auto dash = rest.find('-'); dash != std::string_view::npos) {
    v.prerelease = std::string(rest.substr(dash + 1));
    rest = rest.substr(0, dash);
    if (!valid_identifiers(v.prerelease, true)) return bad_version(text, "bad prerelease");
  }
  auto numbers = split(rest, '.');
  if (numbers.size() != 3) return bad_version(text, "needs three numeric parts");
  std::uint64_t* slots[] = {&v.major, &v.minor, &v.patch};
  for (std::size_t i = 0; i < 3; ++i) {
    auto part = numbers[i];
    if (!is_digits(part)) return bad_version(text, "parts must be non-negative integers");
    if (part.size() > 1 && part[0] == '0') return bad_version(text, "leading zero");
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), *slots[i]);
    if (ec != std::errc{} || ptr != part.data() + part.size()) {
      return bad_version(text, "number too large");
    }
  }
  return v;
}

std::string Semver::to_string() const {
  std::string out =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!prerelease.empty()) out += "-" + prerelease;
  if (!build.empty()) out += "+" + build;
  return out;
}

Semver Semver::next_patch() const {
  if (!prerelease.empty()) return {major, minor, patch, {}, {}};
  return {major, minor, patch + 1, {}, {}};
}

std::strong_ordering Semver::operator<=>(const Semver& other) const {
  if (auto c = major <=> other.major; c != 0) return c;
  if (auto c = minor <=> other.minor; c != 0) return c;
  if (auto c = patch <=> other.patch; c != 0) return c;
  // A release ranks above any of its prereleases.
  if (prerelease.empty() || other.prerelease.empty()) {
    if (prerelease.empty() && other.prerelease.empty()) return std::strong_ordering::equal;
    return prerelease.empty() ? std::strong_ordering::greater : std::strong_ordering::less;
  }
  auto mine = split(prerelease, '.');
  auto theirs = split(other.prerelease, '.');
  for (std::size_t i = 0; i < mine.size() && i < theirs.size(); ++i) {
    bool a_num = is_digits(mine[i]);
    bool b_num = is_digits(theirs[i]);
    if (a_num && b_num) {
      // Compare numerically without overflow: longer digit strings are larger.
      if (auto c = mine[i].size() <=> theirs[i].size(); c != 0) return c;
      if (auto c = mine[i].compare(theirs[i]); c != 0) {
        return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
      }
      continue;
    }
    if (a_num != b_num) return a_num ? std::strong_ordering::less : std::strong_ordering::greater;
    if (auto c = mine[i].compare(theirs[i]); c != 0) {
      return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    }
  }
  return mine.size() <=> theirs.size();
}

}  // namespace patchbay::core
