#include "secrets/secrets.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include <boost/json/serialize.hpp>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/check.hpp"
#include "core/json.hpp"

namespace patchbay::secrets {
namespace {

namespace json = boost::json;

constexpr std::string_view kPrefix = "pbsec:v1:";
constexpr std::size_t kIdHexLength = 16;
constexpr std::size_t kMinRedactedLength = 4;

void sodium_once() {
  static std::once_flag once;
  std::call_once(once,
                 [] { PATCHBAY_CHECK(sodium_init() >= 0, "libsodium failed to initialize"); });
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

core::Error key_error(std::string message) {
  return core::Error{core::ErrorCode::InvalidArgument, std::move(message), {}};
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  return text;
}

}  // namespace

MasterKey::MasterKey(const std::array<unsigned char, kSize>& bytes) : bytes_(bytes) {
  unsigned char digest[kIdHexLength / 2];
  static constexpr unsigned char kContext[] = "patchbay-key-id";
  crypto_generichash(digest, sizeof digest, bytes_.data(), bytes_.size(), kContext,
                     sizeof kContext - 1);
  id_ = to_hex(digest, sizeof digest);
}

MasterKey MasterKey::generate() {
  sodium_once();
  std::array<unsigned char, kSize> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return MasterKey(bytes);
}

core::Result<MasterKey> MasterKey::parse(std::string_view text) {
  sodium_once();
  std::array<unsigned char, kSize> bytes{};
  std::size_t length = 0;
  if (text.size() == kSize * 2 &&
      sodium_hex2bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length,
                     nullptr) == 0 &&
      length == kSize) {
    return MasterKey(bytes);
  }
  unsigned char decoded[kSize + 8];
  if (sodium_base642bin(decoded, sizeof decoded, text.data(), text.size(), nullptr, &length,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) == 0 &&
      length == kSize) {
    std::copy(decoded, decoded + kSize, bytes.begin());
    return MasterKey(bytes);
  }
  return key_error(
      "a master key must be 64 hex digits or the base64 of 32 bytes "
      "(`patchbay keygen` makes one)");
}

std::string MasterKey::to_text() const { return to_hex(bytes_.data(), bytes_.size()); }

core::Result<MasterKey> write_new_key_file(const std::filesystem::path& path) {
  MasterKey key = MasterKey::generate();
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  // O_EXCL: never replace a key that sealed data.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::Error{errno == EEXIST ? core::ErrorCode::Conflict : core::ErrorCode::Unavailable,
                       "cannot create key file " + path.string() + ": " + std::strerror(errno),
                       {}};
  }
  std::string text = key.to_text() + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) {
    return core::Error{core::ErrorCode::Unavailable, "cannot write key file " + path.string(), {}};
  }
  return key;
}

core::Result<MasterKey> load_or_create_master_key(const std::filesystem::path& data_dir) {
  if (const char* env = std::getenv(kMasterKeyEnv); env != nullptr && *env != '\0') {
    auto key = MasterKey::parse(trimmed(env));
    if (!key) return key_error(std::string(kMasterKeyEnv) + ": " + key.error().message);
    return key;
  }
  auto path = data_dir / kKeyFileName;
  if (!std::filesystem::exists(path)) return write_new_key_file(path);
  return read_key_file(path);
}

core::Result<MasterKey> read_key_file(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    return core::Error{core::ErrorCode::PermissionDenied,
                       path.string() + " is readable by other users; run chmod 600 on it",
                       {}};
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto key = MasterKey::parse(trimmed(text.str()));
  if (!key) return key_error(path.string() + ": " + key.error().message);
  return key;
}

Keyring::Keyring(MasterKey current, std::vector<MasterKey> previous)
    : current_(std::move(current)), previous_(std::move(previous)) {
  sodium_once();
}

core::Result<Keyring> load_keyring(const std::filesystem::path& data_dir) {
  auto current = load_or_create_master_key(data_dir);
  if (!current) return current.error();
  std::vector<MasterKey> previous;
  for (const char* name : {kNextKeyFileName, kPreviousKeyFileName}) {
    auto path = data_dir / name;
    if (!std::filesystem::exists(path)) continue;
    auto key = read_key_file(path);
    if (!key) return key.error();
    if (key->id() != current->id()) previous.push_back(std::move(*key));
  }
  return Keyring(std::move(*current), std::move(previous));
}

const MasterKey* Keyring::find(std::string_view id) const {
  if (current_.id() == id) return &current_;
  for (const auto& key : previous_) {
    if (key.id() == id) return &key;
  }
  return nullptr;
}

bool is_sealed(std::string_view value) { return value.starts_with(kPrefix); }

