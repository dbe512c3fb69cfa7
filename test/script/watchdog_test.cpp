#include "script/watchdog.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace patchbay::script {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// What a watch's trip function saw, written on the watchdog thread.
struct Trips {
  std::atomic<int> polls{0};
  std::atomic<int> limits{0};
  std::atomic<const char*> last_limit{nullptr};

  Watchdog::Trip trip() {
    return [this](const char* limit) {
      if (limit == nullptr) {
        ++polls;
      } else {
        last_limit = limit;
        ++limits;
      }
    };
  }
};

// Waits (up to 5 s, far above the watchdog's few-ms poll) for `done`.
template <class Done>
bool eventually(Done done) {
  auto give_up = Clock::now() + 5s;
  while (!done()) {
    if (Clock::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(WatchdogTest, ReportsAPassedWallDeadlineOncePerArming) {
  Trips trips;
  Watchdog::Watch watch(trips.trip());
  watch.arm(Clock::now() + 20ms, std::chrono::hours(1));
  ASSERT_TRUE(eventually([&] { return trips.limits.load() > 0; }));
  EXPECT_STREQ(trips.last_limit.load(), "wall time");
  std::this_thread::sleep_for(20ms);  // several more polls
  EXPECT_EQ(trips.limits.load(), 1);
  watch.disarm();
}

TEST(WatchdogTest, ReportsASpentCpuBudget) {
  Trips trips;
  Watchdog::Watch watch(trips.trip());
  watch.arm(Clock::now() + std::chrono::hours(1), 20ms);
  volatile unsigned spin = 0;
  auto give_up = Clock::now() + 5s;
  while (trips.limits.load() == 0 && Clock::now() < give_up) spin = spin + 1;
  watch.disarm();
  EXPECT_EQ(trips.limits.load(), 1);
  EXPECT_STREQ(trips.last_limit.load(), "CPU time");
}

TEST(WatchdogTest, PollsWhileArmedAndNeverTripsAfterDisarm) {
  Trips trips;
  Watchdog::Watch watch(trips.trip());
  watch.arm(Clock::now() + std::chrono::hours(1), std::chrono::hours(1));
  ASSERT_TRUE(eventually([&] { return trips.polls.load() >= 2; }));
  watch.disarm();
  int polls = trips.polls.load();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(trips.polls.load(), polls);
  EXPECT_EQ(trips.limits.load(), 0);
}

// After a quiet spell the watchdog sleeps until woken; arming must wake it.
TEST(WatchdogTest, ADeadlineArmedAfterAQuietSpellIsStillMet) {
  Trips trips;
  Watchdog::Watch watch(trips.trip());
  std::this_thread::sleep_for(150ms);  // past the watchdog's idle linger
  watch.arm(Clock::now() + 10ms, std::chrono::hours(1));
  EXPECT_TRUE(eventually([&] { return trips.limits.load() == 1; }));
  watch.disarm();
}

// Threads arming and disarming at full speed, then arming a short deadline:
// every one is reported, none is missed whatever the interleaving.
TEST(WatchdogTest, ManyThreadsArmingAtOnceAreEachWatched) {
  constexpr int kThreads = 8;
  std::vector<Trips> trips(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> met{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Watchdog::Watch watch(trips[t].trip());
      for (int i = 0; i < 2000; ++i) {
        watch.arm(Clock::now() + std::chrono::hours(1), std::chrono::hours(1));
        watch.disarm();
      }
      // Some threads pause first, so the watchdog may have gone to sleep.
      if (t % 2 == 0) std::this_thread::sleep_for(100ms);
      watch.arm(Clock::now() + 5ms, std::chrono::hours(1));
      if (eventually([&] { return trips[t].limits.load() == 1; })) ++met;
      watch.disarm();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(met.load(), kThreads);
  for (const auto& seen : trips) EXPECT_EQ(seen.limits.load(), 1);
}

}  // namespace
}  // namespace patchbay::script
