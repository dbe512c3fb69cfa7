#pragma once
// IP addresses and CIDR ranges for the SSRF policy, and the classification of
// the ranges outbound requests may not reach by default.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace patchbay::http {

struct IpAddress {
  bool v6 = false;
  // IPv4 in bytes[0..3]; IPv6 in all 16.
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress v4(std::uint32_t host_order);
  std::uint32_t v4_value() const;  // precondition: !v6
  std::string to_string() const;

  bool operator==(const IpAddress&) const = default;
};

// A strict literal: dotted-quad IPv4 ("10.0.0.1") or IPv6 ("::1", no brackets,
// no zone id).
std::optional<IpAddress> parse_ip_literal(std::string_view text);

// What a host that looks numeric means, the way inet_aton and browsers read it:
// "2130706433", "0177.0.0.1", "0x7f.1", "127.1" all mean 127.0.0.1. Returns
// nullopt for hosts that do not look numeric (the last label does not start with
// a digit), and an error text for numeric-looking hosts that are not valid
// addresses ("1.2.3.4.5", "256.1.1.1"), which must be refused rather than guessed.
struct NumericHost {
  std::optional<IpAddress> address;
  std::string error;
};
std::optional<NumericHost> parse_numeric_host(std::string_view host);

struct Cidr {
  IpAddress base;
  int prefix = 0;

  // "10.0.0.0/8", "fd00::/8", or a single address ("127.0.0.1" = /32, "::1" = /128).
  static std::optional<Cidr> parse(std::string_view text);
  // IPv4 addresses also match IPv4-mapped IPv6 forms and the other way round.
  bool contains(const IpAddress& address) const;
  std::string to_string() const;
};

// The rule a default-denied address falls under, e.g. "link-local 169.254.0.0/16
// (includes cloud metadata)", or nullopt for a public address. IPv6 forms that
// embed an IPv4 address (mapped, compatible, 6to4, NAT64) are judged by it.
std::optional<std::string> denied_range(const IpAddress& address);

// The IPv4 address an IPv6 address embeds (mapped, compatible, 6to4, NAT64), if any.
std::optional<IpAddress> embedded_v4(const IpAddress& address);

}  // namespace patchbay::http