std::string Keyring::seal(std::string_view plaintext, std::string_view ad) const {
  std::vector<unsigned char> box(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                                 crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned char* nonce = box.data();
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce,
      current_.bytes().data());
  box.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + written);
  std::string b64(sodium_base64_ENCODED_LEN(box.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), box.data(), box.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return std::string(kPrefix) + current_.id() + ":" + b64;
}

core::Result<std::string> Keyring::open(std::string_view sealed, std::string_view ad) const {
  auto fail = [](std::string why) {
    return core::Error{core::ErrorCode::InvalidArgument, "sealed value " + why, {}};
  };
  if (!is_sealed(sealed)) return fail("has no pbsec:v1 prefix");
  std::string_view rest = sealed.substr(kPrefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) return fail("is malformed");
  const MasterKey* key = find(rest.substr(0, colon));
  if (key == nullptr) {
    return fail("was sealed with key " + std::string(rest.substr(0, colon)) +
                ", which this server does not have");
  }
  std::string_view b64 = rest.substr(colon + 1);
  std::vector<unsigned char> box(b64.size());
  std::size_t length = 0;
  if (sodium_base642bin(box.data(), box.size(), b64.data(), b64.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      length < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                   crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return fail("is malformed");
  }
  const unsigned char* nonce = box.data();
  const unsigned char* cipher = nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::size_t cipher_length = length - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string plain(cipher_length - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plain_length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()),
                                                 &plain_length, nullptr, cipher, cipher_length,
                                                 reinterpret_cast<const unsigned char*>(ad.data()),
                                                 ad.size(), nonce, key->bytes().data()) != 0) {
    return fail("does not open: it was altered or belongs to another record");
  }
  plain.resize(plain_length);
  return plain;
}

bool Keyring::needs_rotation(std::string_view sealed) const {
  if (!is_sealed(sealed)) return false;
  std::string_view rest = sealed.substr(kPrefix.size());
  return rest.substr(0, rest.find(':')) != current_.id();
}

std::string field_binding(std::string_view record_id, std::string_view field) {
  return std::string(record_id) + "\x1f" + std::string(field);
}

void seal_config(const Keyring& keyring, std::string_view record_id,
                 const std::vector<core::FieldSpec>& fields, json::object& config) {
  for (const auto& field : fields) {
    if (!field.secret) continue;
    auto* value = config.if_contains(field.name);
    if (value == nullptr || value->is_null()) continue;
    if (value->is_string() && is_sealed(value->get_string())) continue;
    std::string plain =
        value->is_string() ? std::string(value->get_string()) : json::serialize(*value);
    *value = keyring.seal(plain, field_binding(record_id, field.name));
  }
}

core::Result<void> open_config(const Keyring& keyring, std::string_view record_id,
                               const std::vector<core::FieldSpec>& fields, json::object& config) {
  for (const auto& field : fields) {
    if (!field.secret) continue;
    auto* value = config.if_contains(field.name);
    if (value == nullptr || !value->is_string() || !is_sealed(value->get_string())) continue;
    auto plain = keyring.open(value->get_string(), field_binding(record_id, field.name));
    if (!plain) {
      return core::Error{core::ErrorCode::Internal,
                         "connection field '" + field.name + "': " + plain.error().message,
                         {}};
    }
    *value = *plain;
  }
  return {};
}

json::object mask_config(const std::vector<core::FieldSpec>& fields, const json::object& config) {
  json::object out = config;
  for (const auto& field : fields) {
    if (!field.secret) continue;
    const auto* value = config.if_contains(field.name);
    bool set = value != nullptr && !value->is_null() &&
               !(value->is_string() && value->get_string().empty());
    out[field.name] =
        set ? json::object{{"value", kMask}, {"set", true}} : json::object{{"set", false}};
  }
  return out;
}

json::object merge_update(const std::vector<core::FieldSpec>& fields, const json::object& stored,
                          const json::object& incoming) {
  json::object out = incoming;
  for (const auto& field : fields) {
    if (!field.secret) continue;
    const auto* sent = incoming.if_contains(field.name);
    if (sent == nullptr) continue;
    bool masked = (sent->is_string() && sent->get_string() == kMask);
    if (const auto* obj = sent->if_object()) {
      const auto* v = obj->if_contains("value");
      masked =
          obj->contains("set") && (v == nullptr || (v->is_string() && v->get_string() == kMask));
    }
    if (!masked) continue;
    if (const auto* kept = stored.if_contains(field.name)) {
      out[field.name] = *kept;
    } else {
      out.erase(field.name);
    }
  }
  return out;
}

std::string redact(std::string_view text, const std::vector<std::string>& secret_values) {
  std::string out(text);
  for (const auto& secret : secret_values) {
    if (secret.size() < kMinRedactedLength) continue;
    for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), "[redacted]");
      at += 10;
    }
  }
  return out;
}

}  // namespace patchbay::secrets
