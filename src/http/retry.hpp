#pragma once
// Retry decisions for the outbound client: which failures are retried, how long
// to wait (exponential backoff with full jitter, or the server's Retry-After), and
// the rate-limit figures servers report. Pure functions; the client applies them.

#include <chrono>
#include <optional>
#include <string_view>

#include "http/http_error.hpp"

namespace patchbay::http {

enum class Method;
struct RequestOptions;
struct Response;

struct RetryPolicy {
  // Attempts in all, the first included; 1 disables retries.
  int max_attempts = 3;
  std::chrono::milliseconds initial_delay{200};
  std::chrono::milliseconds max_delay{10'000};
  double multiplier = 2.0;
  // A Retry-After longer than this is not waited for: the response is returned.
  std::chrono::milliseconds max_retry_after{60'000};
};

// Server-reported limits from X-RateLimit-* / RateLimit-* and Retry-After headers.
struct RateLimitInfo {
  std::optional<long long> limit;
  std::optional<long long> remaining;
  // Seconds until the window resets, as the server states it.
  std::optional<long long> reset;
  std::optional<std::chrono::milliseconds> retry_after;

  bool empty() const { return !limit && !remaining && !reset && !retry_after; }
};

// Statuses worth another attempt: 429, 502, 503, 504.
bool is_retryable_status(int status);

// Retrying repeats side effects, so only idempotent methods (GET, HEAD, PUT,
// DELETE) are retried, or any method whose request carries an Idempotency-Key.
bool may_retry(Method method, bool has_idempotency_key);

// Full jitter: a uniform draw in [0, min(max_delay, initial * multiplier^(retry-1))].
// `unit` is a number in [0, 1) from the caller's random source; `retry` counts from 1.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit);

// Retry-After as delta-seconds ("120") or an HTTP-date, relative to `now`.
// Nullopt when absent or unreadable; a date in the past is zero.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace patchbay::http
