#pragma once
// Metrics: counters and histograms with labels, rendered in the Prometheus text
// exposition format (version 0.0.4) for GET /metrics.
//
// Families are declared up front (name, help, label names); observations name
// the label values in the same order. Histograms use fixed latency buckets from
// 0.5 ms to 10 s.
//
// Thread-safety: every member may be called concurrently.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace patchbay::http {
struct ClientStats;
}

namespace patchbay::server {

class Metrics {
 public:
  Metrics();

  void count_request(const std::string& method, const std::string& route, int status,
                     double seconds);
  void count_execution(const std::string& connector, const std::string& command, bool success,
                       double seconds);
  // A value read when /metrics is rendered (queue depth, open connections, ...).
  void add_gauge(std::string name, std::string help, std::function<double()> read);
  // Extra text appended verbatim (families rendered elsewhere, e.g. HTTP client state).
  void add_section(std::function<std::string()> render);

  std::string render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative counts are computed on render
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    std::string help;
    std::vector<std::string> labels;
    std::map<std::vector<std::string>, std::uint64_t> counters;
    std::map<std::vector<std::string>, Histogram> histograms;
  };
  void observe(Family& family, const std::vector<std::string>& values, double seconds);

  mutable std::mutex mutex_;
  Family requests_;
  Family request_seconds_;
  Family executions_;
  Family execution_seconds_;
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  std::vector<Gauge> gauges_;
  std::vector<std::function<std::string()>> sections_;
};

// The outbound HTTP client's families: attempts, retries, errors by code, and
// each circuit breaker's state (0 closed, 1 half-open, 2 open).
std::string render_client_stats(const http::ClientStats& stats);

// Prometheus label value escaping: backslash, double quote and newline.
std::string escape_label_value(const std::string& value);

}  // namespace patchbay::server
