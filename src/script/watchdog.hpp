#pragma once
// Watchdog: one background thread that stops runaway scripts. An execution
// registers its wall-clock deadline and CPU budget; when either passes, the
// watchdog calls its trip function with the limit's name, once. Every poll
// interval (a few ms) it also calls trip(nullptr), so the engine can check what
// only the script's own thread may read (the heap size) in its interrupt callback.
//
// Thread-safety: all members may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <pthread.h>

namespace patchbay::script {

class Watchdog {
 public:
  using Trip = std::function<void(const char* limit)>;

  static Watchdog& instance();

  // Starts watching the calling thread until the returned id is released.
  // `trip` runs on the watchdog thread: with a limit name at most once (then the
  // entry is dropped), with nullptr on every poll before that.
  std::uint64_t watch(std::chrono::steady_clock::time_point wall_deadline,
                      std::chrono::nanoseconds cpu_budget, Trip trip);
  void release(std::uint64_t id);

  ~Watchdog();

 private:
  Watchdog();
  void run();

  struct Entry {
    std::chrono::steady_clock::time_point wall_deadline;
    clockid_t cpu_clock;
    std::chrono::nanoseconds cpu_start;
    std::chrono::nanoseconds cpu_budget;
    std::shared_ptr<Trip> trip;
  };

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 1;
  // When the thread looks at the entries next (max: not until woken).
  std::chrono::steady_clock::time_point wakes_at_ = std::chrono::steady_clock::time_point::max();
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace patchbay::script
