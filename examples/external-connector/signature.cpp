#include "signature.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include <sodium.h>

namespace patchbay::example {
namespace {

constexpr std::string_view kSchemePrefix = "v1=";
constexpr std::size_t kMacBytes = crypto_auth_hmacsha256_BYTES;  // 32
constexpr std::size_t kMaxTimestampDigits = 12;                  // well past year 9999

using Mac = std::array<unsigned char, kMacBytes>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

Mac hmac(std::string_view secret, std::string_view timestamp, std::string_view body) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes(secret), secret.size());
  crypto_auth_hmacsha256_update(&state, bytes(timestamp), timestamp.size());
  crypto_auth_hmacsha256_update(&state, bytes("."), 1);
  crypto_auth_hmacsha256_update(&state, bytes(body), body.size());
  Mac mac;
  crypto_auth_hmacsha256_final(&state, mac.data());
  return mac;
}

std::optional<std::int64_t> parse_seconds(std::string_view text) {
  if (text.empty() || text.size() > kMaxTimestampDigits) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> check_signature(std::string_view secret, std::string_view timestamp,
                                           std::string_view signature, std::string_view body,
                                           std::chrono::system_clock::time_point now) {
  if (timestamp.empty()) return "missing X-Patchbay-Timestamp header";
  if (signature.empty()) return "missing X-Patchbay-Signature header";
  auto sent = parse_seconds(timestamp);
  if (!sent) return "malformed X-Patchbay-Timestamp header: expected unix seconds";
  std::string_view hex = signature.starts_with(kSchemePrefix)
                             ? signature.substr(kSchemePrefix.size())
                             : std::string_view();
  if (hex.size() != 2 * kMacBytes || !is_lower_hex(hex)) {
    return "malformed X-Patchbay-Signature header: expected v1=<64 lowercase hex digits>";
  }
  std::int64_t skew =
      *sent - std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  if (skew > kMaxClockSkew.count() || skew < -kMaxClockSkew.count()) {
    return "X-Patchbay-Timestamp is more than " + std::to_string(kMaxClockSkew.count()) +
           " s from this server's clock";
  }
  Mac given;
  sodium_hex2bin(given.data(), given.size(), hex.data(), hex.size(), nullptr, nullptr, nullptr);
  Mac expected = hmac(secret, timestamp, body);
  // Constant time, so the answer's timing says nothing about how much matched.
  if (crypto_verify_32(given.data(), expected.data()) != 0) return "signature does not match";
  return std::nullopt;
}

}  // namespace patchbay::example
