#pragma once
// secrets: encryption at rest for connection fields marked secret, masking in API
// output, and redaction of secret values from text.
//
// Sealed values look like "pbsec:v1:<key id>:<base64 of nonce || ciphertext>" and
// are XChaCha20-Poly1305 (libsodium) with a random 24-byte nonce per value. The
// associated data binds a value to where it belongs (connector id + field name),
// so a sealed value copied into another record does not open. The key id names the
// master key that sealed it, so a Keyring holding old and new keys can open both
// while everything is re-sealed under the new one.
//
// Thread-safety: Keyring is immutable after construction; all functions may be
// called concurrently.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/connector_definition.hpp"
#include "core/result.hpp"

namespace patchbay::secrets {

inline constexpr const char* kMasterKeyEnv = "PATCHBAY_MASTER_KEY";
inline constexpr const char* kKeyFileName = "master.key";
// During and after `patchbay rotate-key`: the key being rotated to, and the one
// rotated away from. Both still open values, so every intermediate state works.
inline constexpr const char* kNextKeyFileName = "master.key.next";
inline constexpr const char* kPreviousKeyFileName = "master.key.previous";
// What the API shows instead of a secret value; sending it back keeps the value.
inline constexpr const char* kMask = "••••••";

class MasterKey {
 public:
  static constexpr std::size_t kSize = 32;

  // A new random key.
  static MasterKey generate();
  // From its text form: 64 hex digits or base64 of 32 bytes.
  static core::Result<MasterKey> parse(std::string_view text);
  // The text form written to key files: 64 hex digits.
  std::string to_text() const;
  // 16 hex digits derived from the key (BLAKE2b), stored with every sealed value.
  const std::string& id() const { return id_; }
  const std::array<unsigned char, kSize>& bytes() const { return bytes_; }

 private:
  explicit MasterKey(const std::array<unsigned char, kSize>& bytes);
  std::array<unsigned char, kSize> bytes_{};
  std::string id_;
};

// Reads PATCHBAY_MASTER_KEY, else <data_dir>/master.key, else creates that file
// (mode 0600) with a new key. Errors name the file or the variable.
core::Result<MasterKey> load_or_create_master_key(const std::filesystem::path& data_dir);

// Writes a new key file (mode 0600); refuses to overwrite an existing one.
core::Result<MasterKey> write_new_key_file(const std::filesystem::path& path);
// Reads a key file; PermissionDenied when other users may read it.
core::Result<MasterKey> read_key_file(const std::filesystem::path& path);

class Keyring {
 public:
  // `current` seals; it and `previous` keys open.
  explicit Keyring(MasterKey current, std::vector<MasterKey> previous = {});

  std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  // The plaintext, or an error that never contains it: unknown key id, tampered or
  // moved value (associated data mismatch), malformed text.
  core::Result<std::string> open(std::string_view sealed, std::string_view associated_data) const;
  // True when `sealed` was sealed with a key other than the current one.
  bool needs_rotation(std::string_view sealed) const;
  const MasterKey& current() const { return current_; }

 private:
  const MasterKey* find(std::string_view id) const;
  MasterKey current_;
  std::vector<MasterKey> previous_;
};

// The keyring a server uses: the master key (load_or_create_master_key) sealing,
// plus the next and previous key files of a rotation, when present, opening.
core::Result<Keyring> load_keyring(const std::filesystem::path& data_dir);

bool is_sealed(std::string_view value);

// The associated data binding a secret field's value to its record.
std::string field_binding(std::string_view record_id, std::string_view field);

// Seals the secret fields of a connection config in place (values already sealed are
// left alone). Non-string secret values are serialized first.
void seal_config(const Keyring& keyring, std::string_view record_id,
                 const std::vector<core::FieldSpec>& fields, boost::json::object& config);
// Opens the sealed fields of a stored connection config in place.
core::Result<void> open_config(const Keyring& keyring, std::string_view record_id,
                               const std::vector<core::FieldSpec>& fields,
                               boost::json::object& config);

// For API output: every secret field that has a value becomes
// {"value": "••••••", "set": true}; unset ones {"set": false}.
boost::json::object mask_config(const std::vector<core::FieldSpec>& fields,
                                const boost::json::object& config);
// For updates: secret fields sent as the mask (or the masked object) keep the
// stored value; anything else replaces it.
boost::json::object merge_update(const std::vector<core::FieldSpec>& fields,
                                 const boost::json::object& stored,
                                 const boost::json::object& incoming);

// Replaces every occurrence of the given secret values (4 characters or longer) in
// `text` with "[redacted]".
std::string redact(std::string_view text, const std::vector<std::string>& secret_values);

}  // namespace patchbay::secrets
