#include "connectors/registry.hpp"

#include <gtest/gtest.h>

#include "core/connector_definition.hpp"

namespace patchbay::connectors {

namespace json = boost::json;
namespace {

TEST(RegistryTest, ListsEveryBuiltinSortedAndValid) {
  const auto& all = builtin_definitions();
  ASSERT_GE(all.size(), 2u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_TRUE(core::validate_definition(all[i]).empty()) << all[i].name;
    EXPECT_EQ(all[i].execution_model, core::ExecutionModel::BuiltIn);
    EXPECT_EQ(all[i].type, all[i].name);
    if (i > 0) {
      EXPECT_LT(all[i - 1].name, all[i].name);
    }
  }
}

TEST(RegistryTest, FindsBuiltinsByName) {
  ASSERT_NE(find_builtin("http"), nullptr);
  ASSERT_NE(find_builtin("delay"), nullptr);
  EXPECT_EQ(find_builtin("nope"), nullptr);
  EXPECT_NE(builtin_names().find("delay, "), std::string::npos);
}

TEST(RegistryTest, LegacyBuiltinsAreCommandlessWithADefaultCommand) {
  for (const char* name : {"http", "delay"}) {
    const auto* def = find_builtin(name);
    ASSERT_NE(def, nullptr);
    EXPECT_TRUE(def->legacy_commandless_ui) << name;
    EXPECT_FALSE(def->default_command.empty()) << name;
    EXPECT_TRUE(core::type_row_schema(*def).empty()) << name;
  }
}

}  // namespace
}  // namespace patchbay::connectors
