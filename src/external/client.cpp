// Calls to an external connector's service: /execute for every command, /schema
// when a connector is registered without one, /health for the health check.

#include <chrono>
#include <random>
#include <thread>

#include <boost/json/serialize.hpp>

#include "core/json.hpp"
#include "external/external.hpp"
#include "http/client.hpp"

namespace patchbay::external {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr int kMaxAttempts = 3;
// A service honouring metadata.timeout answers just inside it; this much more
// lets its answer arrive.
constexpr milliseconds kTimeoutGrace{1'000};

std::string join_url(std::string_view base, std::string_view path) {
  std::string url(base);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + std::string(path);
}

std::string unix_seconds() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

// One signed request; retries are the caller's decision.
http::Response send(const Endpoint& endpoint, std::string_view path, http::Method method,
                    std::string body, milliseconds timeout, core::Logger& logger) {
  http::RequestOptions options;
  options.method = method;
  auto timestamp = unix_seconds();
  options.headers = {{std::string(kTimestampHeader), timestamp},
                     {std::string(kSignatureHeader), sign(endpoint.signing_secret, timestamp, body)},
                     {"Accept", "application/json"}};
  if (method == http::Method::Post) {
    options.headers.emplace_back("Content-Type", "application/json");
    options.body = json::value(std::move(body));
  }
  options.timeout = std::max(milliseconds(1), timeout);
  options.connect_timeout = std::min(options.timeout, http::kDefaultConnectTimeout);
  options.retry.max_attempts = 1;  // the callers below decide what is safe to repeat
  // A redirect would carry the signed body to a place nobody registered.
  options.follow_redirects = false;
  options.instance = endpoint.instance;
  return http::request(join_url(endpoint.url, path), options, logger);
}

core::ConnectorResult transport_failure(const http::HttpError& error, const std::string& url) {
  json::object diagnostics = error.details();
  diagnostics["reason"] = http::to_string(error.code());
  diagnostics["endpoint"] = url;
  return core::failure_result("external service at " + http::redact_url(url) +
                                  " could not be reached: " + error.what(),
                              json::value(std::move(diagnostics)));
}

// Nothing reached the service: sending again cannot repeat a side effect.
bool never_sent(const http::HttpError& error) {
  return error.code() == http::HttpErrorCode::DnsFailed ||
         error.code() == http::HttpErrorCode::ConnectFailed;
}

milliseconds retry_delay(int retry, const http::Response* response) {
  if (response != nullptr) {
    if (auto header = response->header("retry-after")) {
      if (auto wait = http::parse_retry_after(*header, std::chrono::system_clock::now())) {
        return *wait;
      }
    }
  }
  thread_local std::minstd_rand engine{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return http::backoff_delay(http::RetryPolicy{}, retry, unit(engine));
}

core::ConnectorResult execute(const Endpoint& endpoint, milliseconds timeout,
                              const core::CommandCall& call) {
  json::object request{
      {"protocolVersion", kProtocolVersion},
      {"command", call.command},
      {"config", call.connection},
      {"params", call.params},
      {"variables", call.context.variables},
      {"metadata", json::object{{"stepId", call.context.step_id},
                                {"runId", call.context.run_id},
                                {"timeout", timeout.count()}}}};
  std::string body = json::serialize(request);
  const std::string url = join_url(endpoint.url, "/execute");
  const auto deadline = Clock::now() + timeout + kTimeoutGrace;
  for (int attempt = 1;; ++attempt) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    std::optional<http::Response> response;
    try {
      response = send(endpoint, "/execute", http::Method::Post, body, left, call.logger);
    } catch (const http::HttpError& error) {
      auto wait = retry_delay(attempt, nullptr);
      if (!never_sent(error) || attempt == kMaxAttempts || Clock::now() + wait >= deadline) {
        return transport_failure(error, url);
      }
      call.logger.warn("external service unreachable, trying again",
                       {{"endpoint", http::redact_url(url)},
                        {"attempt", attempt},
                        {"error", error.what()},
                        {"delayMs", wait.count()}});
      std::this_thread::sleep_for(wait);
      continue;
    }
    // 429: the service refused before doing anything.
    if (response->status == 429 && attempt < kMaxAttempts) {
      auto wait = retry_delay(attempt, &*response);
      if (Clock::now() + wait < deadline) {
        std::this_thread::sleep_for(wait);
        continue;
      }
    }
    return read_execute_response(*response, url);
  }
}

milliseconds timeout_of(const core::ConnectorDefinition& definition) {
  if (definition.limits.wall_time_ms) return milliseconds(*definition.limits.wall_time_ms);
  return kDefaultTimeout;
}

}  // namespace

void attach_external_handlers(core::ConnectorDefinition& definition, Endpoint endpoint) {
  auto shared = std::make_shared<const Endpoint>(std::move(endpoint));
  auto timeout = timeout_of(definition);
  for (auto& command : definition.config_schema.commands) {
    command.handler = [shared, timeout](const core::CommandCall& call) -> core::CommandOutcome {
      return execute(*shared, timeout, call);
    };
  }
}

core::Result<json::object> fetch_schema(const Endpoint& endpoint) {
  const auto url = http::redact_url(join_url(endpoint.url, "/schema"));
  http::Response response;
  try {
    response = send(endpoint, "/schema", http::Method::Get, "", kProbeTimeout, core::null_logger());
  } catch (const http::HttpError& error) {
    return core::Error{core::ErrorCode::UpstreamFailed,
                       "cannot read the connector's schema from " + url + ": " + error.what(),
                       {}};
  }
  if (response.status == 404) {
    return core::Error{core::ErrorCode::NotFound, "the service has no schema at " + url, {}};
  }
  auto fail = [&](std::string why) {
    return core::Error{core::ErrorCode::UpstreamFailed,
                       "cannot read the connector's schema from " + url + ": " + why,
                       {}};
  };
  if (!response.is_successful) {
    std::string why = "it answered HTTP " + std::to_string(response.status);
    if (response.status == 401 || response.status == 403) {
      why += " (a service that checks signatures needs the signing secret it was configured "
             "with, sent as signingSecret)";
    }
    return fail(std::move(why));
  }
  json::value body = response.body;
  if (const auto* text = body.if_string()) {
    auto parsed = core::parse_json(*text);
    if (!parsed) return fail("the body is not JSON (" + parsed.error().message + ")");
    body = std::move(*parsed);
  }
  if (!body.is_object()) {
    return fail("the body is JSON of type " + std::string(core::json_kind_name(body)) +
                ", not a configSchema object");
  }
  return std::move(body.get_object());
}

json::object check_health(const Endpoint& endpoint) {
  const auto url = http::redact_url(join_url(endpoint.url, "/health"));
  auto started = Clock::now();
  json::object out{{"endpoint", url}};
  try {
    auto response =
        send(endpoint, "/health", http::Method::Get, "", kProbeTimeout, core::null_logger());
    out["healthy"] = response.is_successful;
    out["status"] = response.status;
    if (response.body.is_string()) {
      out["body"] = body_excerpt(response.body.get_string());
    } else {
      out["body"] = response.body;
    }
  } catch (const http::HttpError& error) {
    out["healthy"] = false;
    out["error"] = error.what();
    out["reason"] = http::to_string(error.code());
  }
  out["durationMs"] =
      std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
  return out;
}

}  // namespace patchbay::external
