#pragma once
// Per-connector-instance resilience for the outbound client: client-side rate
// limiting (token buckets per second and per minute, a cap on concurrent
// requests, pauses the server asks for through rate-limit headers) and a circuit
// breaker per instance and host.
//
// Thread-safety: Resilience is shared by all requests of a Client; every member
// function may be called concurrently.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/retry.hpp"

namespace patchbay::http {

using SteadyTime = std::chrono::steady_clock::time_point;

struct RateLimitPolicy {
  double per_second = 0;   // 0: no limit
  double per_minute = 0;   // 0: no limit
  int max_concurrent = 0;  // 0: no limit
  // Pause when the server reports no remaining quota (X-RateLimit-Remaining: 0)
  // until its reset time.
  bool honour_server_limits = true;
};

struct BreakerPolicy {
  // Consecutive failures (network errors, 5xx, 429) that open the circuit; 0 disables it.
  int failure_threshold = 5;
  // How long an open circuit fails fast before it lets one probe through.
  std::chrono::milliseconds cooldown{30'000};
};

// A token bucket holding at most `burst` tokens, refilled at `rate` per second.
// reserve() takes one token now or books the next one and says how long to wait.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst, SteadyTime now);
  std::chrono::milliseconds reserve(SteadyTime now);
  // Gives back a booked token whose request will not be sent.
  void cancel();

 private:
  double rate_;
  double burst_;
  double tokens_;
  SteadyTime updated_;
};

class CircuitBreaker {
 public:
  enum class State { Closed, Open, HalfOpen };

  explicit CircuitBreaker(BreakerPolicy policy) : policy_(policy) {}
  // Whether a request may go now. After the cooldown exactly one probe is let
  // through (half-open) until its outcome is recorded.
  bool allow(SteadyTime now);
  void record_success();
  void record_failure(SteadyTime now);
  // Ends a probe whose outcome says nothing about the host.
  void record_neutral() { probe_in_flight_ = false; }
  State state(SteadyTime now) const;
  // When an open circuit will let a probe through.
  SteadyTime retry_at() const { return opened_at_ + policy_.cooldown; }

 private:
  BreakerPolicy policy_;
  State state_ = State::Closed;
  int failures_ = 0;
  SteadyTime opened_at_{};
  bool probe_in_flight_ = false;
};

struct ResilienceInstance;

class Resilience {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  using Now = std::function<SteadyTime()>;

  Resilience(Sleep sleep, Now now);
  ~Resilience();

  // Holds a concurrency slot until destroyed.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&&) = delete;
    ~Permit();

   private:
    friend class Resilience;
    ResilienceInstance* instance_ = nullptr;
  };

  // Waits for the instance's rate limits, or throws HttpError rate_limited when the
  // wait would pass `deadline`, or circuit_open while the host's circuit is open.
  Permit admit(const std::string& instance, const std::string& host, const RateLimitPolicy& limits,
               const BreakerPolicy& breaker, SteadyTime deadline, std::string_view url);

  enum class Outcome {
    Success,  // the host answered (below 500, not 429)
    Failure,  // a network error or 5xx/429: counts towards opening the circuit
    Neutral,  // says nothing about the host (refused by policy, bad URL)
  };
  // Records an attempt's outcome for the breaker and the server's reported limits.
  void record(const std::string& instance, const std::string& host, Outcome outcome,
              const RateLimitInfo& server_limits);

  // For tests and metrics.
  CircuitBreaker::State breaker_state(const std::string& instance, const std::string& host);
  struct BreakerSnapshot {
    std::string instance;
    std::string host;
    CircuitBreaker::State state;
  };
  // Every breaker that has seen a request, for /metrics.
  std::vector<BreakerSnapshot> breakers();

 private:
  ResilienceInstance& instance(const std::string& name);

  Sleep sleep_;
  Now now_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ResilienceInstance>> instances_;
};

}  // namespace patchbay::http
