#include "core/semver.hpp"

#include <gtest/gtest.h>

namespace patchbay::core {
namespace {

Semver v(const char* text) {
  auto parsed = Semver::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : Semver{};
}

TEST(SemverTest, ParsesReleasePrereleaseAndBuild) {
  auto parsed = v("1.22.333-rc.1+build.7");
  EXPECT_EQ(parsed.major, 1u);
  EXPECT_EQ(parsed.minor, 22u);
  EXPECT_EQ(parsed.patch, 333u);
  EXPECT_EQ(parsed.prerelease, "rc.1");
  EXPECT_EQ(parsed.build, "build.7");
  EXPECT_EQ(parsed.to_string(), "1.22.333-rc.1+build.7");
}

TEST(SemverTest, RejectsMalformedVersionsWithAReason) {
  for (const char* bad :
       {"", "1", "1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.02.3", "1.2.-3", "1.2.3-", "1.2.3-01",
        "1.2.3+", "1.2.3-a..b", "a.b.c", "99999999999999999999.0.0"}) {
    auto parsed = Semver::parse(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(parsed.error().message.find("invalid version"), std::string::npos);
  }
}

TEST(SemverTest, OrdersAsSemverOrgSection11) {
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                         "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                         "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                         "1.1.0",       "2.0.0"};
  for (std::size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_LT(v(chain[i]), v(chain[i + 1])) << chain[i] << " < " << chain[i + 1];
  }
  EXPECT_EQ(v("1.0.0+a"), v("1.0.0+b"));
}

TEST(SemverTest, ComputesNextVersions) {
  EXPECT_EQ(v("1.2.3").next_major().to_string(), "2.0.0");
  EXPECT_EQ(v("1.2.3").next_minor().to_string(), "1.3.0");
  EXPECT_EQ(v("1.2.3").next_patch().to_string(), "1.2.4");
  EXPECT_EQ(v("1.3.0-rc.1").next_patch().to_string(), "1.3.0");
}

}  // namespace
}  // namespace patchbay::core
