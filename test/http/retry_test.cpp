#include "http/retry.hpp"

#include <atomic>
#include <mutex>

#include <gtest/gtest.h>

#include "http/client.hpp"
#include "support/fake_upstream.hpp"

namespace patchbay::http {
namespace {

using namespace std::chrono_literals;
using test::FakeUpstream;

TEST(RetryRulesTest, RetriesOnlyTransientStatuses) {
  for (int status : {429, 502, 503, 504}) EXPECT_TRUE(is_retryable_status(status)) << status;
  for (int status : {200, 400, 401, 404, 500, 501})
    EXPECT_FALSE(is_retryable_status(status)) << status;
}

TEST(RetryRulesTest, RetriesIdempotentMethodsOrKeyedRequests) {
  EXPECT_TRUE(may_retry(Method::Get, false));
  EXPECT_TRUE(may_retry(Method::Put, false));
  EXPECT_TRUE(may_retry(Method::Delete, false));
  EXPECT_TRUE(may_retry(Method::Head, false));
  EXPECT_FALSE(may_retry(Method::Post, false));
  EXPECT_FALSE(may_retry(Method::Patch, false));
  EXPECT_TRUE(may_retry(Method::Post, true));
}

TEST(RetryRulesTest, BackoffGrowsAndIsCappedWithFullJitter) {
  RetryPolicy policy{
      .max_attempts = 10, .initial_delay = 100ms, .max_delay = 1000ms, .multiplier = 2.0};
  EXPECT_EQ(backoff_delay(policy, 1, 0.999999), 99ms);
  EXPECT_EQ(backoff_delay(policy, 2, 0.5), 100ms);
  EXPECT_EQ(backoff_delay(policy, 3, 0.5), 200ms);
  EXPECT_EQ(backoff_delay(policy, 8, 0.5), 500ms);  // 12800 capped at 1000
  EXPECT_EQ(backoff_delay(policy, 3, 0.0), 0ms);
}

TEST(RetryRulesTest, ReadsRetryAfterSecondsAndDates) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("120", now), 120s);
  EXPECT_EQ(parse_retry_after(" 0 ", now), 0s);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), 30s);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), 0ms);  // past: now
  EXPECT_FALSE(parse_retry_after("soon", now).has_value());
  EXPECT_FALSE(parse_retry_after("-5", now).has_value());
  EXPECT_FALSE(parse_retry_after("", now).has_value());
}

// A client whose waits are recorded instead of slept, with jitter fixed at 0.5.
struct RecordingClient {
  std::mutex mutex;
  std::vector<std::chrono::milliseconds> waits;
  Client client{ClientConfig{*SsrfPolicy::parse("127.0.0.0/8"), nullptr,
                             [this](std::chrono::milliseconds d) {
                               std::lock_guard lock(mutex);
                               waits.push_back(d);
                             },
                             [] { return 0.5; }}};
};

// Replies with `statuses` in order (the last one repeats) and any extra headers.
FakeUpstream::Handler statuses(std::vector<int> list,
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
  auto next = std::make_shared<std::atomic<std::size_t>>(0);
  return [list, headers, next](const FakeUpstream::Request&) {
    std::size_t i = std::min(next->fetch_add(1), list.size() - 1);
    FakeUpstream::Reply reply = FakeUpstream::Reply::json(list[i], "{}");
    for (const auto& h : headers) reply.headers.push_back(h);
    return reply;
  };
}

TEST(RetryClientTest, RetriesUnavailableUpstreamsWithBackoff) {
  FakeUpstream upstream;
  upstream.set_handler(statuses({503, 502, 200}));
  RecordingClient rc;
  auto response = rc.client.request(upstream.url("/flaky"), {});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.meta.retry_count, 2);
  EXPECT_EQ(upstream.requests().size(), 3u);
  EXPECT_EQ(rc.waits, (std::vector<std::chrono::milliseconds>{100ms, 200ms}));
}

TEST(RetryClientTest, GivesUpAfterMaxAttemptsAndReturnsTheLastResponse) {
  FakeUpstream upstream;
  upstream.set_handler(statuses({503}));
  RecordingClient rc;
  auto response = rc.client.request(upstream.url("/down"), {});
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.meta.retry_count, 2);
  EXPECT_EQ(upstream.requests().size(), 3u);
}

TEST(RetryClientTest, HonoursRetryAfter) {
  FakeUpstream upstream;
  upstream.set_handler(statuses({429, 200}, {{"Retry-After", "2"}}));
  RecordingClient rc;
  EXPECT_EQ(rc.client.request(upstream.url("/limited"), {}).status, 200);
  EXPECT_EQ(rc.waits, (std::vector<std::chrono::milliseconds>{2000ms}));
}

