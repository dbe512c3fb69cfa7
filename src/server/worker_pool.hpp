#pragma once
// WorkerPool: a fixed set of threads with a bounded queue, where the server runs
// everything that may block (store access, connector executions) so the I/O
// threads only read and write sockets.
//
// A full queue refuses new work instead of growing without bound: the caller
// answers 503 and the client retries, which keeps latency bounded under overload.
//
// Hand-off: a task submitted while a worker is idle goes straight to the worker
// that became idle last (LIFO), which is woken alone on its own semaphore; the
// queue only holds work while every worker is busy, and a worker that finishes
// takes the next queued task without sleeping. Under light load the same few
// threads (warm caches) do all the work, and nothing wakes a thread that then
// finds no work - on a machine with few cores each needless wake-up is a
// context switch taken from the requests.
//
// Thread-safety: every member may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

namespace patchbay::server {

class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t queue_limit);
  ~WorkerPool();  // finishes the queued work, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Hands `task` to an idle worker or queues it; false when every worker is
  // busy and the queue is full, or the pool is stopping.
  bool try_submit(std::function<void()> task);

  // Stops taking work and waits until everything queued or running has finished.
  void drain();
  // Like drain(), but gives up after `grace`; false when work was still running.
  bool drain_for(std::chrono::milliseconds grace);

  std::size_t queued() const;
  std::size_t running() const;
  std::size_t threads() const { return threads_.size(); }

 private:
  // One per thread; `task` is set (or the pool is stopping) before `wake` is released.
  struct Worker {
    std::binary_semaphore wake{0};
    std::function<void()> task;
  };
  void work(Worker& self);

  const std::size_t queue_limit_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;  // queue empty and nothing running
  std::deque<std::function<void()>> queue_;
  std::vector<Worker*> sleeping_;  // the last one fell asleep last
  std::size_t running_ = 0;
  bool stopping_ = false;
  bool closed_ = false;  // workers exit once idle
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::jthread> threads_;
};

}  // namespace patchbay::server
