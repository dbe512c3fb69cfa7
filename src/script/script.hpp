#pragma once
// script: user JavaScript connectors in a SpiderMonkey 102 sandbox with seed
// 001's `floh` API.
//
// Each execution runs in a fresh global (realm) on the calling thread's own
// JSContext, so nothing one execution sets is visible to another, sequential or
// concurrent. A script is compiled once per thread to a stencil (cached by source
// hash) and instantiated per execution. The script sees only `floh`
// (params, config, variables, log.*, http.*) and the standard library without
// ArrayBuffer, typed arrays, SharedArrayBuffer, Atomics and WebAssembly; it has
// no file, network, environment, process or timer access. floh.http calls go
// through the ScriptHost, which the dispatcher wires to the outbound HTTP client.
//
// Limits end an execution with a failure naming the limit: wall time (HTTP waits
// included), CPU time in JS, GC heap, HTTP calls, script size, recursion depth.
//
// Thread-safety: every function may be called from any thread; each thread gets
// its own engine context on first use.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/connector_definition.hpp"
#include "core/connector_result.hpp"
#include "core/logger.hpp"
#include "core/result.hpp"
#include "http/client.hpp"
#include "http/oauth2.hpp"

namespace patchbay::script {

struct ScriptLimits {
  std::chrono::milliseconds wall_time{30'000};
  std::chrono::milliseconds cpu_time{5'000};
  std::size_t heap_bytes = 64 * 1024 * 1024;
  int max_http_calls = 100;
  std::size_t max_source_bytes = 1024 * 1024;
  // Native stack the engine may use before "too much recursion".
  std::size_t stack_bytes = 1024 * 1024;
};

// What a script may reach outside its realm. Implementations run on the
// executing thread and may throw http::HttpError from http().
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  virtual http::Response http(std::string_view url, const http::RequestOptions& options) = 0;
  virtual void log(core::LogLevel level, std::string_view message) = 0;
  // An OAuth2 client-credentials access token (floh.oauth2.clientCredentials),
  // cached by the host; `refresh` forces a new one. Hosts without one throw.
  virtual std::string oauth2_token(const http::OAuth2Config& config, bool refresh);
};

struct ScriptCall {
  std::string_view source;
  std::string_view filename = "connector.js";
  std::string_view command;
  const boost::json::object* params = nullptr;
  const boost::json::object* config = nullptr;
  const boost::json::object* variables = nullptr;
  ScriptLimits limits;
};

// Runs `call.command` of the script: the function of that name is called and its
// return value normalized like any outcome (core::outcome_to_result). Never throws.
core::CommandOutcome run_script(const ScriptCall& call, ScriptHost& host);

// Compiles without running: an InvalidDefinition error naming line:column for a
// syntax error (or a script over the size limit).
core::Result<void> check_script(std::string_view source, std::string_view filename = "connector.js",
                                const ScriptLimits& limits = {});

// The names of the functions the script's top level defines, in definition order.
core::Result<std::vector<std::string>> script_functions(std::string_view source,
                                                        const ScriptLimits& limits = {});

// Gives every command of a script or oas definition a handler that runs its
// script through run_script (with `limits`, overridden by the definition's own
// "limits"), with floh.http going through the process-wide
// outbound client (keyed by the connector's name for rate limits and breakers)
// and floh.log to the call's logger, secret connection values redacted.
void attach_script_handlers(core::ConnectorDefinition& definition, ScriptLimits limits = {});

}  // namespace patchbay::script
