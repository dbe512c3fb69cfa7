// Fuzz target for the SSRF policy's parsers of untrusted text: host names that
// look numeric, IP literals, CIDR ranges and allow-list settings. Properties:
// nothing crashes; every address that parses prints back to itself; a CIDR prints
// back to an equal range; classification never throws.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/check.hpp"
#include "http/ip_address.hpp"
#include "http/ssrf_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchbay::http;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto numeric = parse_numeric_host(text); numeric && numeric->address) {
    auto again = parse_ip_literal(numeric->address->to_string());
    PATCHBAY_CHECK(again && *again == *numeric->address, "numeric host must print back");
    (void)denied_range(*numeric->address);
  }
  if (auto literal = parse_ip_literal(text)) {
    auto again = parse_ip_literal(literal->to_string());
    PATCHBAY_CHECK(again && *again == *literal, "literal must print back");
    (void)denied_range(*literal);
    (void)embedded_v4(*literal);
  }
  if (auto cidr = Cidr::parse(text)) {
    auto again = Cidr::parse(cidr->to_string());
    PATCHBAY_CHECK(again && again->prefix == cidr->prefix && again->base == cidr->base,
                   "CIDR must print back");
  }
  auto split = text.find('\n');
  auto policy = SsrfPolicy::parse(text.substr(0, split),
                                  split == std::string_view::npos ? "" : text.substr(split + 1));
  if (policy) {
    IpAddress loopback = IpAddress::v4(0x7f000001);
    (void)policy->refusal(text.substr(0, 64), loopback, 80);
  }
  return 0;
}
