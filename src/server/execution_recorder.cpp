#include "server/execution_recorder.hpp"

#include <algorithm>

namespace patchbay::server {

ExecutionRecorder::ExecutionRecorder(store::Store& store, std::size_t max_batch)
    : store_(store), max_batch_(std::max<std::size_t>(1, max_batch)) {}

core::Result<void> ExecutionRecorder::record(store::ExecutionRecord& execution,
                                             store::AuditEntry audit) {
  if (execution.id.empty()) execution.id = store::new_id("x_");
  if (execution.started_at.empty()) execution.started_at = store::now_rfc3339();
  Slot slot{&execution, std::move(audit)};
  std::unique_lock lock(mutex_);
  pending_.push_back(&slot);
  while (!slot.done) {
    if (!writing_) {
      write_batch(lock);
    } else {
      committed_.wait(lock);
    }
  }
  if (slot.error) return *slot.error;
  return {};
}

// Called with the lock held and writing_ false; writes up to max_batch_ pending
// slots with the lock released, then marks them done.
void ExecutionRecorder::write_batch(std::unique_lock<std::mutex>& lock) {
  writing_ = true;
  auto take = std::min(pending_.size(), max_batch_);
  std::vector<Slot*> batch(pending_.begin(), pending_.begin() + static_cast<long>(take));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(take));
  lock.unlock();

  std::vector<store::ExecutionRecord> executions;
  std::vector<store::AuditEntry> audit;
  executions.reserve(batch.size());
  audit.reserve(batch.size());
  for (auto* slot : batch) {
    executions.push_back(*slot->execution);
    audit.push_back(slot->audit);
  }
  auto written = store_.record_batch(executions, audit);

  lock.lock();
  for (auto* slot : batch) {
    slot->done = true;
    if (!written) slot->error = written.error();
  }
  if (written) {
    ++batches_;
    records_ += batch.size();
  }
  writing_ = false;
  committed_.notify_all();
}

std::size_t ExecutionRecorder::batches_written() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

std::size_t ExecutionRecorder::records_written() const {
  std::lock_guard lock(mutex_);
  return records_;
}

}  // namespace patchbay::server
