#include "http/resolver.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace patchbay::http {

core::Result<std::vector<IpAddress>> SystemResolver::resolve(std::string_view host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  std::string name(host);
  int rc = getaddrinfo(name.c_str(), nullptr, &hints, &raw);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(raw, &freeaddrinfo);
  if (rc != 0) {
    return core::Error{
        core::ErrorCode::Unavailable, "could not resolve '" + name + "': " + gai_strerror(rc), {}};
  }
  std::vector<IpAddress> out;
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    IpAddress address;
    if (ai->ai_family == AF_INET) {
      sockaddr_in in{};
      std::memcpy(&in, ai->ai_addr, sizeof in);
      std::memcpy(address.bytes.data(), &in.sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
      sockaddr_in6 in6{};
      std::memcpy(&in6, ai->ai_addr, sizeof in6);
      address.v6 = true;
      std::memcpy(address.bytes.data(), &in6.sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), address) == out.end()) out.push_back(address);
  }
  if (out.empty()) {
    return core::Error{core::ErrorCode::Unavailable,
                       "could not resolve '" + name + "': no IPv4 or IPv6 address",
                       {}};
  }
  return out;
}

}  // namespace patchbay::http
