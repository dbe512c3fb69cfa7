#include "secrets/secrets.hpp"

#include <cstdlib>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/json.hpp"
#include "support/files.hpp"

namespace patchbay::secrets {
namespace {

namespace json = boost::json;

std::vector<core::FieldSpec> fields() {
  core::FieldSpec url{.name = "baseUrl", .type = core::FieldType::String};
  core::FieldSpec key{.name = "apiKey", .type = core::FieldType::String, .secret = true};
  core::FieldSpec pin{.name = "pin", .type = core::FieldType::Number, .secret = true};
  return {url, key, pin};
}

TEST(MasterKeyTest, ParsesHexAndBase64AndDerivesAStableId) {
  auto key = MasterKey::generate();
  auto again = MasterKey::parse(key.to_text());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id(), key.id());
  EXPECT_EQ(key.id().size(), 16u);
  auto b64 = MasterKey::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  ASSERT_TRUE(b64.has_value());
  EXPECT_EQ(b64->to_text(), "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  EXPECT_FALSE(MasterKey::parse("too short").has_value());
  EXPECT_NE(MasterKey::generate().id(), key.id());
}

TEST(MasterKeyTest, KeyFileIsCreatedOnceWithMode0600) {
  test::TempDir dir;
  ::unsetenv(kMasterKeyEnv);
  auto first = load_or_create_master_key(dir.path());
  ASSERT_TRUE(first.has_value()) << first.error().message;
  struct stat info {};
  ASSERT_EQ(::stat((dir.path() / kKeyFileName).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto second = load_or_create_master_key(dir.path());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->id(), first->id());
  EXPECT_EQ(write_new_key_file(dir.path() / kKeyFileName).error().code, core::ErrorCode::Conflict);

  ::chmod((dir.path() / kKeyFileName).c_str(), 0644);
  auto exposed = load_or_create_master_key(dir.path());
  ASSERT_FALSE(exposed.has_value());
  EXPECT_NE(exposed.error().message.find("chmod 600"), std::string::npos);
}

TEST(MasterKeyTest, EnvironmentKeyWins) {
  test::TempDir dir;
  auto key = MasterKey::generate();
  ::setenv(kMasterKeyEnv, key.to_text().c_str(), 1);
  auto loaded = load_or_create_master_key(dir.path());
  ::setenv(kMasterKeyEnv, "nonsense", 1);
  auto bad = load_or_create_master_key(dir.path());
  ::unsetenv(kMasterKeyEnv);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->id(), key.id());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / kKeyFileName));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("PATCHBAY_MASTER_KEY"), std::string::npos);
}

TEST(KeyringTest, SealsWithFreshNoncesAndOpensOnlyWhereBound) {
  Keyring keyring(MasterKey::generate());
  auto a = keyring.seal("sk-live-123", field_binding("crm", "apiKey"));
  auto b = keyring.seal("sk-live-123", field_binding("crm", "apiKey"));
  EXPECT_NE(a, b);
  EXPECT_TRUE(is_sealed(a));
  EXPECT_EQ(a.find("sk-live-123"), std::string::npos);
  EXPECT_EQ(*keyring.open(a, field_binding("crm", "apiKey")), "sk-live-123");
  auto moved = keyring.open(a, field_binding("other", "apiKey"));
  ASSERT_FALSE(moved.has_value());
  EXPECT_NE(moved.error().message.find("belongs to another record"), std::string::npos);
  std::string tampered = a;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(keyring.open(tampered, field_binding("crm", "apiKey")).has_value());
  EXPECT_FALSE(keyring.open("pbsec:v1:0000:zzz", "x").has_value());
}

TEST(KeyringTest, RotationKeepsOldValuesReadable) {
  auto old_key = MasterKey::generate();
  Keyring before(old_key);
  auto sealed = before.seal("secret-value", "ad");
  Keyring after(MasterKey::generate(), {old_key});
  EXPECT_TRUE(after.needs_rotation(sealed));
  EXPECT_EQ(*after.open(sealed, "ad"), "secret-value");
  auto resealed = after.seal(*after.open(sealed, "ad"), "ad");
  EXPECT_FALSE(after.needs_rotation(resealed));
  Keyring without_old(MasterKey::generate());
  auto unknown = without_old.open(sealed, "ad");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("which this server does not have"), std::string::npos);
}

TEST(ConfigSecretsTest, SealOpenMaskAndMerge) {
  Keyring keyring(MasterKey::generate());
  json::object config{
      {"baseUrl", "https://crm.example.com"}, {"apiKey", "sk-live-123"}, {"pin", 1234}};
  seal_config(keyring, "crm", fields(), config);
  EXPECT_EQ(config.at("baseUrl"), "https://crm.example.com");
  EXPECT_TRUE(is_sealed(config.at("apiKey").as_string()));
  EXPECT_EQ(json::serialize(config).find("sk-live-123"), std::string::npos);
  json::object stored = config;
  seal_config(keyring, "crm", fields(), config);  // sealing twice changes nothing
  EXPECT_EQ(config, stored);

  auto masked = mask_config(fields(), stored);
  EXPECT_EQ(masked.at("apiKey"), (json::object{{"value", kMask}, {"set", true}}));
  EXPECT_EQ(mask_config(fields(), json::object{}).at("apiKey"), (json::object{{"set", false}}));

  auto merged = merge_update(
      fields(), stored, json::object{{"baseUrl", "https://new"}, {"apiKey", kMask}, {"pin", 9}});
  EXPECT_EQ(merged.at("apiKey"), stored.at("apiKey"));  // the mask keeps the stored value
  EXPECT_EQ(merged.at("pin"), 9);
  EXPECT_EQ(
      merge_update(fields(), stored, json::object{{"apiKey", masked.at("apiKey")}}).at("apiKey"),
      stored.at("apiKey"));

  json::object opened = stored;
  ASSERT_TRUE(open_config(keyring, "crm", fields(), opened).has_value());
  EXPECT_EQ(opened.at("apiKey"), "sk-live-123");
  EXPECT_EQ(opened.at("pin"), "1234");
  json::object elsewhere = stored;
  EXPECT_FALSE(open_config(keyring, "other", fields(), elsewhere).has_value());
}

TEST(RedactTest, ReplacesEverySecretOccurrence) {
  EXPECT_EQ(redact("token sk-1234 and sk-1234 again, pin 12", {"sk-1234", "12"}),
            "token [redacted] and [redacted] again, pin 12");
}

}  // namespace
}  // namespace patchbay::secrets
