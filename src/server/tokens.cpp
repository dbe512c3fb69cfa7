#include "server/tokens.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <sodium.h>

namespace patchbay::server {
namespace {

constexpr std::string_view kPrefix = "pb_";
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxNameLength = 64;

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

core::Error unauthenticated(std::string message) {
  return core::Error{core::ErrorCode::Unauthenticated, std::move(message), {}};
}

}  // namespace

std::string generate_token() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  std::array<unsigned char, kTokenBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string encoded(
      sodium_base64_ENCODED_LEN(kTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.find('\0'));
  return std::string(kPrefix) + encoded;
}

std::string hash_token(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

core::Result<IssuedToken> issue_token(store::Store& store, std::string name, store::Role role) {
  if (!valid_name(name)) {
    return core::Error{core::ErrorCode::InvalidArgument,
                       "token name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'",
                       {}};
  }
  IssuedToken issued;
  issued.token = generate_token();
  store::TokenRecord record{
      .name = std::move(name), .role = role, .token_hash = hash_token(issued.token)};
  auto created = store.create_token(std::move(record));
  if (!created) return created.error();
  issued.record = std::move(*created);
  return issued;
}

bool role_allows(store::Role have, store::Role need) {
  if (have == store::Role::Agent || need == store::Role::Agent) return have == need;
  return static_cast<int>(have) >= static_cast<int>(need);
}

Authenticator::Authenticator(store::Store& store, std::chrono::milliseconds cache_ttl)
    : store_(store), ttl_(cache_ttl) {}

core::Result<Principal> Authenticator::authenticate(std::string_view authorization) {
  if (authorization.empty()) {
    return unauthenticated("missing bearer token: send 'Authorization: Bearer <token>'");
  }
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return unauthenticated("the Authorization header must be 'Bearer <token>'");
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  auto hash = hash_token(token);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto found = cache_.find(hash); found != cache_.end()) {
      if (found->second.expires > now) return found->second.principal;
      cache_.erase(found);
    }
  }
  auto record = store_.find_token_by_hash(hash);
  if (!record) {
    if (record.error().code == core::ErrorCode::NotFound) {
      return unauthenticated("invalid or revoked token");
    }
    return record.error();
  }
  if (record->revoked_at) return unauthenticated("invalid or revoked token");
  Principal principal{.token_id = record->id, .name = record->name, .role = record->role};
  std::lock_guard lock(mutex_);
  cache_[hash] = Cached{principal, now + ttl_};
  return principal;
}

void Authenticator::forget(std::string_view token_id_or_name) {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [&](const auto& entry) {
    const auto& p = entry.second.principal;
    return p.token_id == token_id_or_name || p.name == token_id_or_name;
  });
}

}  // namespace patchbay::server
