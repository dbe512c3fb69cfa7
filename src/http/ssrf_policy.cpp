#include "http/ssrf_policy.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "core/text.hpp"

namespace patchbay::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

template <class F>
void for_each_entry(std::string_view list, F&& f) {
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = list.find(',', start);
    auto entry =
        trim(list.substr(start, comma == std::string_view::npos ? list.npos : comma - start));
    if (!entry.empty()) f(entry);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

bool valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  return name.front() != '.' && name.back() != '.' && name.find("..") == std::string_view::npos;
}

core::Error bad_entry(std::string_view setting, std::string_view entry, std::string_view why) {
  return core::Error{core::ErrorCode::InvalidArgument,
                     std::string(setting) + ": '" + std::string(entry) + "' " + std::string(why),
                     {}};
}

}  // namespace

core::Result<SsrfPolicy> SsrfPolicy::parse(std::string_view allow, std::string_view ports) {
  SsrfPolicy policy;
  std::optional<core::Error> error;
  for_each_entry(allow, [&](std::string_view entry) {
    if (error) return;
    if (auto cidr = Cidr::parse(entry)) {
      policy.cidrs_.push_back(*cidr);
      return;
    }
    if (entry.find('/') != std::string_view::npos || entry.find(':') != std::string_view::npos) {
      error = bad_entry(kAllowEnv, entry, "is not a valid CIDR range or address");
      return;
    }
    std::string_view name = entry.starts_with("*.") ? entry.substr(2) : entry;
    if (parse_numeric_host(name)) {
      error = bad_entry(kAllowEnv, entry, "looks numeric but is not a dotted IPv4 address");
      return;
    }
    if (!valid_host_name(name)) {
      error =
          bad_entry(kAllowEnv, entry, "is not a CIDR range, an address, a host name or *.domain");
      return;
    }
    policy.hosts_.push_back(core::ascii_lower(entry));
  });
  for_each_entry(ports, [&](std::string_view entry) {
    if (error) return;
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(entry.data(), entry.data() + entry.size(), port);
    if (ec != std::errc{} || ptr != entry.data() + entry.size() || port == 0 || port > 65535) {
      error = bad_entry(kAllowPortsEnv, entry, "is not a port number (1-65535)");
      return;
    }
    policy.ports_.push_back(static_cast<std::uint16_t>(port));
  });
  if (error) return *error;
  return policy;
}

core::Result<SsrfPolicy> SsrfPolicy::from_environment() {
  const char* allow = std::getenv(kAllowEnv);
  const char* ports = std::getenv(kAllowPortsEnv);
  return parse(allow ? allow : "", ports ? ports : "");
}

bool SsrfPolicy::host_allowed(std::string_view host) const {
  std::string name = core::ascii_lower(host);
  if (!name.empty() && name.back() == '.') name.pop_back();
  for (const auto& entry : hosts_) {
    if (entry.starts_with("*.")) {
      std::string_view suffix = std::string_view(entry).substr(1);  // ".corp.example"
      if (name.size() > suffix.size() && name.ends_with(suffix)) return true;
    } else if (name == entry) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> SsrfPolicy::refusal(std::string_view host, const IpAddress& address,
                                               std::uint16_t port) const {
  bool allow_listed =
      host_allowed(host) ||
      std::any_of(cidrs_.begin(), cidrs_.end(), [&](const Cidr& c) { return c.contains(address); });
  if (allow_listed) {
    if (ports_.empty() || std::find(ports_.begin(), ports_.end(), port) != ports_.end()) {
      return std::nullopt;
    }
    return address.to_string() + " is allow-listed, but not on port " + std::to_string(port) +
           " (" + kAllowPortsEnv + ")";
  }
  if (auto rule = denied_range(address)) {
    return address.to_string() + " is " + *rule + "; allow-list it with " + kAllowEnv +
           " to reach it";
  }
  return std::nullopt;
}

}  // namespace patchbay::http
