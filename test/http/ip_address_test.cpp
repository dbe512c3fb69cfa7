#include "http/ip_address.hpp"

#include <gtest/gtest.h>

namespace patchbay::http {
namespace {

IpAddress ip(const char* text) {
  auto parsed = parse_ip_literal(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(IpAddress{});
}

struct DeniedCase {
  const char* address;
  const char* rule_fragment;
};

class DeniedRangeTest : public ::testing::TestWithParam<DeniedCase> {};

TEST_P(DeniedRangeTest, IsDeniedByDefaultAndNamesTheRule) {
  auto rule = denied_range(ip(GetParam().address));
  ASSERT_TRUE(rule.has_value()) << GetParam().address;
  EXPECT_NE(rule->find(GetParam().rule_fragment), std::string::npos) << *rule;
}

INSTANTIATE_TEST_SUITE_P(
    EveryRange, DeniedRangeTest,
    ::testing::Values(
        DeniedCase{"127.0.0.1", "loopback"}, DeniedCase{"127.255.0.9", "loopback"},
        DeniedCase{"0.0.0.0", "unspecified"}, DeniedCase{"10.1.2.3", "RFC 1918"},
        DeniedCase{"172.16.0.1", "RFC 1918"}, DeniedCase{"172.31.255.255", "RFC 1918"},
        DeniedCase{"192.168.1.1", "RFC 1918"}, DeniedCase{"100.64.0.1", "carrier-grade NAT"},
        DeniedCase{"169.254.169.254", "cloud metadata"}, DeniedCase{"192.0.0.8", "IETF protocol"},
        DeniedCase{"192.0.2.1", "TEST-NET-1"}, DeniedCase{"198.51.100.7", "TEST-NET-2"},
        DeniedCase{"203.0.113.9", "TEST-NET-3"}, DeniedCase{"198.18.0.1", "benchmarking"},
        DeniedCase{"192.88.99.1", "6to4 relay"}, DeniedCase{"224.0.0.1", "multicast"},
        DeniedCase{"239.255.255.250", "multicast"}, DeniedCase{"240.0.0.1", "class E"},
        DeniedCase{"255.255.255.255", "broadcast"}, DeniedCase{"::", "unspecified"},
        DeniedCase{"::1", "loopback"}, DeniedCase{"fe80::1", "link-local"},
        DeniedCase{"fec0::1", "site-local"}, DeniedCase{"fd00::1", "unique-local"},
        DeniedCase{"fc00::1", "unique-local"}, DeniedCase{"ff02::1", "multicast"},
        DeniedCase{"2001:db8::1", "documentation"}, DeniedCase{"100::1", "discard"},
        DeniedCase{"2001::1", "Teredo"}, DeniedCase{"64:ff9b:1::1", "local-use NAT64"},
        // IPv6 forms that embed a denied IPv4 address
        DeniedCase{"::ffff:127.0.0.1", "embedded in ::ffff:127.0.0.1"},
        DeniedCase{"::ffff:169.254.169.254", "cloud metadata"},
        DeniedCase{"::10.0.0.1", "RFC 1918"}, DeniedCase{"64:ff9b::a9fe:a9fe", "cloud metadata"},
        DeniedCase{"2002:7f00:1::", "loopback"}, DeniedCase{"2002:c0a8:101::1", "RFC 1918"}));

TEST(IpAddressTest, PublicAddressesAreAllowed) {
  for (const char* text :
       {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111",
        "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"}) {
    EXPECT_FALSE(denied_range(ip(text)).has_value()) << text;
  }
}

TEST(IpAddressTest, ReadsNumericHostsTheWayInetAtonDoes) {
  const char* loopback_forms[] = {"2130706433", "0177.0.0.1", "0x7f.1",
                                  "127.1",      "0x7f000001", "127.0.1",
                                  "0177.1",     "127.0.0.1.", "017700000001"};
  for (const char* form : loopback_forms) {
    auto numeric = parse_numeric_host(form);
    ASSERT_TRUE(numeric.has_value()) << form;
    ASSERT_TRUE(numeric->address.has_value()) << form << ": " << numeric->error;
    EXPECT_EQ(numeric->address->to_string(), "127.0.0.1") << form;
  }
  EXPECT_EQ(parse_numeric_host("0xa9fea9fe")->address->to_string(), "169.254.169.254");
}

TEST(IpAddressTest, RefusesAmbiguousNumericHosts) {
  for (const char* bad :
       {"1.2.3.4.5", "256.1.1.1", "1.2.3.256", "0x1ffffffff", "1.2.65536", "08.1.1.1", "1..1"}) {
    auto numeric = parse_numeric_host(bad);
    ASSERT_TRUE(numeric.has_value()) << bad;
    EXPECT_FALSE(numeric->address.has_value()) << bad;
    EXPECT_FALSE(numeric->error.empty());
  }
  for (const char* name : {"example.com", "api.v2.example", "deadbeef", "1e100.net"}) {
    EXPECT_FALSE(parse_numeric_host(name).has_value()) << name;
  }
}

TEST(IpAddressTest, CidrsMatchAcrossIpv4MappedForms) {
  auto ten = *Cidr::parse("10.0.0.0/8");
  EXPECT_TRUE(ten.contains(ip("10.200.1.1")));
  EXPECT_TRUE(ten.contains(ip("::ffff:10.0.0.1")));
  EXPECT_FALSE(ten.contains(ip("11.0.0.1")));
  auto ula = *Cidr::parse("fd00::/8");
  EXPECT_TRUE(ula.contains(ip("fd12::1")));
  EXPECT_FALSE(ula.contains(ip("10.0.0.1")));
  EXPECT_EQ(Cidr::parse("127.0.0.1")->prefix, 32);
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33").has_value());
  EXPECT_FALSE(Cidr::parse("10.0.0.0/").has_value());
  EXPECT_FALSE(Cidr::parse("example.com/8").has_value());
}

}  // namespace
}  // namespace patchbay::http
