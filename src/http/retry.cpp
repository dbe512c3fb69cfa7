#include "http/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include <curl/curl.h>

#include "http/client.hpp"

namespace patchbay::http {

bool is_retryable_status(int status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

bool may_retry(Method method, bool has_idempotency_key) {
  if (has_idempotency_key) return true;
  return method == Method::Get || method == Method::Head || method == Method::Put ||
         method == Method::Delete || method == Method::Options || method == Method::Trace;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit) {
  double ceiling = static_cast<double>(policy.initial_delay.count()) *
                   std::pow(policy.multiplier, std::max(0, retry - 1));
  ceiling = std::min(ceiling, static_cast<double>(policy.max_delay.count()));
  unit = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(ceiling * unit));
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc{} && ptr == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::seconds(std::min(seconds, 366LL * 24 * 3600));
  }
  std::string text(value);
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  auto delta = std::chrono::system_clock::from_time_t(when) - now;
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(delta));
}

}  // namespace patchbay::http
