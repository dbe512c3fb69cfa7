#pragma once
// Small text helpers shared across folders.

#include <string>
#include <string_view>

namespace patchbay::core {

// ASCII lower-casing, independent of the C locale: for header names, host
// names and other protocol text.
inline char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

// ASCII case-insensitive equality, without allocating: for header names.
inline bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace patchbay::core
