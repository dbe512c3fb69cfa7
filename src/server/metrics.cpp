#include "server/metrics.hpp"

#include <array>
#include <cstdio>

#include "http/client.hpp"

namespace patchbay::server {
namespace {

constexpr std::array kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

std::string labels_text(const std::vector<std::string>& names,
                        const std::vector<std::string>& values, const std::string& extra = {}) {
  std::string out = "{";
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i > 0) out += ",";
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra.empty()) {
    if (out.size() > 1) out += ",";
    out += extra;
  }
  return out + "}";
}

void render_counter(std::string& out, const std::string& name, const auto& family) {
  out += "# HELP " + name + " " + family.help + "\n# TYPE " + name + " counter\n";
  for (const auto& [values, count] : family.counters) {
    out += name + labels_text(family.labels, values) + " " + std::to_string(count) + "\n";
  }
}

void render_histogram(std::string& out, const std::string& name, const auto& family) {
  out += "# HELP " + name + " " + family.help + "\n# TYPE " + name + " histogram\n";
  for (const auto& [values, histogram] : family.histograms) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += histogram.buckets[i];
      out += name + "_bucket" +
             labels_text(family.labels, values, "le=\"" + number(kBuckets[i]) + "\"") + " " +
             std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket" + labels_text(family.labels, values, "le=\"+Inf\"") + " " +
           std::to_string(histogram.count) + "\n";
    out += name + "_sum" + labels_text(family.labels, values) + " " + number(histogram.sum) + "\n";
    out += name + "_count" + labels_text(family.labels, values) + " " +
           std::to_string(histogram.count) + "\n";
  }
}

}  // namespace

std::string render_client_stats(const http::ClientStats& stats) {
  std::string out;
  out +=
      "# HELP patchbay_http_client_attempts_total Outbound HTTP requests sent, retries included.\n"
      "# TYPE patchbay_http_client_attempts_total counter\n"
      "patchbay_http_client_attempts_total " +
      std::to_string(stats.attempts) + "\n";
  out +=
      "# HELP patchbay_http_client_retries_total Outbound HTTP retries.\n"
      "# TYPE patchbay_http_client_retries_total counter\n"
      "patchbay_http_client_retries_total " +
      std::to_string(stats.retries) + "\n";
  out +=
      "# HELP patchbay_http_client_errors_total Outbound HTTP failures, by error code.\n"
      "# TYPE patchbay_http_client_errors_total counter\n";
  for (const auto& [code, count] : stats.errors) {
    out += "patchbay_http_client_errors_total{code=\"" + escape_label_value(code) + "\"} " +
           std::to_string(count) + "\n";
  }
  out +=
      "# HELP patchbay_http_client_breaker_state Circuit breaker per connector and host: "
      "0 closed, 1 half-open, 2 open.\n"
      "# TYPE patchbay_http_client_breaker_state gauge\n";
  for (const auto& breaker : stats.breakers) {
    int state = breaker.state == http::CircuitBreaker::State::Closed     ? 0
                : breaker.state == http::CircuitBreaker::State::HalfOpen ? 1
                                                                         : 2;
    out += "patchbay_http_client_breaker_state{instance=\"" + escape_label_value(breaker.instance) +
           "\",host=\"" + escape_label_value(breaker.host) + "\"} " + std::to_string(state) + "\n";
  }
  return out;
}

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Metrics::Metrics() {
  requests_ = {"HTTP requests served, by method, route and status.", {"method", "route", "status"}};
  request_seconds_ = {"HTTP request latency, by route.", {"route"}};
  executions_ = {"Connector executions, by connector, command and outcome.",
                 {"connector", "command", "outcome"}};
  execution_seconds_ = {"Connector execution latency, by connector.", {"connector"}};
}

void Metrics::observe(Family& family, const std::vector<std::string>& values, double seconds) {
  auto& histogram = family.histograms[values];
  if (histogram.buckets.empty()) histogram.buckets.assign(kBuckets.size(), 0);
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++histogram.buckets[i];
      break;
    }
  }
  ++histogram.count;
  histogram.sum += seconds;
}

void Metrics::count_request(const std::string& method, const std::string& route, int status,
                            double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_.counters[{method, route, std::to_string(status)}];
  observe(request_seconds_, {route}, seconds);
}

void Metrics::count_execution(const std::string& connector, const std::string& command,
                              bool success, double seconds) {
  std::lock_guard lock(mutex_);
  ++executions_.counters[{connector, command, success ? "success" : "failure"}];
  observe(execution_seconds_, {connector}, seconds);
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void Metrics::add_section(std::function<std::string()> render) {
  std::lock_guard lock(mutex_);
  sections_.push_back(std::move(render));
}

std::string Metrics::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  render_counter(out, "patchbay_http_requests_total", requests_);
  render_histogram(out, "patchbay_http_request_duration_seconds", request_seconds_);
  render_counter(out, "patchbay_executions_total", executions_);
  render_histogram(out, "patchbay_execution_duration_seconds", execution_seconds_);
  for (const auto& gauge : gauges_) {
    out += "# HELP " + gauge.name + " " + gauge.help + "\n# TYPE " + gauge.name + " gauge\n" +
           gauge.name + " " + number(gauge.read()) + "\n";
  }
  for (const auto& section : sections_) out += section();
  return out;
}

}  // namespace patchbay::server
