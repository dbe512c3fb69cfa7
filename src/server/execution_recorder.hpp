#pragma once
// ExecutionRecorder: writes execution records and their audit entries with group
// commit. A caller blocks until its record is committed; while one batch is being
// written, records arriving meanwhile queue up, and when the batch is done the
// writer hands the lead to the oldest waiting caller, who writes them all in one
// transaction. Under load this turns N commits into a few without ever answering
// before the record is durable, and without a thread of its own. Each caller
// sleeps on its own semaphore, so a commit wakes exactly the callers it served
// and the next leader.
//
// Thread-safety: record() may be called concurrently.

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <semaphore>
#include <vector>

#include "core/result.hpp"
#include "store/store.hpp"

namespace patchbay::server {

class ExecutionRecorder {
 public:
  explicit ExecutionRecorder(store::Store& store, std::size_t max_batch = 512);

  // Assigns the record's id (when empty) and returns once it and `audit` are
  // committed, or with the store's error. `execution` is moved into the batch
  // and back, so it must not be read or changed until record() returns.
  core::Result<void> record(store::ExecutionRecord& execution, store::AuditEntry audit);

  std::size_t batches_written() const;
  std::size_t records_written() const;

 private:
  struct Slot {
    store::ExecutionRecord* execution;
    store::AuditEntry audit;
    bool done = false;
    bool lead = false;  // this caller writes the next batch
    std::optional<core::Error> error;
    std::binary_semaphore wake{0};
  };
  void lead(Slot& self);

  store::Store& store_;
  const std::size_t max_batch_;
  mutable std::mutex mutex_;
  std::deque<Slot*> pending_;
  bool writing_ = false;
  std::size_t batches_ = 0;
  std::size_t records_ = 0;
};

}  // namespace patchbay::server
