#include "http/resilience.hpp"

#include <algorithm>
#include <cmath>

#include "http/client.hpp"
#include "http/http_error.hpp"

namespace patchbay::http {
namespace {

using std::chrono::milliseconds;

milliseconds until(SteadyTime later, SteadyTime now) {
  if (later <= now) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(later - now);
}

// A server may pause us for at most this long through rate-limit headers.
constexpr std::chrono::seconds kMaxServerPause{3600};

}  // namespace

struct ResilienceInstance {
  std::mutex mutex;
  std::condition_variable slot_freed;
  RateLimitPolicy limits;
  std::optional<TokenBucket> per_second;
  std::optional<TokenBucket> per_minute;
  int in_flight = 0;
  SteadyTime paused_until{};
  std::map<std::string, CircuitBreaker> breakers;  // by host
};

TokenBucket::TokenBucket(double rate_per_second, double burst, SteadyTime now)
    : rate_(rate_per_second), burst_(std::max(1.0, burst)), tokens_(burst_), updated_(now) {}

milliseconds TokenBucket::reserve(SteadyTime now) {
  double elapsed = std::chrono::duration<double>(now - updated_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    updated_ = now;
  }
  tokens_ -= 1.0;  // may go negative: the token is booked ahead
  if (tokens_ >= 0) return milliseconds(0);
  return milliseconds(static_cast<long long>(std::ceil(-tokens_ / rate_ * 1000.0)));
}

void TokenBucket::cancel() { tokens_ = std::min(burst_, tokens_ + 1.0); }

bool CircuitBreaker::allow(SteadyTime now) {
  if (policy_.failure_threshold <= 0) return true;
  switch (state(now)) {
    case State::Closed:
      return true;
    case State::Open:
      return false;
    case State::HalfOpen:
      if (probe_in_flight_) return false;
      state_ = State::HalfOpen;
      probe_in_flight_ = true;
      return true;
  }
  return true;
}

void CircuitBreaker::record_success() {
  state_ = State::Closed;
  failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::record_failure(SteadyTime now) {
  probe_in_flight_ = false;
  if (policy_.failure_threshold <= 0) return;
  ++failures_;
  if (state_ == State::HalfOpen || failures_ >= policy_.failure_threshold) {
    state_ = State::Open;
    opened_at_ = now;
  }
}

CircuitBreaker::State CircuitBreaker::state(SteadyTime now) const {
  if (state_ == State::Open && now >= retry_at()) return State::HalfOpen;
  return state_;
}

Resilience::Resilience(Sleep sleep, Now now) : sleep_(std::move(sleep)), now_(std::move(now)) {}
Resilience::~Resilience() = default;

Resilience::Permit::Permit(Permit&& other) noexcept : instance_(other.instance_) {
  other.instance_ = nullptr;
}

Resilience::Permit::~Permit() {
  if (instance_ == nullptr) return;
  {
    std::lock_guard lock(instance_->mutex);
    --instance_->in_flight;
  }
  instance_->slot_freed.notify_one();
}

ResilienceInstance& Resilience::instance(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = instances_[name];
  if (!slot) slot = std::make_unique<ResilienceInstance>();
  return *slot;
}

Resilience::Permit Resilience::admit(const std::string& name, const std::string& host,
                                     const RateLimitPolicy& limits, const BreakerPolicy& breaker,
                                     SteadyTime deadline, std::string_view url) {
  ResilienceInstance& inst = instance(name);
  std::unique_lock lock(inst.mutex);
  SteadyTime now = now_();
  auto& circuit = inst.breakers.try_emplace(host, breaker).first->second;
  // Redacting parses the URL, so it happens only when there is an error to report.
  auto shown = [&] { return redact_url(url); };
  auto open_error = [&] {
    return HttpError(HttpErrorCode::CircuitOpen,
                     "circuit open for " + host + " after " +
                         std::to_string(breaker.failure_threshold) +
                         " consecutive failures; next probe in " +
                         std::to_string(until(circuit.retry_at(), now).count()) + " ms",
                     false, {{"url", shown()}, {"host", host}});
  };
  if (circuit.state(now) == CircuitBreaker::State::Open) throw open_error();

  // The instance's policy is the latest one given; buckets follow it.
  if (inst.limits.per_second != limits.per_second) {
    inst.per_second.reset();
    if (limits.per_second > 0) inst.per_second.emplace(limits.per_second, limits.per_second, now);
  }
  if (inst.limits.per_minute != limits.per_minute) {
    inst.per_minute.reset();
    if (limits.per_minute > 0)
      inst.per_minute.emplace(limits.per_minute / 60.0, limits.per_minute, now);
  }
  inst.limits = limits;

  milliseconds wait = limits.honour_server_limits ? until(inst.paused_until, now) : milliseconds(0);
  if (inst.per_second) wait = std::max(wait, inst.per_second->reserve(now));
  if (inst.per_minute) wait = std::max(wait, inst.per_minute->reserve(now));
  auto give_back = [&] {
    if (inst.per_second) inst.per_second->cancel();
    if (inst.per_minute) inst.per_minute->cancel();
  };
  if (now + wait > deadline) {
    give_back();
    throw HttpError(HttpErrorCode::RateLimited,
                    "rate limit for '" + (name.empty() ? std::string("default") : name) +
                        "' would delay " + shown() + " by " + std::to_string(wait.count()) +
                        " ms, past its timeout",
                    false, {{"url", shown()}, {"waitMs", wait.count()}});
  }
  if (limits.max_concurrent > 0) {
    // Concurrency slots free up in real time, so this wait uses the real clock.
    auto real_deadline = std::chrono::steady_clock::now() + (deadline - now);
    if (!inst.slot_freed.wait_until(lock, real_deadline,
                                    [&] { return inst.in_flight < limits.max_concurrent; })) {
      give_back();
      throw HttpError(HttpErrorCode::RateLimited,
                      "all " + std::to_string(limits.max_concurrent) +
                          " concurrent request slots stayed busy until the timeout of " + shown(),
                      false, {{"url", shown()}});
    }
  }
  ++inst.in_flight;
  Permit permit;
  permit.instance_ = &inst;
  lock.unlock();

  if (wait.count() > 0) sleep_(wait);

  lock.lock();
  now = now_();
  if (!circuit.allow(now)) throw open_error();  // the permit frees the slot
  return permit;
}

void Resilience::record(const std::string& name, const std::string& host, Outcome outcome,
                        const RateLimitInfo& server_limits) {
  ResilienceInstance* inst = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto found = instances_.find(name);
    if (found == instances_.end()) return;
    inst = found->second.get();
  }
  std::lock_guard lock(inst->mutex);
  SteadyTime now = now_();
  auto found = inst->breakers.find(host);
  if (found != inst->breakers.end()) {
    switch (outcome) {
      case Outcome::Success:
        found->second.record_success();
        break;
      case Outcome::Failure:
        found->second.record_failure(now);
        break;
      case Outcome::Neutral:
        found->second.record_neutral();
        break;
    }
  }
  if (server_limits.remaining && *server_limits.remaining <= 0 && server_limits.reset) {
    // Reset is seconds from now, or (large values) a Unix time.
    long long seconds = *server_limits.reset;
    if (seconds > 1'000'000'000) {
      seconds -= std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    }
    seconds = std::clamp<long long>(seconds, 0, kMaxServerPause.count());
    inst->paused_until = std::max(inst->paused_until, now + std::chrono::seconds(seconds));
  }
}

CircuitBreaker::State Resilience::breaker_state(const std::string& name, const std::string& host) {
  std::lock_guard lock(mutex_);
  auto found = instances_.find(name);
  if (found == instances_.end()) return CircuitBreaker::State::Closed;
  std::lock_guard inner(found->second->mutex);
  auto breaker = found->second->breakers.find(host);
  if (breaker == found->second->breakers.end()) return CircuitBreaker::State::Closed;
  return breaker->second.state(now_());
}

std::vector<Resilience::BreakerSnapshot> Resilience::breakers() {
  std::vector<BreakerSnapshot> out;
  std::lock_guard lock(mutex_);
  for (auto& [name, instance] : instances_) {
    std::lock_guard inner(instance->mutex);
    for (auto& [host, breaker] : instance->breakers) {
      out.push_back({name, host, breaker.state(now_())});
    }
  }
  return out;
}

}  // namespace patchbay::http
