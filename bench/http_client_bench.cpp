// Outbound client overhead: a raw libcurl easy handle with keep-alive against
// http::Client::request() with the SSRF policy, retries, rate limiter and breaker
// on, all against the same loopback server in one run.
//
// Two raw baselines: "bare" sends libcurl's minimal request (Host, Accept: */*);
// "same request" sends the header lines request() sends by default (Accept,
// Accept-Encoding: gzip, User-Agent), set up the same way, so the difference to
// it is the client's own machinery rather than a longer request. libcurl 7.88
// formats every header line a character at a time, and the server parses each,
// so header bytes alone cost several thousand instructions per request.
//
// Reports p50/p99 latency of sequential requests and throughput with 16 concurrent
// callers, and the client/raw ratios. Rerun: build/bench/http_client_bench [requests]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
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

enum class RawRequest { Bare, SameAsClient };

// One keep-alive easy handle per caller, as a careful hand-written client would use.
struct RawCaller {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  std::string sink;
  RawCaller(const std::string& url, RawRequest request) {
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discard);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    if (request == RawRequest::SameAsClient) {
      for (const char* line : {"Accept: application/json, */*;q=0.5", "Accept-Encoding: gzip",
                               "User-Agent: patchbay/0.1"}) {
        headers = curl_slist_append(headers, line);
      }
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
    }
  }
  ~RawCaller() {
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
  }
  RawCaller(const RawCaller&) = delete;
  RawCaller& operator=(const RawCaller&) = delete;
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
  // `--only bare|same|client N`: just N sequential requests of one path, for
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

  // The three paths, each a factory of per-thread callers.
  struct Path {
    const char* name;
    std::function<std::function<bool()>()> make_caller;
  };
  auto raw_path = [&](const char* name, RawRequest request) {
    return Path{name, [&url, request]() -> std::function<bool()> {
                  return [caller = std::make_shared<RawCaller>(url, request)] {
                    return caller->call();
                  };
                }};
  };
  const Path paths[] = {raw_path("raw, bare", RawRequest::Bare),
                        raw_path("raw, same request", RawRequest::SameAsClient),
                        Path{"http::Client", [&] { return std::function<bool()>(client_call); }}};
  constexpr std::size_t kClient = 2;

  // Warm every path (connections, allocator) before measuring.
  std::vector<std::function<bool()>> sequential;
  for (const auto& path : paths) sequential.push_back(path.make_caller());
  for (int i = 0; i < 200; ++i) {
    for (auto& call : sequential) call();
  }

  if (!only.empty()) {
    std::size_t which = only == "bare" ? 0 : only == "same" ? 1 : kClient;
    for (int i = 0; i < requests; ++i) {
      if (!sequential[which]()) return 1;
    }
    return 0;
  }

  // Rounds alternate the paths so drift on a shared machine hits all alike; each
  // figure is the median over the rounds.
  constexpr int kRounds = 7;
  constexpr std::size_t kPaths = std::size(paths);
  std::vector<double> p50s[kPaths], p99s[kPaths], rpss[kPaths], p50_ratios[kPaths],
      rps_ratios[kPaths];
  int per_caller = std::max(1, requests / kCallers);
  for (int round = 0; round < kRounds; ++round) {
    double p50[kPaths], rps[kPaths];
    for (std::size_t i = 0; i < kPaths; ++i) {
      auto lat = latencies(requests, sequential[i]);
      p50[i] = percentile(lat, 0.5);
      p50s[i].push_back(p50[i]);
      p99s[i].push_back(percentile(lat, 0.99));
      rps[i] = throughput(kCallers, per_caller, paths[i].make_caller);
      rpss[i].push_back(rps[i]);
    }
    for (std::size_t i = 0; i < kClient; ++i) {
      p50_ratios[i].push_back(p50[kClient] / p50[i]);
      rps_ratios[i].push_back(rps[kClient] / rps[i]);
    }
  }
  auto median = [](std::vector<double> v) { return percentile(std::move(v), 0.5); };

  std::printf("median of %d rounds; sequential latency over %d requests each (microseconds),\n"
              "throughput with %d concurrent callers x %d requests (requests/s)\n",
              kRounds, requests, kCallers, per_caller);
  for (std::size_t i = 0; i < kPaths; ++i) {
    std::printf("  %-18s p50 %7.1f  p99 %7.1f  %9.0f req/s\n", paths[i].name, median(p50s[i]),
                median(p99s[i]), median(rpss[i]));
  }
  for (std::size_t i = 0; i < kClient; ++i) {
    std::printf("  client vs %-18s p50 overhead %+5.1f%%  throughput %5.1f%%\n", paths[i].name,
                (median(p50_ratios[i]) - 1.0) * 100.0, median(rps_ratios[i]) * 100.0);
  }
  return 0;
}
