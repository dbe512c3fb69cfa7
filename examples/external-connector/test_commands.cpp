#include "test_commands.hpp"

#include <string>
#include <utility>

#include <boost/json/serialize.hpp>

namespace patchbay::example {
namespace {

HttpResponse raw(int status, std::string content_type, std::string body) {
  return HttpResponse{
      .status = status, .content_type = std::move(content_type), .body = std::move(body)};
}

// A required whole number from 0 to `maximum`.
Field required_count(std::string name, std::string description, std::int64_t maximum) {
  return {.name = std::move(name),
          .type = Field::Type::Integer,
          .description = std::move(description),
          .required = true,
          .minimum = 0,
          .maximum = maximum};
}

HttpResponse slow(const ShutdownSignal& shutdown, const Call& call) {
  std::int64_t ms = call.params.at("ms").as_int64();
  if (!shutdown.sleep_for(std::chrono::milliseconds(ms))) {
    return refuse(503, "shutting down");
  }
  return succeed(json::object{{"sleptMs", ms}});
}

}  // namespace

void ShutdownSignal::trigger() {
  {
    std::lock_guard lock(mutex_);
    triggered_ = true;
  }
  woken_.notify_all();
}

bool ShutdownSignal::sleep_for(std::chrono::milliseconds duration) const {
  std::unique_lock lock(mutex_);
  return !woken_.wait_for(lock, duration, [this] { return triggered_; });
}

std::vector<Command> test_commands(const ShutdownSignal& shutdown) {
  auto fixed = [](int status, std::string content_type, std::string body) {
    return [response = raw(status, std::move(content_type), std::move(body))](const Call&) {
      return response;
    };
  };
  return {
      {.name = "slow",
       .description = "Sleep ms milliseconds, then succeed (timeouts).",
       .params = {required_count("ms", "Milliseconds to sleep", kMaxSlowMs)},
       .run = [&shutdown](const Call& call) { return slow(shutdown, call); }},
      {.name = "legacyResponse",
       .description = "Answer in the protocol 1.x shape (data, outputVariables).",
       .run = fixed(200, "application/json",
                    R"({"success":true,"data":{"items":[]},"outputVariables":{"count":0}})")},
      {.name = "badJson",
       .description = "Answer 200 with truncated JSON.",
       .run = fixed(200, "application/json", R"({"success": tru)")},
      {.name = "notObject",
       .description = "Answer 200 with a JSON array.",
       .run = fixed(200, "application/json", "[1,2]")},
      {.name = "wrongTypes",
       .description = "Answer 200 with success as a string.",
       .run = fixed(200, "application/json", R"({"success":"yes"})")},
      {.name = "serverError",
       .description = "Answer HTTP 500 with a text body.",
       .run = fixed(500, "text/plain", "internal server error (on purpose)")},
      {.name = "hugeResponse",
       .description = "Succeed with a payload holding a string of the given number of bytes.",
       .params = {required_count("bytes", "Length of the string", kMaxHugeResponseBytes)},
       .outputs = {"data"},
       .run =
           [](const Call& call) {
             auto bytes = static_cast<std::size_t>(call.params.at("bytes").as_int64());
             return succeed(json::object{{"data", std::string(bytes, 'x')}});
           }},
      {.name = "echo",
       .description = "Succeed with the whole request body as the payload.",
       .run = [](const Call& call) { return succeed(call.request); }},
  };
}

}  // namespace patchbay::example
