#pragma once
// WorkerPool: a fixed set of threads with a bounded queue, where the server runs
// everything that may block (store access, connector executions) so the I/O
// threads only read and write sockets.
//
// A full queue refuses new work instead of growing without bound: the caller
// answers 503 and the client retries, which keeps latency bounded under overload.
//
// Thread-safety: every member may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace patchbay::server {

class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t queue_limit);
  ~WorkerPool();  // finishes the queued work, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false when the queue is full or the pool is stopping.
  bool try_submit(std::function<void()> task);

  // Stops taking work and waits until everything queued or running has finished.
  void drain();
  // Like drain(), but gives up after `grace`; false when work was still running.
  bool drain_for(std::chrono::milliseconds grace);

  std::size_t queued() const;
  std::size_t running() const;
  std::size_t threads() const { return threads_.size(); }

 private:
  void work();

  const std::size_t queue_limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::jthread> threads_;
};

}  // namespace patchbay::server
