#include "store/sqlite/wal_checkpointer.hpp"

#include <sqlite3.h>

namespace patchbay::store {

core::Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(sqlite3* writer,
                                                                      const std::string& path) {
  sqlite3* own = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  // The checkpoint fsyncs as the writer's does; the journal_mode query makes this
  // connection read the header and know it is in WAL mode.
  for (const char* pragma : {"PRAGMA synchronous=NORMAL", "PRAGMA journal_mode"}) {
    if (rc == SQLITE_OK) rc = sqlite3_exec(own, pragma, nullptr, nullptr, nullptr);
  }
  if (rc != SQLITE_OK) {
    std::string message = own ? sqlite3_errmsg(own) : sqlite3_errstr(rc);
    sqlite3_close_v2(own);
    return core::Error{core::ErrorCode::Unavailable,
                       "cannot open a checkpoint connection to sqlite database " + path + ": " +
                           message,
                       {}};
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(writer, own));
}

WalCheckpointer::WalCheckpointer(sqlite3* writer, sqlite3* own) : writer_(writer), own_(own) {
  thread_ = std::thread([this] { run(); });
  // Replaces the writer's automatic checkpoint, which is itself a WAL hook.
  sqlite3_wal_hook(writer_, &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_, kCheckpointPages);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close_v2(own_);
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int log_pages) {
  if (log_pages < kCheckpointPages) return SQLITE_OK;
  auto& checkpointer = *static_cast<WalCheckpointer*>(self);
  {
    std::lock_guard lock(checkpointer.mutex_);
    checkpointer.wanted_ = true;
  }
  checkpointer.wake_.notify_one();
  return SQLITE_OK;
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    // A failure (busy, I/O) leaves the log longer; the next commit past the
    // threshold asks again, and the writer's close checkpoints what is left.
    (void)sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace patchbay::store
