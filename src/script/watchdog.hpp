#pragma once
// Watchdog: one background thread that stops runaway scripts. Each thread that
// runs scripts owns a Watchdog::Watch for its lifetime and arms it for the length
// of an execution with a wall-clock deadline and a CPU budget; when either passes,
// the watchdog calls the watch's trip function with the limit's name, once per
// arming. Every poll interval (a few ms) it also calls trip(nullptr), so the
// engine can check what only the script's own thread may read (the heap size) in
// its interrupt callback.
//
// Arming and disarming take only the watch's own lock, which nothing but the
// watchdog's periodic look ever contends: executions on different threads do not
// serialize on the watchdog, and nothing is allocated per execution.
//
// Thread-safety: a Watch is armed and disarmed by the thread that owns it; trip
// runs on the watchdog thread, never after disarm() has returned.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <time.h>

namespace patchbay::script {

class Watchdog {
 public:
  using Trip = std::function<void(const char* limit)>;

  class Watch {
   public:
    // Registers the calling thread (its CPU clock) with the watchdog.
    explicit Watch(Trip trip);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    void arm(std::chrono::steady_clock::time_point wall_deadline,
             std::chrono::nanoseconds cpu_budget);
    // After it returns, trip is not running and will not run until the next arm().
    void disarm();

   private:
    friend class Watchdog;
    Trip trip_;
    clockid_t cpu_clock_{};
    std::mutex mutex_;
    bool armed_ = false;
    std::chrono::steady_clock::time_point wall_deadline_;
    std::chrono::nanoseconds cpu_start_{};
    std::chrono::nanoseconds cpu_budget_{};
  };

  static Watchdog& instance();
  ~Watchdog();

 private:
  using Clock = std::chrono::steady_clock;

  Watchdog();
  void run();
  void add(Watch* watch);
  void remove(Watch* watch);
  void armed(Clock::time_point wall_deadline);
  void disarmed();
  // Looks at every armed watch, trips the ones past a limit; the next time to look.
  Clock::time_point check(Clock::time_point now, bool& any_armed);

  std::mutex mutex_;  // guards watches_ and the thread's sleep
  std::condition_variable wake_;
  std::vector<Watch*> watches_;
  // How many watches are armed, and when the thread looks next (max: not until
  // woken, as ticks of Clock). A thread that arms checks the second after raising
  // the first; the watchdog thread stores the second before reading the first; so
  // one of them always sees the other (both sequentially consistent).
  std::atomic<int> armed_count_{0};
  std::atomic<Clock::rep> wakes_at_{Clock::time_point::max().time_since_epoch().count()};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace patchbay::script
