#pragma once
// The PostgreSQL store (libpq): a fixed-size pool of connections shared by every
// thread, the same schema and migrations as SQLite, every write one transaction.
//
// URL: "postgres://user[:password]@host[:port]/db[?param=value&...]" (or
// "postgresql://"). Two query parameters belong to patchbay and are removed
// before libpq sees the URL; every other one (sslmode, connect_timeout, ...) is
// libpq's:
//   pool_size     connections in the pool, 1..kMaxPoolSize (default kDefaultPoolSize).
//                 Connections open on first need and stay open.
//   pool_wait_ms  how long a caller waits for a free connection before the call
//                 fails with Unavailable (default kDefaultPoolWait).
// connect_timeout defaults to kDefaultConnectTimeoutSeconds.
//
// Failures: an unreachable server is Unavailable, naming host and port, never
// the password; describe() shows the URL with any password as "***". A pooled
// connection the server dropped is reset the next time it is taken from the
// pool; the call that found it dropped fails with Unavailable. Migrations run
// under a transaction-scoped advisory lock, so processes that start together
// apply each step once.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace patchbay::store {

inline constexpr std::size_t kDefaultPoolSize = 8;
inline constexpr std::size_t kMaxPoolSize = 256;
inline constexpr std::chrono::milliseconds kDefaultPoolWait{10'000};
inline constexpr int kDefaultConnectTimeoutSeconds = 10;

core::Result<std::unique_ptr<Store>> open_postgres_store(std::string url);

}  // namespace patchbay::store
