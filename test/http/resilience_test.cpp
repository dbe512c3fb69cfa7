#include "http/resilience.hpp"

#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "http/client.hpp"
#include "support/fake_upstream.hpp"
#include "support/manual_clock.hpp"

namespace patchbay::http {
namespace {

using namespace std::chrono_literals;
using test::FakeUpstream;
using test::ManualClock;
using State = CircuitBreaker::State;

TEST(TokenBucketTest, AllowsABurstThenPacesAtTheRate) {
  SteadyTime t0{};
  TokenBucket bucket(10, 10, t0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(bucket.reserve(t0), 0ms) << i;
  EXPECT_EQ(bucket.reserve(t0), 100ms);
  EXPECT_EQ(bucket.reserve(t0), 200ms);  // booked behind the previous one
  EXPECT_EQ(bucket.reserve(t0 + 1s), 0ms);
}

TEST(CircuitBreakerTest, OpensHalfOpensAndCloses) {
  SteadyTime t0{};
  CircuitBreaker breaker(BreakerPolicy{.failure_threshold = 3, .cooldown = 1000ms});
  for (int i = 0; i < 2; ++i) breaker.record_failure(t0);
  EXPECT_EQ(breaker.state(t0), State::Closed);
  breaker.record_failure(t0);
  EXPECT_EQ(breaker.state(t0), State::Open);
  EXPECT_FALSE(breaker.allow(t0 + 999ms));
  EXPECT_EQ(breaker.state(t0 + 1000ms), State::HalfOpen);
  EXPECT_TRUE(breaker.allow(t0 + 1000ms));   // the one probe
  EXPECT_FALSE(breaker.allow(t0 + 1001ms));  // no second probe while it runs
  breaker.record_failure(t0 + 1100ms);       // the probe failed: open again
  EXPECT_EQ(breaker.state(t0 + 1200ms), State::Open);
  EXPECT_TRUE(breaker.allow(t0 + 2100ms));
  breaker.record_success();
  EXPECT_EQ(breaker.state(t0 + 2100ms), State::Closed);
  EXPECT_TRUE(breaker.allow(t0 + 2100ms));
}

TEST(CircuitBreakerTest, SuccessResetsTheFailureCount) {
  SteadyTime t0{};
  CircuitBreaker breaker(BreakerPolicy{.failure_threshold = 2, .cooldown = 1000ms});
  breaker.record_failure(t0);
  breaker.record_success();
  breaker.record_failure(t0);
  EXPECT_EQ(breaker.state(t0), State::Closed);
}

// A client on a manual clock: waits advance the clock and are recorded.
struct ManualClient {
  ManualClock clock;
  Client client{ClientConfig{*SsrfPolicy::parse("127.0.0.0/8"), nullptr,
                             [this](std::chrono::milliseconds d) { clock.sleep(d); },
                             [] { return 0.5; }, [this] { return clock.now(); }}};
};

TEST(ResilienceClientTest, PacesRequestsToTheInstanceRate) {
  FakeUpstream upstream;
  upstream.on("GET", "/p", FakeUpstream::Reply::json(200, "{}"));
  ManualClient mc;
  RequestOptions options;
  options.instance = "crm-prod";
  options.rate_limit.per_second = 2;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(mc.client.request(upstream.url("/p"), options).status, 200);
  EXPECT_EQ(mc.clock.sleeps(), (std::vector<std::chrono::milliseconds>{500ms, 500ms, 500ms}));
  EXPECT_EQ(upstream.requests().size(), 5u);

  // Another instance has its own bucket.
  RequestOptions other = options;
  other.instance = "crm-test";
  EXPECT_EQ(mc.client.request(upstream.url("/p"), other).status, 200);
  EXPECT_EQ(mc.clock.sleeps().size(), 3u);
}

TEST(ResilienceClientTest, FailsFastWhenTheRateLimitWouldOutlastTheTimeout) {
  FakeUpstream upstream;
  upstream.on("GET", "/p", FakeUpstream::Reply::json(200, "{}"));
  ManualClient mc;
  RequestOptions options;
  options.rate_limit.per_minute = 1;
  options.timeout = 2000ms;
  EXPECT_EQ(mc.client.request(upstream.url("/p"), options).status, 200);
  try {
    (void)mc.client.request(upstream.url("/p"), options);
    FAIL() << "expected rate_limited";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.code(), HttpErrorCode::RateLimited);
    EXPECT_NE(std::string(error.what()).find("past its timeout"), std::string::npos);
  }
  EXPECT_EQ(upstream.requests().size(), 1u);
  EXPECT_TRUE(mc.clock.sleeps().empty());
}

TEST(ResilienceClientTest, PausesWhenTheServerReportsNoRemainingQuota) {
  FakeUpstream upstream;
  upstream.on("GET", "/q",
              FakeUpstream::Reply{200,
                                  {{"Content-Type", "application/json"},
                                   {"X-RateLimit-Remaining", "0"},
                                   {"X-RateLimit-Reset", "3"}},
                                  "{}",
                                  {}});
  ManualClient mc;
  EXPECT_EQ(mc.client.request(upstream.url("/q"), {}).status, 200);
  EXPECT_EQ(mc.client.request(upstream.url("/q"), {}).status, 200);
  ASSERT_EQ(mc.clock.sleeps().size(), 1u);
  EXPECT_EQ(mc.clock.sleeps()[0], 3000ms);
}

TEST(ResilienceClientTest, CircuitOpensFailsFastAndRecoversThroughAProbe) {
  FakeUpstream upstream;
  std::atomic<int> status{500};
  upstream.set_handler(
      [&](const FakeUpstream::Request&) { return FakeUpstream::Reply::json(status.load(), "{}"); });
  ManualClient mc;
  RequestOptions options;
  options.instance = "billing";
  options.retry.max_attempts = 1;
  options.breaker = BreakerPolicy{.failure_threshold = 2, .cooldown = 10'000ms};
  EXPECT_EQ(mc.client.request(upstream.url("/b"), options).status, 500);
  EXPECT_EQ(mc.client.request(upstream.url("/b"), options).status, 500);
  try {
    (void)mc.client.request(upstream.url("/b"), options);
    FAIL() << "expected circuit_open";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.code(), HttpErrorCode::CircuitOpen);
    EXPECT_NE(std::string(error.what()).find("after 2 consecutive failures"), std::string::npos);
  }
  EXPECT_EQ(upstream.requests().size(), 2u);  // the open circuit sent nothing
  auto stats = mc.client.stats();
  EXPECT_EQ(stats.attempts, 2u);
  EXPECT_EQ(stats.errors["circuit_open"], 1u);
  ASSERT_EQ(stats.breakers.size(), 1u);
  EXPECT_EQ(stats.breakers[0].instance, "billing");
  EXPECT_EQ(stats.breakers[0].state, CircuitBreaker::State::Open);

  mc.clock.advance(10'000ms);
  status = 200;
  EXPECT_EQ(mc.client.request(upstream.url("/b"), options).status, 200);  // the probe
  EXPECT_EQ(mc.client.request(upstream.url("/b"), options).status, 200);  // closed again
  EXPECT_EQ(upstream.requests().size(), 4u);
}

TEST(ResilienceClientTest, CapsConcurrentRequestsPerInstance) {
  FakeUpstream upstream;
  upstream.set_handler([](const FakeUpstream::Request&) {
    FakeUpstream::Reply reply = FakeUpstream::Reply::json(200, "{}");
    reply.delay = 150ms;
    return reply;
  });
  Client client(ClientConfig{*SsrfPolicy::parse("127.0.0.1"), nullptr});
  RequestOptions options;
  options.instance = "serial";
  options.rate_limit.max_concurrent = 1;
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i) {
    callers.emplace_back([&] { ok += client.request(upstream.url("/c"), options).status == 200; });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok.load(), 3);
  // One at a time: three 150 ms replies cannot overlap (a correctness bound).
  EXPECT_GE(std::chrono::steady_clock::now() - started, 450ms);

  // A caller that cannot get a slot before its timeout fails fast. The holder's
  // request is known to hold the slot once the upstream has received it.
  std::promise<void> holding;
  std::atomic<bool> signalled{false};
  upstream.set_handler([&](const FakeUpstream::Request&) {
    if (!signalled.exchange(true)) holding.set_value();
    FakeUpstream::Reply reply = FakeUpstream::Reply::json(200, "{}");
    reply.delay = 500ms;
    return reply;
  });
  RequestOptions impatient = options;
  impatient.timeout = 50ms;
  std::thread holder([&] { (void)client.request(upstream.url("/hold"), options); });
  ASSERT_EQ(holding.get_future().wait_for(10s), std::future_status::ready);
  try {
    (void)client.request(upstream.url("/c"), impatient);
    ADD_FAILURE() << "expected rate_limited";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.code(), HttpErrorCode::RateLimited);
  }
  holder.join();
}

}  // namespace
}  // namespace patchbay::http
