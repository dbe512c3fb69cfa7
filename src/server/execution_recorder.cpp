#include "server/execution_recorder.hpp"

#include <algorithm>
#include <thread>

namespace patchbay::server {

ExecutionRecorder::ExecutionRecorder(store::Store& store, std::size_t max_batch)
    : store_(store), max_batch_(std::max<std::size_t>(1, max_batch)) {}

core::Result<void> ExecutionRecorder::record(store::ExecutionRecord& execution,
                                             store::AuditEntry audit) {
  if (execution.id.empty()) execution.id = store::new_id("x_");
  if (execution.started_at.empty()) execution.started_at = store::now_rfc3339();
  Slot slot{&execution, std::move(audit)};
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(&slot);
    if (!writing_) {
      writing_ = true;
      slot.lead = true;
    }
  }
  if (!slot.lead) slot.wake.acquire();  // served by another's commit, or made leader
  if (!slot.done) lead(slot);
  if (slot.error) return *slot.error;
  return {};
}

// Writes up to max_batch_ pending slots (the leader's own first) in one
// transaction, then wakes the callers served and hands the lead on.
void ExecutionRecorder::lead(Slot& self) {
  std::vector<Slot*> batch;
  // Give callers that are about to arrive a moment to join this commit.
  std::this_thread::yield();
  {
    std::lock_guard lock(mutex_);
    auto take = std::min(pending_.size(), max_batch_);
    batch.assign(pending_.begin(), pending_.begin() + static_cast<long>(take));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(take));
  }
  std::vector<store::ExecutionRecord> executions;
  std::vector<store::AuditEntry> audit;
  executions.reserve(batch.size());
  audit.reserve(batch.size());
  // Moved, not copied (results can be large trees), and moved back before the
  // callers are woken: each finds its record as written.
  for (auto* slot : batch) {
    executions.push_back(std::move(*slot->execution));
    audit.push_back(std::move(slot->audit));
  }
  auto written = store_.record_batch(executions, audit);
  for (std::size_t i = 0; i < batch.size(); ++i) *batch[i]->execution = std::move(executions[i]);

  Slot* next = nullptr;
  {
    std::lock_guard lock(mutex_);
    for (auto* slot : batch) {
      slot->done = true;
      if (!written) slot->error = written.error();
    }
    if (written) {
      ++batches_;
      records_ += batch.size();
    }
    if (pending_.empty()) {
      writing_ = false;
    } else {
      next = pending_.front();
      next->lead = true;
    }
  }
  // A released caller returns and its slot is gone: touch nothing after release.
  for (auto* slot : batch) {
    if (slot != &self) slot->wake.release();
  }
  if (next != nullptr) next->wake.release();
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
