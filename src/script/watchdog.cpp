#include "script/watchdog.hpp"

#include <algorithm>

#include <pthread.h>

namespace patchbay::script {
namespace {

// How often CPU budgets are sampled: a thread's CPU clock cannot be waited on.
constexpr std::chrono::milliseconds kCpuPoll{2};
// After the last watch is disarmed the thread keeps its poll this long before
// sleeping until woken: back-to-back executions then never have to wake it.
constexpr std::chrono::milliseconds kIdleLinger{50};

std::chrono::nanoseconds cpu_now(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

Watchdog::Watch::Watch(Trip trip) : trip_(std::move(trip)) {
  pthread_getcpuclockid(pthread_self(), &cpu_clock_);
  Watchdog::instance().add(this);
}

Watchdog::Watch::~Watch() {
  disarm();
  Watchdog::instance().remove(this);
}

void Watchdog::Watch::arm(std::chrono::steady_clock::time_point wall_deadline,
                          std::chrono::nanoseconds cpu_budget) {
  {
    std::lock_guard lock(mutex_);
    if (armed_) return;
    armed_ = true;
    wall_deadline_ = wall_deadline;
    cpu_start_ = cpu_now(cpu_clock_);
    cpu_budget_ = cpu_budget;
  }
  Watchdog::instance().armed(wall_deadline);
}

void Watchdog::Watch::disarm() {
  {
    std::lock_guard lock(mutex_);
    if (!armed_) return;
    armed_ = false;
  }
  Watchdog::instance().disarmed();
}

Watchdog& Watchdog::instance() {
  static Watchdog watchdog;
  return watchdog;
}

Watchdog::Watchdog() : thread_([this] { run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::add(Watch* watch) {
  std::lock_guard lock(mutex_);
  watches_.push_back(watch);
}

void Watchdog::remove(Watch* watch) {
  // Taking the lock waits out a look in progress, which may be tripping this watch.
  std::lock_guard lock(mutex_);
  watches_.erase(std::remove(watches_.begin(), watches_.end(), watch), watches_.end());
}

void Watchdog::armed(Clock::time_point wall_deadline) {
  armed_count_.fetch_add(1);
  // The thread polls every kCpuPoll while anything is armed; it needs waking only
  // when it sleeps past this deadline, or sleeps until woken. A wake per execution
  // would cost two context switches each on a small machine.
  if (wall_deadline.time_since_epoch().count() < wakes_at_.load()) {
    std::lock_guard lock(mutex_);
    wakes_at_.store(std::min(wakes_at_.load(), wall_deadline.time_since_epoch().count()));
    wake_.notify_all();
  }
}

void Watchdog::disarmed() { armed_count_.fetch_sub(1); }

Watchdog::Clock::time_point Watchdog::check(Clock::time_point now, bool& any_armed) {
  auto next = now + kCpuPoll;
  any_armed = false;
  for (Watch* watch : watches_) {
    // The watch's lock keeps its owner from disarming (and ending the execution
    // trip would touch) while it is looked at and tripped.
    std::lock_guard lock(watch->mutex_);
    if (!watch->armed_) continue;
    any_armed = true;
    const char* limit = nullptr;
    if (now >= watch->wall_deadline_) {
      limit = "wall time";
    } else if (cpu_now(watch->cpu_clock_) - watch->cpu_start_ >= watch->cpu_budget_) {
      limit = "CPU time";
    } else {
      next = std::min(next, watch->wall_deadline_);
    }
    watch->trip_(limit);
    if (limit != nullptr) {
      // A limit is reported once per arming; the execution is ending.
      watch->wall_deadline_ = Clock::time_point::max();
      watch->cpu_budget_ = std::chrono::nanoseconds::max();
    }
  }
  return next;
}

void Watchdog::run() {
  std::unique_lock lock(mutex_);
  Clock::time_point linger_until{};
  while (!stopping_) {
    auto now = Clock::now();
    bool any_armed = false;
    auto next = check(now, any_armed);
    if (any_armed) {
      linger_until = now + kIdleLinger;
    } else if (now >= linger_until) {
      next = Clock::time_point::max();
    }
    wakes_at_.store(next.time_since_epoch().count());
    // An arm() that missed the store above is counted here (see armed_count_).
    if (next == Clock::time_point::max() && armed_count_.load() > 0) {
      next = now + kCpuPoll;
      wakes_at_.store(next.time_since_epoch().count());
    }
    if (next == Clock::time_point::max()) {
      wake_.wait(lock, [&] {
        return stopping_ || wakes_at_.load() != Clock::time_point::max().time_since_epoch().count();
      });
    } else {
      wake_.wait_until(lock, next, [&] {
        return stopping_ || wakes_at_.load() < next.time_since_epoch().count();
      });
    }
  }
}

}  // namespace patchbay::script
