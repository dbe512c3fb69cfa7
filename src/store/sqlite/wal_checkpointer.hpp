#pragma once
// WalCheckpointer: copies a SQLite database's write-ahead log back into the
// database file on a thread and a connection of its own, so that a commit never
// waits for a checkpoint.
//
// SQLite's automatic checkpoint runs inside the COMMIT that takes the log past
// 1000 pages: the store's one connection - and every caller queued on it - waits
// while the pages are copied and both files are fsynced. Under a steady stream of
// execution records that happened many times a second and set the tail latency.
// Here the writer's automatic checkpoint is off and its WAL hook only wakes this
// thread, which runs a PASSIVE checkpoint: it copies what no reader still needs
// and never blocks the writer; the writer's next transaction starts the log over
// once everything was copied.
//
// Durability does not change: a transaction is durable once its COMMIT has
// written it to the log, as before (synchronous=NORMAL: a crashed process loses
// nothing committed; a power loss may lose the last transactions). The log is
// merely copied into the database file later, and closing the writer's
// connection (the last one) checkpoints what is left.
//
// Thread-safety: created and destroyed by the store's owner; the hook runs on
// whatever thread commits on the writer's connection. Destroy before closing
// the writer's connection.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.hpp"

struct sqlite3;

namespace patchbay::store {

class WalCheckpointer {
 public:
  // SQLite's own automatic checkpoint threshold, in log pages.
  static constexpr int kCheckpointPages = 1000;

  // Opens a second connection to the database at `path` (already in WAL mode),
  // switches `writer`'s automatic checkpoint off and installs the hook that
  // wakes the checkpoint thread. Unavailable when the connection cannot be opened.
  static core::Result<std::unique_ptr<WalCheckpointer>> start(sqlite3* writer,
                                                              const std::string& path);
  // Removes the hook (the writer checkpoints by itself again), stops the thread
  // after the checkpoint it is running, closes the second connection.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  WalCheckpointer(sqlite3* writer, sqlite3* own);
  static int on_commit(void* self, sqlite3* db, const char* schema, int log_pages);
  void run();

  sqlite3* const writer_;
  sqlite3* const own_;  // used by the checkpoint thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;  // the log passed kCheckpointPages since the last checkpoint
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace patchbay::store
