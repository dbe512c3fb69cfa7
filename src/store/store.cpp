#include "store/store.hpp"

#include <chrono>
#include <ctime>

#include <sodium.h>

#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace patchbay::store {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::Viewer:
      return "viewer";
    case Role::Operator:
      return "operator";
    case Role::Admin:
      return "admin";
    case Role::Agent:
      return "agent";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
  for (auto role : {Role::Viewer, Role::Operator, Role::Admin, Role::Agent}) {
    if (to_string(role) == text) return role;
  }
  return std::nullopt;
}

std::string new_id(std::string_view prefix) {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(prefix) + hex;
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buffer, static_cast<long long>(millis));
  return out;
}

core::Result<std::unique_ptr<Store>> open_store(std::string_view url) {
  if (url.starts_with("sqlite:")) return open_sqlite_store(std::string(url.substr(7)));
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return open_postgres_store(std::string(url));
  }
  return core::Error{core::ErrorCode::InvalidArgument,
                     "unknown store URL '" + std::string(url) +
                         "'; use sqlite:PATH or postgres://user@host:port/db",
                     {}};
}

}  // namespace patchbay::store
