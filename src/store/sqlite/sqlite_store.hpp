#pragma once
// The SQLite store: one database file, WAL journal (readers never wait for the
// writer; a crashed process loses no committed transaction), a 5 s busy timeout,
// foreign keys on. One connection, used by one thread at a time; a second one
// only checkpoints the log in the background (wal_checkpointer.hpp).

#include <memory>
#include <string>

#include "store/store.hpp"

namespace patchbay::store {

core::Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);

}  // namespace patchbay::store
