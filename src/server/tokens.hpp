#pragma once
// API tokens: "pb_" + 43 characters of base64url (32 random bytes). Only the
// SHA-256 of a token is stored; the token itself is shown once, when issued.
// Tokens carry 256 bits of entropy, so a fast hash is enough: nobody can guess
// their way back from a hash.
//
// Authenticator turns an Authorization header into a Principal, caching hits for
// a short while (default 2 s) so a burst of requests does not read the store for
// each one; revoking through this process forgets the token at once, revoking
// from another process (patchbay token revoke) takes effect within the TTL.
//
// Thread-safety: all functions and Authenticator members may be called concurrently.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"
#include "server/api.hpp"
#include "store/store.hpp"

namespace patchbay::server {

struct IssuedToken {
  store::TokenRecord record;
  std::string token;  // shown once
};

std::string generate_token();
std::string hash_token(std::string_view token);

// Names: 1-64 characters of letters, digits, '.', '_', '-'. InvalidArgument
// for a bad name, Conflict for a name in use.
core::Result<IssuedToken> issue_token(store::Store& store, std::string name, store::Role role);

// True when `have` includes everything `need` may do (viewer < operator < admin;
// agent only itself).
bool role_allows(store::Role have, store::Role need);

class Authenticator {
 public:
  explicit Authenticator(store::Store& store,
                         std::chrono::milliseconds cache_ttl = std::chrono::seconds(2));

  // From "Bearer <token>": Unauthenticated when missing, malformed, unknown or revoked.
  core::Result<Principal> authenticate(std::string_view authorization);
  // Drops cached entries of a token (by id or name) revoked through this process.
  void forget(std::string_view token_id_or_name);

 private:
  struct Cached {
    Principal principal;
    std::chrono::steady_clock::time_point expires;
  };
  store::Store& store_;
  const std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
};

}  // namespace patchbay::server
