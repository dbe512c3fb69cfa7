#include "http/ssrf_policy.hpp"

#include <gtest/gtest.h>

namespace patchbay::http {
namespace {

IpAddress ip(const char* text) { return *parse_ip_literal(text); }

TEST(SsrfPolicyTest, DefaultPolicyDeniesPrivateAndAllowsPublic) {
  SsrfPolicy policy;
  auto refusal = policy.refusal("metadata", ip("169.254.169.254"), 80);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(*refusal,
            "169.254.169.254 is link-local 169.254.0.0/16 (includes cloud metadata "
            "169.254.169.254); allow-list it with PATCHBAY_HTTP_ALLOW to reach it");
  EXPECT_FALSE(policy.refusal("api.example.com", ip("93.184.216.34"), 443).has_value());
}

TEST(SsrfPolicyTest, AllowListedRangesHostsAndWildcardsReachPrivateAddresses) {
  auto policy = SsrfPolicy::parse("10.1.0.0/16, 127.0.0.1 ,internal.example.com,*.corp.example");
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  EXPECT_FALSE(policy->refusal("x", ip("10.1.2.3"), 80).has_value());
  EXPECT_TRUE(policy->refusal("x", ip("10.2.0.1"), 80).has_value());
  EXPECT_FALSE(policy->refusal("x", ip("127.0.0.1"), 80).has_value());
  EXPECT_TRUE(policy->refusal("x", ip("127.0.0.2"), 80).has_value());
  EXPECT_FALSE(policy->refusal("Internal.Example.com", ip("10.9.9.9"), 80).has_value());
  EXPECT_FALSE(policy->refusal("db.corp.example", ip("192.168.0.5"), 80).has_value());
  EXPECT_TRUE(policy->refusal("corp.example", ip("192.168.0.5"), 80).has_value());
  EXPECT_TRUE(policy->refusal("evilcorp.example", ip("192.168.0.5"), 80).has_value());
}

TEST(SsrfPolicyTest, PortAllowListLimitsAllowListedDestinationsOnly) {
  auto policy = SsrfPolicy::parse("10.0.0.0/8", "8080, 8443");
  ASSERT_TRUE(policy.has_value());
  EXPECT_FALSE(policy->refusal("x", ip("10.0.0.1"), 8080).has_value());
  auto refusal = policy->refusal("x", ip("10.0.0.1"), 22);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_NE(refusal->find("not on port 22"), std::string::npos);
  EXPECT_FALSE(policy->refusal("x", ip("93.184.216.34"), 22).has_value());
}

TEST(SsrfPolicyTest, RejectsMalformedSettingsNamingTheEntry) {
  auto bad_cidr = SsrfPolicy::parse("10.0.0.0/40");
  ASSERT_FALSE(bad_cidr.has_value());
  EXPECT_EQ(bad_cidr.error().message,
            "PATCHBAY_HTTP_ALLOW: '10.0.0.0/40' is not a valid CIDR range or address");
  EXPECT_FALSE(SsrfPolicy::parse("0x7f.1").has_value());
  EXPECT_FALSE(SsrfPolicy::parse("bad host!").has_value());
  auto bad_port = SsrfPolicy::parse("", "http");
  ASSERT_FALSE(bad_port.has_value());
  EXPECT_EQ(bad_port.error().message,
            "PATCHBAY_HTTP_ALLOW_PORTS: 'http' is not a port number (1-65535)");
  EXPECT_FALSE(SsrfPolicy::parse("", "70000").has_value());
  EXPECT_TRUE(SsrfPolicy::parse(" , ").has_value());
}

}  // namespace
}  // namespace patchbay::http
