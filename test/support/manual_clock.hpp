#pragma once
// ManualClock: time that moves only when a test (or an injected sleep) moves it.
// Thread-safe.

#include <chrono>
#include <mutex>
#include <vector>

namespace patchbay::test {

class ManualClock {
 public:
  std::chrono::steady_clock::time_point now() const {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(std::chrono::milliseconds delta) {
    std::lock_guard lock(mutex_);
    now_ += delta;
  }
  // A sleep that advances the clock instead of waiting, and remembers each wait.
  void sleep(std::chrono::milliseconds delta) {
    std::lock_guard lock(mutex_);
    now_ += delta;
    sleeps_.push_back(delta);
  }
  std::vector<std::chrono::milliseconds> sleeps() const {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace patchbay::test
