#pragma once
// Resolver: the DNS seam. The client resolves each host once per request hop,
// checks every answer against the SSRF policy and pins the connection to a
// checked address, so a second, different answer (DNS rebinding) is never used.
// Tests substitute a scripted resolver.
//
// Thread-safety: implementations must allow concurrent resolve() calls.

#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "http/ip_address.hpp"

namespace patchbay::http {

class Resolver {
 public:
  virtual ~Resolver() = default;
  // All addresses of `host`, or an error whose message says why there are none.
  virtual core::Result<std::vector<IpAddress>> resolve(std::string_view host) = 0;
};

// getaddrinfo(3), IPv4 and IPv6.
class SystemResolver final : public Resolver {
 public:
  core::Result<std::vector<IpAddress>> resolve(std::string_view host) override;
};

}  // namespace patchbay::http
