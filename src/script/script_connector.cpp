// Wires script connectors into the dispatcher: every command of a script (or oas)
// definition gets a handler that runs the script with floh.http on the outbound
// client and floh.log on the call's logger.

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/json.hpp"
#include "core/text.hpp"
#include "script/script.hpp"
#include "secrets/secrets.hpp"

namespace patchbay::script {
namespace {

bool looks_secret(std::string_view name) {
  std::string lower = core::ascii_lower(name);
  for (const char* hint : {"secret", "token", "password", "passwd", "key", "auth", "credential"}) {
    if (lower.find(hint) != std::string::npos) return true;
  }
  return false;
}

// Client-credentials tokens shared by every execution in the process, so a token
// is fetched once and reused until shortly before it expires. Keyed by everything
// that makes a token (a changed secret gets its own entry); bounded by dropping
// all entries when full, which costs at most one fetch each.
class TokenCache {
 public:
  static TokenCache& instance() {
    static TokenCache cache;
    return cache;
  }

  std::shared_ptr<http::OAuth2ClientCredentials> get(std::string_view connector,
                                                     const http::OAuth2Config& config) {
    std::string key = std::string(connector) + '\n' + config.token_url + '\n' +
                      config.client_id + '\n' + config.client_secret + '\n' + config.scope;
    std::lock_guard lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end()) return found->second;
    if (entries_.size() >= kMaxEntries) entries_.clear();
    auto entry = std::make_shared<http::OAuth2ClientCredentials>(http::default_client(), config);
    entries_.emplace(std::move(key), entry);
    return entry;
  }

 private:
  static constexpr std::size_t kMaxEntries = 1024;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<http::OAuth2ClientCredentials>> entries_;
};

// floh.* as seen from one command call.
class ConnectorHost final : public ScriptHost {
 public:
  ConnectorHost(const core::CommandCall& call, const std::vector<std::string>& secret_fields)
      : call_(call) {
    // Declared secrets, and anything whose name says it is one (scripts run without
    // a schema declare nothing).
    for (const auto& [name, value] : call.connection) {
      bool declared =
          std::find(secret_fields.begin(), secret_fields.end(), name) != secret_fields.end();
      if ((declared || looks_secret(name)) && value.is_string()) {
        secrets_.emplace_back(value.get_string());
      }
    }
  }

  http::Response http(std::string_view url, const http::RequestOptions& options) override {
    http::RequestOptions keyed = options;
    keyed.instance = std::string(call_.connector);
    return http::request(url, keyed, call_.logger);
  }

  std::string oauth2_token(const http::OAuth2Config& config, bool refresh) override {
    auto credentials = TokenCache::instance().get(call_.connector, config);
    if (refresh) credentials->invalidate();
    return credentials->token(call_.logger);
  }

  void log(core::LogLevel level, std::string_view message) override {
    if (!call_.logger.enabled(level)) return;
    call_.logger.log(level, secrets::redact(message, secrets_),
                     {{"connector", call_.connector},
                      {"command", call_.command},
                      {"stepId", call_.context.step_id},
                      {"runId", call_.context.run_id},
                      {"source", "script"}});
  }

 private:
  const core::CommandCall& call_;
  std::vector<std::string> secrets_;
};

}  // namespace

void attach_script_handlers(core::ConnectorDefinition& definition, ScriptLimits limits) {
  // The connector's own "limits" override the defaults given here.
  const auto& own = definition.limits;
  if (own.wall_time_ms) limits.wall_time = std::chrono::milliseconds(*own.wall_time_ms);
  if (own.cpu_time_ms) limits.cpu_time = std::chrono::milliseconds(*own.cpu_time_ms);
  if (own.heap_mib) limits.heap_bytes = static_cast<std::size_t>(*own.heap_mib) * 1024 * 1024;
  if (own.max_http_calls) limits.max_http_calls = static_cast<int>(*own.max_http_calls);
  auto source = std::make_shared<const std::string>(definition.script_source);
  auto filename = std::make_shared<const std::string>(definition.name + ".js");
  std::vector<std::string> secret_fields;
  for (const auto& field : definition.config_schema.connection_config) {
    if (field.secret) secret_fields.push_back(field.name);
  }
  for (auto& command : definition.config_schema.commands) {
    command.handler = [source, filename, secret_fields, limits,
                       name = command.name](const core::CommandCall& call) -> core::CommandOutcome {
      ConnectorHost host(call, secret_fields);
      ScriptCall script{.source = *source,
                        .filename = *filename,
                        .command = name,
                        .params = &call.params,
                        .config = &call.connection,
                        .variables = &call.context.variables,
                        .limits = limits};
      return run_script(script, host);
    };
  }
}

}  // namespace patchbay::script
