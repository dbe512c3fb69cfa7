#pragma once
// "fixture": a connector whose commands exercise each dispatcher rule. The data
// cases in test/cases/dispatch/ run against it.

#include <stdexcept>

#include "connectors/define/define_connector.hpp"

namespace patchbay::test {

using namespace patchbay::connectors;

// The connector's own error type, translated by its errorMap.
class FixtureApiError : public std::runtime_error {
 public:
  explicit FixtureApiError(int status)
      : std::runtime_error("fixture API answered " + std::to_string(status)), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

struct EchoParams {
  double limit = 0;
  std::optional<std::string> mode;
};
BOOST_DESCRIBE_STRUCT(EchoParams, (), (limit, mode))

struct FixtureConnection {
  std::string baseUrl;
  std::string apiKey;
};
BOOST_DESCRIBE_STRUCT(FixtureConnection, (), (baseUrl, apiKey))

inline core::ConnectorDefinition make_fixture() {
  using Untyped = Call<json::object, json::object>;
  return define_connector({
      .name = "fixture",
      .description = "Exercises the dispatcher.",
      .connection = {t::string("baseUrl").required(), t::secret("apiKey").required(),
                     t::integer("retries").default_to(2)},
      .error_map = [](const std::exception& error) -> std::optional<Failure> {
        if (const auto* api = dynamic_cast<const FixtureApiError*>(&error)) {
          return fail({.error = "Fixture API error (" + std::to_string(api->status()) + ")",
                       .diagnostics = json::object{{"status", api->status()}}});
        }
        return std::nullopt;
      },
      .default_command = "echo",
      .commands = {define_command<EchoParams, FixtureConnection>(
                       "echo",
                       {.description = "Returns what it was called with.",
                        .params = {t::number("limit").default_to(50),
                                   t::select("mode", {"fast", "slow"}), t::date("since"),
                                   t::boolean("verbose"), t::array("ids")},
                        .handler =
                            [](const Call<EchoParams, FixtureConnection>& call) -> CommandOutcome {
                          return succeed(
                              {.payload = json::object{{"params", call.raw.params},
                                                       {"connection", call.raw.connection},
                                                       {"variables", call.context.variables},
                                                       {"typedLimit", call.params.limit},
                                                       {"typedBaseUrl", call.connection.baseUrl}},
                               .variables = json::object{{"echoed", true}}});
                        }}),
                   define_command(
                       "outcome",
                       {.description = "Returns params.outcome as raw JSON for normalization.",
                        .params = {t::raw("outcome")},
                        .handler = [](const Untyped& call) -> CommandOutcome {
                          const auto* outcome = call.params.if_contains("outcome");
                          return outcome ? *outcome : json::value();
                        }}),
                   define_command("nothing", {.handler = [](const Untyped&) -> CommandOutcome {
                                    return std::monostate{};
                                  }}),
                   define_command("throwTyped",
                                  {.params = {t::integer("status").default_to(503)},
                                   .handler = [](const Untyped& call) -> CommandOutcome {
                                     throw FixtureApiError(
                                         static_cast<int>(call.params.at("status").as_int64()));
                                   }}),
                   define_command("throwPlain", {.handler = [](const Untyped&) -> CommandOutcome {
                                    throw std::runtime_error("boom");
                                  }}),
                   define_command("throwOther",
                                  {.handler = [](const Untyped&) -> CommandOutcome { throw 42; }}),
                   define_command("create",
                                  {.params = {t::string("email").required(),
                                              t::string("name").required(), t::string("note")},
                                   .handler = [](const Untyped& call) -> CommandOutcome {
                                     return succeed({.payload = call.params});
                                   }}),
                   define_command("legacyList", {.deprecated = true,
                                                 .deprecated_message = "Use echo instead",
                                                 .added_in_version = "1.0.0",
                                                 .handler = [](const Untyped&) -> CommandOutcome {
                                                   return succeed();
                                                 }}),
                   define_command("listWidgets", {.params = {t::number("limit")},
                                                  .mock = {{"default",
                                                            [](const Untyped&) -> CommandOutcome {
                                                              return succeed(
                                                                  {.payload = json::object{
                                                                       {"widgets",
                                                                        json::array{json::object{
                                                                            {"id", 1}}}},
                                                                       {"total", 1}}});
                                                            }},
                                                           {"empty",
                                                            [](const Untyped&) -> CommandOutcome {
                                                              return succeed(
                                                                  {.payload = json::object{
                                                                       {"widgets", json::array{}},
                                                                       {"total", 0}}});
                                                            }}},
                                                  .handler = [](const Untyped&) -> CommandOutcome {
                                                    return fail({.error = "the real handler ran"});
                                                  }})},
  });
}

}  // namespace patchbay::test
