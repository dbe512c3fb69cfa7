#include "script/watchdog.hpp"

#include <vector>

#include <time.h>

namespace patchbay::script {
namespace {

// How often CPU budgets are sampled: a thread's CPU clock cannot be waited on.
constexpr std::chrono::milliseconds kCpuPoll{2};
// After the last entry is released the thread keeps its poll this long before
// sleeping until woken: back-to-back executions then never have to wake it.
constexpr std::chrono::milliseconds kIdleLinger{50};

std::chrono::nanoseconds cpu_now(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

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

std::uint64_t Watchdog::watch(std::chrono::steady_clock::time_point wall_deadline,
                              std::chrono::nanoseconds cpu_budget, Trip trip) {
  clockid_t clock{};
  pthread_getcpuclockid(pthread_self(), &clock);
  std::uint64_t id = 0;
  bool sooner = false;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    entries_[id] = Entry{wall_deadline, clock, cpu_now(clock), cpu_budget,
                         std::make_shared<Trip>(std::move(trip))};
    // The thread polls CPU clocks every kCpuPoll while it is awake; it needs waking
    // only when it sleeps past this deadline (or sleeps until woken).
    if (wall_deadline < wakes_at_) {
      wakes_at_ = wall_deadline;
      sooner = true;
    }
  }
  // A wake per execution would cost two context switches each on a small machine.
  if (sooner) wake_.notify_all();
  return id;
}

void Watchdog::release(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  entries_.erase(id);
}

void Watchdog::run() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mutex_);
  Clock::time_point linger_until{};
  while (!stopping_) {
    auto now = Clock::now();
    if (entries_.empty()) {
      // wakes_at_ tells watch() when this thread looks next; watch() lowers it
      // (and notifies) for a sooner deadline, so waits read the member.
      wakes_at_ = now < linger_until ? now + kCpuPoll : Clock::time_point::max();
      if (wakes_at_ == Clock::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, wakes_at_);
      }
      continue;
    }
    linger_until = now + kIdleLinger;
    auto next_wake = now + kCpuPoll;
    std::vector<std::pair<std::shared_ptr<Trip>, const char*>> calls;
    for (auto it = entries_.begin(); it != entries_.end();) {
      const char* limit = nullptr;
      if (now >= it->second.wall_deadline) {
        limit = "wall time";
      } else if (cpu_now(it->second.cpu_clock) - it->second.cpu_start >= it->second.cpu_budget) {
        limit = "CPU time";
      }
      calls.emplace_back(it->second.trip, limit);
      if (limit != nullptr) {
        it = entries_.erase(it);
        continue;
      }
      next_wake = std::min(next_wake, it->second.wall_deadline);
      ++it;
    }
    wakes_at_ = next_wake;
    lock.unlock();
    for (auto& [trip, limit] : calls) (*trip)(limit);
    lock.lock();
    if (stopping_) break;
    wake_.wait_until(lock, wakes_at_);
  }
}

}  // namespace patchbay::script
