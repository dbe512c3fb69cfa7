#include "server/worker_pool.hpp"

namespace patchbay::server {

WorkerPool::WorkerPool(std::size_t threads, std::size_t queue_limit)
    : queue_limit_(queue_limit == 0 ? 1 : queue_limit) {
  if (threads == 0) threads = 1;
  workers_.reserve(threads);
  sleeping_.reserve(threads);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    auto& worker = *workers_.emplace_back(std::make_unique<Worker>());
    threads_.emplace_back([this, &worker] { work(worker); });
  }
}

WorkerPool::~WorkerPool() {
  drain();
  std::vector<Worker*> sleeping;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    sleeping.swap(sleeping_);
  }
  for (auto* worker : sleeping) worker->wake.release();  // no task: exit
  threads_.clear();  // joins
}

bool WorkerPool::try_submit(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  if (stopping_) return false;
  if (!sleeping_.empty()) {
    Worker* worker = sleeping_.back();
    sleeping_.pop_back();
    worker->task = std::move(task);
    ++running_;
    lock.unlock();
    worker->wake.release();
    return true;
  }
  if (queue_.size() >= queue_limit_) return false;
  queue_.push_back(std::move(task));
  return true;
}

void WorkerPool::drain() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  idle_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

bool WorkerPool::drain_for(std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  return idle_.wait_for(lock, grace, [&] { return queue_.empty() && running_ == 0; });
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t WorkerPool::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

// Invariant (under mutex_): the queue is empty while any worker sleeps, because a
// worker only sleeps on an empty queue and try_submit() only queues when none sleeps.
void WorkerPool::work(Worker& self) {
  std::unique_lock lock(mutex_);
  for (;;) {
    std::function<void()> task;
    if (!queue_.empty()) {
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
      lock.unlock();
    } else {
      if (closed_) return;
      sleeping_.push_back(&self);
      lock.unlock();
      self.wake.acquire();
      // The hand-off set the task (and counted it running) before the release.
      if (!self.task) return;  // the pool is closing
      task = std::move(self.task);
      self.task = nullptr;
    }
    try {
      task();
    } catch (...) {
      // Tasks report their own errors; one that escapes must not take the
      // worker (and with it the server) down.
    }
    task = nullptr;  // what the task holds is released outside the lock
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) idle_.notify_all();
  }
}

}  // namespace patchbay::server
