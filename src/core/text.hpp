#pragma once
// Small text helpers shared across folders.

#include <string>
#include <string_view>

namespace patchbay::core {

// ASCII lower-casing, independent of the C locale: for header names, host
// names and other protocol text.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace patchbay::core
