#include "cli/scaffold.hpp"

#include <gtest/gtest.h>

#include "support/files.hpp"

namespace patchbay::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRegistry =
    "// header comment\nPATCHBAY_BUILTIN(delay)\nPATCHBAY_BUILTIN(http)\n";

class ScaffoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_text(dir_.path() / "src/connectors/builtin/builtins.def", kRegistry);
  }
  ScaffoldOptions options(std::string name) {
    return {.name = std::move(name), .description = "", .force = false, .root = dir_.path()};
  }
  std::string registry() const {
    return test::read_text(dir_.path() / "src/connectors/builtin/builtins.def");
  }
  test::TempDir dir_;
};

TEST(ScaffoldNameTest, AcceptsKebabCaseOnly) {
  for (const char* good : {"acme-crm", "a", "x2", "salesforce-v2-api"}) {
    EXPECT_TRUE(is_kebab_case(good)) << good;
  }
  for (const char* bad :
       {"", "Acme", "acme_crm", "acme--crm", "-acme", "acme-", "2acme", "acme crm", "ac/me"}) {
    EXPECT_FALSE(is_kebab_case(bad)) << bad;
  }
}

TEST(ScaffoldNameTest, DerivesIdentifiers) {
  auto names = scaffold_names("acme-crm", "");
  EXPECT_EQ(names.identifier, "acme_crm");
  EXPECT_EQ(names.pascal, "AcmeCrm");
  EXPECT_EQ(names.title, "Acme Crm");
  EXPECT_EQ(names.description, "Acme Crm connector.");
  EXPECT_EQ(scaffold_names("x", "line one\nline \"two\"").description, "line one line \"two\"");
}

TEST(ScaffoldRegistryTest, InsertsInAlphabeticalOrder) {
  EXPECT_EQ(insert_registry_line(kRegistry, "acme_crm"),
            "// header comment\nPATCHBAY_BUILTIN(acme_crm)\nPATCHBAY_BUILTIN(delay)\n"
            "PATCHBAY_BUILTIN(http)\n");
  EXPECT_EQ(insert_registry_line(kRegistry, "github"),
            "// header comment\nPATCHBAY_BUILTIN(delay)\nPATCHBAY_BUILTIN(github)\n"
            "PATCHBAY_BUILTIN(http)\n");
  EXPECT_EQ(insert_registry_line(kRegistry, "zendesk"),
            "// header comment\nPATCHBAY_BUILTIN(delay)\nPATCHBAY_BUILTIN(http)\n"
            "PATCHBAY_BUILTIN(zendesk)\n");
  EXPECT_EQ(insert_registry_line(kRegistry, "http"), kRegistry);
}

TEST_F(ScaffoldTest, WritesHandlerTestAndRegistryLine) {
  auto report = scaffold_builtin(options("acme-crm"));
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->registry_updated);
  EXPECT_EQ(report->written,
            (std::vector<std::string>{"src/connectors/builtin/acme_crm.cpp",
                                      "test/connectors/builtin/acme_crm_test.cpp"}));
  std::string handler = test::read_text(dir_.path() / "src/connectors/builtin/acme_crm.cpp");
  for (const char* expected :
       {"core::ConnectorDefinition make_acme_crm()", "struct AcmeCrmConnection",
        "BOOST_DESCRIBE_STRUCT(AcmeCrmConnection", "http::HttpError", "\"test\"", "\"listItems\"",
        "succeed(", "fail(", ".mock ="}) {
    EXPECT_NE(handler.find(expected), std::string::npos) << expected;
  }
  EXPECT_NE(registry().find("PATCHBAY_BUILTIN(acme_crm)\nPATCHBAY_BUILTIN(delay)"),
            std::string::npos);
}

TEST_F(ScaffoldTest, SecondRunRefusesAndLeavesEverythingUntouched) {
  ASSERT_TRUE(scaffold_builtin(options("acme-crm")).has_value());
  fs::path handler = dir_.path() / "src/connectors/builtin/acme_crm.cpp";
  test::write_text(handler, "// edited by hand\n");
  std::string registry_before = registry();

  auto second = scaffold_builtin(options("acme-crm"));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, core::ErrorCode::Conflict);
  EXPECT_NE(second.error().message.find("pass --force"), std::string::npos);
  EXPECT_EQ(test::read_text(handler), "// edited by hand\n");
  EXPECT_EQ(registry(), registry_before);
}

TEST_F(ScaffoldTest, ForceRewritesFilesButNotTheRegistry) {
  ASSERT_TRUE(scaffold_builtin(options("acme-crm")).has_value());
  std::string registry_before = registry();
  fs::path handler = dir_.path() / "src/connectors/builtin/acme_crm.cpp";
  test::write_text(handler, "// edited by hand\n");
  auto opts = options("acme-crm");
  opts.force = true;
  auto report = scaffold_builtin(opts);
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(report->registry_updated);
  EXPECT_EQ(registry(), registry_before);
  EXPECT_NE(test::read_text(handler).find("make_acme_crm"), std::string::npos);
}

TEST_F(ScaffoldTest, KeepsAnExistingTestFile) {
  fs::path test_file = dir_.path() / "test/connectors/builtin/acme_crm_test.cpp";
  test::write_text(test_file, "// my tests\n");
  auto report = scaffold_builtin(options("acme-crm"));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->kept, std::vector<std::string>{"test/connectors/builtin/acme_crm_test.cpp"});
  EXPECT_EQ(test::read_text(test_file), "// my tests\n");
}

TEST_F(ScaffoldTest, RejectsBadNamesAndForeignDirectories) {
  auto bad = scaffold_builtin(options("Acme_CRM"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(bad.error().message.find("is not kebab-case"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_.path() / "src/connectors/builtin/Acme_CRM.cpp"));

  test::TempDir elsewhere;
  auto opts = options("acme-crm");
  opts.root = elsewhere.path();
  auto foreign = scaffold_builtin(opts);
  ASSERT_FALSE(foreign.has_value());
  EXPECT_NE(foreign.error().message.find("not a patchbay source tree"), std::string::npos);
}

}  // namespace
}  // namespace patchbay::cli