TEST(RetryClientTest, DoesNotWaitLongerThanTheCapOrTheTimeout) {
  FakeUpstream upstream;
  upstream.set_handler(statuses({429}, {{"Retry-After", "3600"}}));
  RecordingClient rc;
  EXPECT_EQ(rc.client.request(upstream.url("/x"), {}).status, 429);
  EXPECT_TRUE(rc.waits.empty());

  FakeUpstream short_wait;
  short_wait.set_handler(statuses({503}, {{"Retry-After", "5"}}));
  RequestOptions quick;
  quick.timeout = 1000ms;
  EXPECT_EQ(rc.client.request(short_wait.url("/x"), quick).status, 503);
  EXPECT_TRUE(rc.waits.empty());
  EXPECT_EQ(short_wait.requests().size(), 1u);
}

TEST(RetryClientTest, DoesNotRepeatPostsUnlessTheyCarryAnIdempotencyKey) {
  FakeUpstream upstream;
  upstream.set_handler(statuses({503, 503, 201}));
  RecordingClient rc;
  RequestOptions post;
  post.method = Method::Post;
  post.body = boost::json::object{{"a", 1}};
  EXPECT_EQ(rc.client.request(upstream.url("/orders"), post).status, 503);
  EXPECT_EQ(upstream.requests().size(), 1u);

  post.headers = {{"Idempotency-Key", "order-7"}};
  EXPECT_EQ(rc.client.request(upstream.url("/orders"), post).status, 201);
  EXPECT_EQ(upstream.requests().size(), 3u);
}

TEST(RetryClientTest, RetriesConnectionFailuresThenThrows) {
  std::string closed;
  {
    FakeUpstream gone;
    closed = gone.url("/x");
  }
  RecordingClient rc;
  std::vector<std::string> reasons;
  RequestOptions options;
  options.hooks.on_retry = [&](int, std::chrono::milliseconds, std::string_view reason) {
    reasons.emplace_back(reason);
  };
  bool saw_error = false;
  options.hooks.on_error = [&](const HttpError& e) {
    saw_error = e.code() == HttpErrorCode::ConnectFailed;
  };
  EXPECT_THROW((void)rc.client.request(closed, options), HttpError);
  EXPECT_EQ(reasons, (std::vector<std::string>{"connect_failed", "connect_failed"}));
  EXPECT_TRUE(saw_error);
}

TEST(RetryClientTest, ConnectionsResetByTheServerAreRetried) {
  FakeUpstream upstream;
  auto calls = std::make_shared<std::atomic<int>>(0);
  upstream.set_handler([calls](const FakeUpstream::Request&) {
    FakeUpstream::Reply reply = FakeUpstream::Reply::json(200, R"({"ok": true})");
    reply.reset = ++*calls == 1;
    return reply;
  });
  RecordingClient rc;
  auto response = rc.client.request(upstream.url("/reset"), {});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.meta.retry_count, 1);
}

TEST(RetryClientTest, HooksSeeEveryAttemptAndTheFinalResponse) {
  FakeUpstream upstream;
  upstream.set_handler(statuses({503, 200}));
  RecordingClient rc;
  int attempts = 0;
  int finals = 0;
  RequestOptions options;
  options.hooks.before_request = [&](RequestOptions& o) {
    o.headers.emplace_back("X-Attempt", std::to_string(++attempts));
  };
  options.hooks.after_response = [&](const Response& r) { finals += r.status == 200; };
  EXPECT_EQ(rc.client.request(upstream.url("/h"), options).status, 200);
  EXPECT_EQ(finals, 1);
  auto requests = upstream.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("x-attempt"), "1");
  EXPECT_EQ(requests[1].header("x-attempt"), "2");
}

TEST(RetryClientTest, ReportsRateLimitHeaders) {
  FakeUpstream upstream;
  upstream.set_handler(statuses(
      {200},
      {{"X-RateLimit-Limit", "100"}, {"X-RateLimit-Remaining", "7"}, {"RateLimit-Reset", "30"}}));
  RecordingClient rc;
  auto info = rc.client.request(upstream.url("/r"), {}).meta.rate_limit;
  EXPECT_EQ(info.limit, 100);
  EXPECT_EQ(info.remaining, 7);
  EXPECT_EQ(info.reset, 30);
  EXPECT_FALSE(info.retry_after.has_value());
}

TEST(RetryClientTest, RealWaitsFollowRetryAfterLoosely) {
  FakeUpstream upstream;
  upstream.set_handler(statuses({503, 200}, {{"Retry-After", "1"}}));
  Client client(ClientConfig{*SsrfPolicy::parse("127.0.0.1"), nullptr});
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(client.request(upstream.url("/slow"), {}).status, 200);
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, 900ms);  // a correctness bound, not a speed threshold
}

}  // namespace
}  // namespace patchbay::http
