#pragma once
// Reading a postgres:// URL: patchbay's own query parameters (pool_size,
// pool_wait_ms; see postgres_store.hpp) come out, the rest goes to libpq as
// given, and the password is found once so no message or description shows it.
// Internal to store/postgres/.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/postgres/postgres_store.hpp"

namespace patchbay::store::pg {

// A postgres:// URL as the pool and libpq need it.
struct ConnectionSettings {
  std::string conninfo;   // the URL without patchbay's own parameters
  std::string described;  // the URL as given, password masked
  std::size_t pool_size = kDefaultPoolSize;
  std::chrono::milliseconds pool_wait = kDefaultPoolWait;
  std::vector<std::string> secrets;  // spellings of the password, kept out of messages

  // `text` with every spelling of the password replaced by "***".
  std::string scrub(std::string text) const;
};

// InvalidArgument for a bad pool parameter or a URL libpq cannot read.
core::Result<ConnectionSettings> parse_url(const std::string& url);

// The URL with any password (in the user info or a password= parameter) as "***".
std::string mask_password(std::string_view url);

}  // namespace patchbay::store::pg
