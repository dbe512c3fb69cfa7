#include "http/ip_address.hpp"

#include <charconv>
#include <vector>

#include <arpa/inet.h>

namespace patchbay::http {
namespace {

struct Range {
  const char* cidr;
  const char* rule;
  const char* note = nullptr;
};

// IPv4 ranges outbound requests may not reach unless allow-listed.
constexpr Range kDeniedV4[] = {
    {"255.255.255.255/32", "broadcast"},
    {"0.0.0.0/8", "unspecified/this-network"},
    {"127.0.0.0/8", "loopback"},
    {"10.0.0.0/8", "private (RFC 1918)"},
    {"172.16.0.0/12", "private (RFC 1918)"},
    {"192.168.0.0/16", "private (RFC 1918)"},
    {"100.64.0.0/10", "carrier-grade NAT (RFC 6598)"},
    {"169.254.0.0/16", "link-local", "includes cloud metadata 169.254.169.254"},
    {"192.0.0.0/24", "IETF protocol assignments (reserved)"},
    {"192.0.2.0/24", "documentation (TEST-NET-1)"},
    {"198.51.100.0/24", "documentation (TEST-NET-2)"},
    {"203.0.113.0/24", "documentation (TEST-NET-3)"},
    {"192.88.99.0/24", "6to4 relay anycast (reserved)"},
    {"198.18.0.0/15", "benchmarking (RFC 2544)"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved (class E)"},
};

// IPv6 ranges judged on their own; embedded-IPv4 forms are handled first.
constexpr Range kDeniedV6[] = {
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local (deprecated)"},
    {"fc00::/7", "unique-local"},
    {"ff00::/8", "multicast"},
    {"100::/64", "discard-only (RFC 6666)"},
    {"2001::/32", "Teredo tunnelling"},
    {"2001:2::/48", "benchmarking (RFC 5180)"},
    {"2001:db8::/32", "documentation"},
    {"64:ff9b:1::/48", "local-use NAT64"},
};

bool parse_part(std::string_view part, std::uint64_t& out) {
  if (part.empty()) return false;
  int base = 10;
  if (part.size() > 1 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
    if (part.empty()) {  // "0x" alone is 0, as inet_aton reads it
      out = 0;
      return true;
    }
  } else if (part.size() > 1 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  if (part.size() > 16) return false;
  auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), out, base);
  return ec == std::errc{} && ptr == part.data() + part.size();
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string_view::npos ? s.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

struct ParsedRange {
  Cidr cidr;
  const Range* range;
};

// The tables parsed once; every outbound request checks against them.
template <std::size_t N>
std::vector<ParsedRange> parse_ranges(const Range (&ranges)[N]) {
  std::vector<ParsedRange> out;
  for (const Range& r : ranges) out.push_back({*Cidr::parse(r.cidr), &r});
  return out;
}

std::optional<std::string> match(const std::vector<ParsedRange>& ranges,
                                 const IpAddress& address) {
  for (const auto& [cidr, r] : ranges) {
    if (cidr.base.v6 == address.v6 && cidr.contains(address)) {
      std::string text = std::string(r->rule) + " " + r->cidr;
      if (r->note != nullptr) text += std::string(" (") + r->note + ")";
      return text;
    }
  }
  return std::nullopt;
}

const std::vector<ParsedRange>& denied_v4() {
  static const auto ranges = parse_ranges(kDeniedV4);
  return ranges;
}

const std::vector<ParsedRange>& denied_v6() {
  static const auto ranges = parse_ranges(kDeniedV6);
  return ranges;
}

}  // namespace

IpAddress IpAddress::v4(std::uint32_t value) {
  IpAddress a;
  a.bytes[0] = static_cast<std::uint8_t>(value >> 24);
  a.bytes[1] = static_cast<std::uint8_t>(value >> 16);
  a.bytes[2] = static_cast<std::uint8_t>(value >> 8);
  a.bytes[3] = static_cast<std::uint8_t>(value);
  return a;
}

std::uint32_t IpAddress::v4_value() const {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer);
  return buffer;
}

std::optional<IpAddress> parse_ip_literal(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string copy(text);
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
  address.v6 = true;
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

std::optional<NumericHost> parse_numeric_host(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return std::nullopt;
  auto parts = split_dots(host);
  std::string_view last = parts.back();
  if (last.empty() || last[0] < '0' || last[0] > '9') return std::nullopt;
  auto invalid = [&](const char* why) {
    return NumericHost{std::nullopt, "numeric host '" + std::string(host) + "' " + why};
  };
  if (parts.size() > 4) return invalid("has more than four parts");
  std::vector<std::uint64_t> values;
  for (auto part : parts) {
    std::uint64_t v = 0;
    if (!parse_part(part, v)) return invalid("is not a valid IPv4 address");
    values.push_back(v);
  }
  // Every part but the last is one byte; the last fills the remaining bytes.
  for (std::size_t i = 0; i + 1 < values.size(); ++i) {
    if (values[i] > 0xff) return invalid("has a part above 255");
  }
  std::size_t last_bits = 8 * (5 - values.size());
  if (values.back() >= (std::uint64_t{1} << last_bits)) return invalid("is out of range");
  std::uint32_t address = 0;
  for (std::size_t i = 0; i + 1 < values.size(); ++i) {
    address |= static_cast<std::uint32_t>(values[i] << (24 - 8 * i));
  }
  address |= static_cast<std::uint32_t>(values.back());
  return NumericHost{IpAddress::v4(address), {}};
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto base = parse_ip_literal(text.substr(0, slash));
  if (!base) return std::nullopt;
  int max = base->v6 ? 128 : 32;
  int prefix = max;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() || prefix < 0 ||
        prefix > max) {
      return std::nullopt;
    }
  }
  return Cidr{*base, prefix};
}

