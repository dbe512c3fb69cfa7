#include "service.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>

#include <boost/json/serialize.hpp>
#include <sodium.h>

#include "signature.hpp"

namespace patchbay::example {
namespace {

using server::HttpRequest;
using Clock = std::chrono::steady_clock;

// Compares without an early exit, so timing does not reveal how much matched.
bool same_secret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

// "POST /execute 200 3ms listItems": one fputs per line, so lines from
// concurrent requests never interleave.
void log_request(std::string_view request, int status, Clock::time_point started,
                 std::string_view note) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  std::string line =
      std::string(request) + " " + std::to_string(status) + " " + std::to_string(ms) + "ms";
  if (!note.empty()) line += " " + std::string(note);
  line += "\n";
  std::fputs(line.c_str(), stderr);
}

std::string command_names(const std::vector<Command>& commands) {
  std::string names;
  for (const Command& command : commands) names += (names.empty() ? "" : ", ") + command.name;
  return names;
}

}  // namespace

ExampleService::ExampleService(ServiceOptions options) : options_(std::move(options)) {
  connection_fields_ = {{.name = "apiKey",
                         .type = Field::Type::String,
                         .description = "API key of the inventory service",
                         .required = true,
                         .secret = true}};
  commands_ = inventory_commands(inventory_);
  if (options_.test_commands) {
    for (Command& command : test_commands(shutdown_)) commands_.push_back(std::move(command));
  }
  schema_body_ = json::serialize(config_schema(connection_fields_, commands_));
}

void ExampleService::handle(HttpRequest request, server::Responder respond) {
  // Every answer goes through `reply`, so every request gets its log line.
  auto reply = [respond, started = Clock::now(), what = request.method + " " + request.path](
                   HttpResponse response, std::string_view note) {
    log_request(what, response.status, started, note);
    respond(std::move(response));
  };

  if (auto problem = check_request_signature(request)) {
    return reply(refuse(401, *problem), *problem);
  }
  const std::string& path = request.path;
  if (request.method == "GET" && path == "/health") return reply(health(), "");
  if (request.method == "GET" && path == "/schema") {
    return reply(HttpResponse{.body = schema_body_}, "");
  }
  if (request.method == "POST" && path == "/execute") {
    auto run = [this, body = std::move(request.body), reply] {
      std::string command;
      HttpResponse response;
      try {
        response = execute(body, command);
      } catch (const std::exception& error) {
        // Commands answer failures as values; this is a bug, so say little.
        response = refuse(500, "internal error");
        command += std::string(" exception: ") + error.what();
      }
      reply(std::move(response), command);
    };
    if (!workers_.try_submit(std::move(run))) {
      auto busy = refuse(503, "the service is at capacity or shutting down; retry shortly");
      busy.headers.emplace_back("Retry-After", "1");
      reply(std::move(busy), "refused");
    }
    return;
  }
  if (path == "/health" || path == "/schema" || path == "/execute") {
    auto wrong = refuse(405, request.method + " is not allowed on " + path);
    wrong.headers.emplace_back("Allow", path == "/execute" ? "POST" : "GET");
    return reply(std::move(wrong), "");
  }
  reply(refuse(404, "no such endpoint: " + request.method + " " + path), "");
}

HttpResponse ExampleService::transport_error(int status, std::string_view message) {
  log_request("(unreadable request)", status, Clock::now(), message);
  return refuse(status, std::string(message));
}

void ExampleService::shutdown() { shutdown_.trigger(); }

bool ExampleService::drain_for(std::chrono::milliseconds grace) {
  return workers_.drain_for(grace);
}

std::optional<std::string> ExampleService::check_request_signature(
    const HttpRequest& request) const {
  if (!options_.signing_secret) return std::nullopt;
  return check_signature(*options_.signing_secret, request.header("x-patchbay-timestamp"),
                         request.header("x-patchbay-signature"), request.body,
                         std::chrono::system_clock::now());
}

HttpResponse ExampleService::health() const {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_);
  json::object body{
      {"status", "ok"}, {"version", kServiceVersion}, {"uptimeSeconds", uptime.count()}};
  return HttpResponse{.body = json::serialize(body)};
}

HttpResponse ExampleService::execute(std::string_view body, std::string& command) const {
  auto call = parse_call(body);
  if (!call) return refuse(400, call.error().message);
  command = call->command;

  // patchbay sends the connection's config decrypted: check it like an upstream would.
  const json::value* api_key = call->config.if_contains("apiKey");
  if (api_key == nullptr || !api_key->is_string() ||
      !same_secret(api_key->get_string(), options_.api_key)) {
    return fail("invalid apiKey", {{"statusCode", 401}});
  }

  auto found = std::find_if(commands_.begin(), commands_.end(),
                            [&](const Command& c) { return c.name == call->command; });
  if (found == commands_.end()) {
    return fail(
        "unknown command '" + call->command + "'; available commands: " + command_names(commands_),
        {{"statusCode", 400}});
  }
  auto params = check_params(found->params, call->params);
  if (!params) return fail(params.error().message, {{"statusCode", 400}});
  call->params = std::move(*params);
  return found->run(*call);
}

}  // namespace patchbay::example
