// Outbound client overhead: a raw libcurl easy handle with keep-alive against
// http::Client::request() with the SSRF policy, retries, rate limiter and breaker
// on, both against the same loopback server in one run.
//
// Reports p50/p99 latency of sequential requests and throughput with 16 concurrent
// callers, and the client/raw ratios. Rerun: build/bench/http_client_bench [requests]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <curl/curl.h>

#include "http/client.hpp"
#include "support/fake_upstream.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using patchbay::test::FakeUpstream;

std::size_t discard(char*, std::size_t size, std::size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(size * count, ' ');
  return size * count;
}

// One keep-alive easy handle per caller, as a careful hand-written client would use.
struct RawCaller {
  CURL* curl = curl_easy_init();
  std::string sink;
  explicit RawCaller(const std::string& url) {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discard);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  }
  ~RawCaller() { curl_easy_cleanup(curl); }
  bool call() {
    sink.clear();
    long status = 0;
    return curl_easy_perform(curl) == CURLE_OK &&
           curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status == 200;
  }
};

double percentile(std::vector<double> samples, double p) {
  std::sort(samples.begin(), samples.end());
  return samples[static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1))];
}

template <class Call>
std::vector<double> latencies(int count, Call&& call) {
  std::vector<double> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    auto start = Clock::now();
    if (!call()) std::abort();
    out.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  return out;
}

template <class MakeCaller>
double throughput(int callers, int per_caller, MakeCaller&& make_caller) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < callers; ++t) {
    threads.emplace_back([&] {
      auto call = make_caller();
      for (int i = 0; i < per_caller; ++i) failures += !call();
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failures > 0) std::abort();
  return callers * per_caller / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  // `--only raw|client N`: just N sequential requests of one path, for
  // `valgrind --tool=callgrind`, which counts instructions instead of timing.
  std::string only = argc > 2 && std::string(argv[1]) == "--only" ? argv[2] : "";
  int requests = std::atoi(argv[only.empty() ? 1 : 3] ? argv[only.empty() ? 1 : 3] : "3000");
  if (requests <= 0) requests = 3000;
  constexpr int kCallers = 16;
  FakeUpstream upstream;
  upstream.on("GET", "/ping", FakeUpstream::Reply::json(200, R"({"ok": true, "n": 1})"));
  std::string url = upstream.url("/ping");
  patchbay::http::Client client(
      patchbay::http::ClientConfig{*patchbay::http::SsrfPolicy::parse("127.0.0.1"), nullptr});
  auto client_call = [&] { return client.request(url, {}).status == 200; };

  // Warm both paths (connections, allocator) before measuring.
  RawCaller warm(url);
  for (int i = 0; i < 200; ++i) {
    warm.call();
    client_call();
  }

  if (!only.empty()) {
    RawCaller single(url);
    for (int i = 0; i < requests; ++i) {
      if (!(only == "raw" ? single.call() : client_call())) return 1;
    }
    return 0;
  }

  // Rounds alternate raw and client so drift on a shared machine hits both alike;
  // each figure is the median over the rounds.
  constexpr int kRounds = 7;
  std::vector<double> raw_p50s, client_p50s, raw_p99s, client_p99s, p50_ratios;
  std::vector<double> raw_rpss, client_rpss, rps_ratios;
  int per_caller = std::max(1, requests / kCallers);
  RawCaller raw(url);
  for (int round = 0; round < kRounds; ++round) {
    auto raw_lat = latencies(requests, [&] { return raw.call(); });
    auto client_lat = latencies(requests, client_call);
    raw_p50s.push_back(percentile(raw_lat, 0.5));
    client_p50s.push_back(percentile(client_lat, 0.5));
    raw_p99s.push_back(percentile(raw_lat, 0.99));
    client_p99s.push_back(percentile(client_lat, 0.99));
    p50_ratios.push_back(client_p50s.back() / raw_p50s.back());
    double raw_rps = throughput(kCallers, per_caller, [&] {
      return [caller = std::make_shared<RawCaller>(url)] { return caller->call(); };
    });
    double client_rps = throughput(kCallers, per_caller, [&] { return client_call; });
    raw_rpss.push_back(raw_rps);
    client_rpss.push_back(client_rps);
    rps_ratios.push_back(client_rps / raw_rps);
  }
  auto median = [](std::vector<double> v) { return percentile(std::move(v), 0.5); };

  std::printf("median of %d rounds; sequential latency over %d requests each (microseconds)\n",
              kRounds, requests);
  std::printf("  raw libcurl      p50 %8.1f  p99 %8.1f\n", median(raw_p50s), median(raw_p99s));
  std::printf("  http::Client     p50 %8.1f  p99 %8.1f\n", median(client_p50s),
              median(client_p99s));
  std::printf("  p50 overhead     %+.1f%%\n", (median(p50_ratios) - 1.0) * 100.0);
  std::printf("throughput, %d concurrent callers x %d requests (requests/s)\n", kCallers,
              per_caller);
  std::printf("  raw libcurl      %10.0f\n", median(raw_rpss));
  std::printf("  http::Client     %10.0f\n", median(client_rpss));
  std::printf("  client/raw       %.1f%%\n", median(rps_ratios) * 100.0);
  return 0;
}