bool Cidr::contains(const IpAddress& address) const {
  IpAddress candidate = address;
  if (base.v6 != address.v6) {
    // 10.0.0.0/8 also covers ::ffff:10.0.0.1, and the other way round.
    if (!base.v6) {
      auto v4 = embedded_v4(address);
      if (!v4) return false;
      candidate = *v4;
    } else {
      return false;
    }
  }
  int full_bytes = prefix / 8;
  for (int i = 0; i < full_bytes; ++i) {
    if (candidate.bytes[i] != base.bytes[i]) return false;
  }
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (candidate.bytes[full_bytes] & mask) == (base.bytes[full_bytes] & mask);
}

std::string Cidr::to_string() const { return base.to_string() + "/" + std::to_string(prefix); }

std::optional<IpAddress> embedded_v4(const IpAddress& a) {
  if (!a.v6) return std::nullopt;
  auto tail_v4 = [&](int at) {
    IpAddress v4;
    for (int i = 0; i < 4; ++i) v4.bytes[i] = a.bytes[at + i];
    return v4;
  };
  auto zeros = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      if (a.bytes[i] != 0) return false;
    }
    return true;
  };
  // ::ffff:a.b.c.d (mapped)
  if (zeros(0, 10) && a.bytes[10] == 0xff && a.bytes[11] == 0xff) return tail_v4(12);
  // ::a.b.c.d (compatible, deprecated); :: and ::1 are judged as IPv6.
  if (zeros(0, 12) && !(zeros(12, 15) && a.bytes[15] <= 1)) return tail_v4(12);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (a.bytes[0] == 0x00 && a.bytes[1] == 0x64 && a.bytes[2] == 0xff && a.bytes[3] == 0x9b &&
      zeros(4, 12)) {
    return tail_v4(12);
  }
  // 2002:a.b.c.d::/48 (6to4)
  if (a.bytes[0] == 0x20 && a.bytes[1] == 0x02) return tail_v4(2);
  return std::nullopt;
}

std::optional<std::string> denied_range(const IpAddress& address) {
  if (!address.v6) return match(denied_v4(), address);
  if (auto v4 = embedded_v4(address)) {
    if (auto rule = match(denied_v4(), *v4)) {
      return *rule + ", embedded in " + address.to_string();
    }
    return std::nullopt;
  }
  return match(denied_v6(), address);
}

}  // namespace patchbay::http
