#pragma once
// Commands that misbehave on purpose, for patchbay's own tests of its protocol
// 2.0 client (timeouts, legacy 1.x replies, broken JSON, oversized answers).
// Only served with --enable-test-commands; a real connector has none of these.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "protocol.hpp"

namespace patchbay::example {

inline constexpr std::int64_t kMaxSlowMs = std::int64_t{10} * 60 * 1000;
inline constexpr std::int64_t kMaxHugeResponseBytes = std::int64_t{256} * 1024 * 1024;

// Lets sleeping commands end early when the service shuts down.
// Thread-safety: every member may be called from any thread.
class ShutdownSignal {
 public:
  void trigger();
  // Waits for `duration`; false when shutdown came first.
  bool sleep_for(std::chrono::milliseconds duration) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable woken_;
  bool triggered_ = false;  // guarded by mutex_
};

// slow, legacyResponse, badJson, notObject, wrongTypes, serverError,
// hugeResponse and echo. They keep a reference to `shutdown`.
std::vector<Command> test_commands(const ShutdownSignal& shutdown);

}  // namespace patchbay::example
