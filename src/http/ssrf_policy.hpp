#pragma once
// SsrfPolicy: which addresses outbound requests may reach. Default: every public
// address; never loopback, private, link-local (cloud metadata), CGNAT,
// multicast, broadcast, reserved or documentation ranges, nor IPv6 forms that
// embed them (see ip_address.hpp). An operator allow-list is the only way to
// reach a denied address; there is no per-request opt-out.
//
// Allow-list syntax (PATCHBAY_HTTP_ALLOW, comma-separated):
//   10.0.0.0/8, 127.0.0.1, fd00::/8    CIDR ranges or single addresses
//   internal.example.com               a host name (its addresses are allowed)
//   *.corp.example                     every subdomain of corp.example
// PATCHBAY_HTTP_ALLOW_PORTS (comma-separated ports) further limits allow-listed
// destinations to those ports; public destinations are not affected.
//
// Thread-safety: immutable after construction; check() may be called concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "http/ip_address.hpp"

namespace patchbay::http {

inline constexpr const char* kAllowEnv = "PATCHBAY_HTTP_ALLOW";
inline constexpr const char* kAllowPortsEnv = "PATCHBAY_HTTP_ALLOW_PORTS";

class SsrfPolicy {
 public:
  // The default policy: public addresses only, empty allow-list.
  SsrfPolicy() = default;

  // Parses the two allow-list settings; an entry that is not a CIDR, an address,
  // a host name or *.domain is an InvalidArgument error naming it.
  static core::Result<SsrfPolicy> parse(std::string_view allow, std::string_view ports = {});
  // Reads PATCHBAY_HTTP_ALLOW and PATCHBAY_HTTP_ALLOW_PORTS.
  static core::Result<SsrfPolicy> from_environment();

  // Nullopt when `address` (which `host` resolved to) may be reached on `port`;
  // otherwise the reason, naming the rule ("127.0.0.1 is loopback 127.0.0.0/8").
  std::optional<std::string> refusal(std::string_view host, const IpAddress& address,
                                     std::uint16_t port) const;

  bool allow_list_empty() const { return cidrs_.empty() && hosts_.empty(); }

 private:
  bool host_allowed(std::string_view host) const;

  std::vector<Cidr> cidrs_;
  std::vector<std::string> hosts_;    // lower-case; "*.x" entries kept with the "*."
  std::vector<std::uint16_t> ports_;  // empty: any port
};

}  // namespace patchbay::http
