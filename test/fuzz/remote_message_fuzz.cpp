// Fuzz target for the parsers of what remote peers send: an agent's messages
// (registration, then responses and status), a server's command messages as an
// agent reads them, and an external service's /execute answer. Properties
// checked on every input:
// - nothing crashes, hangs or leaks (sanitizers, libFuzzer's limits);
// - a registration or command that parses writes back to a message that parses
//   to the same values;
// - any answer body becomes a ConnectorResult; a failure always has an error.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json/parse.hpp>

#include "agent/protocol.hpp"
#include "core/check.hpp"
#include "external/external.hpp"
#include "http/client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchbay;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto registration = agent::parse_registration(text)) {
    auto again = agent::parse_registration(agent::registration_message(*registration));
    PATCHBAY_CHECK(again.has_value(), "a written registration must parse again");
    PATCHBAY_CHECK(again->agent_id == registration->agent_id &&
                       again->connector_names == registration->connector_names,
                   "writing a registration must keep it");
  }
  if (auto message = agent::parse_message(text)) {
    if (auto command = agent::parse_command(*message)) {
      auto written = agent::parse_message(agent::command_message(*command));
      PATCHBAY_CHECK(written.has_value(), "a written command must be a message");
      auto again = agent::parse_command(*written);
      // Values are compared by their keys: Boost.JSON 1.81 does not parse long
      // numbers correctly rounded, so 1e70 written out may come back one ulp off.
      auto same_keys = [](const boost::json::object& a, const boost::json::object& b) {
        if (a.size() != b.size()) return false;
        for (const auto& entry : a) {
          if (!b.contains(entry.key())) return false;
        }
        return true;
      };
      PATCHBAY_CHECK(again.has_value() && again->id == command->id &&
                         again->connector == command->connector &&
                         again->command == command->command &&
                         same_keys(again->params, command->params) &&
                         same_keys(again->config, command->config),
                     "writing a command must keep it");
    }
  }

  http::Response response;
  response.status = size > 0 && data[0] % 4 == 0 ? 500 : 200;
  response.is_successful = response.status == 200;
  response.body = boost::json::value(text);  // as the client hands over a body it did not parse
  auto result = external::read_execute_response(response, "http://service.test/execute");
  PATCHBAY_CHECK(result.success || (result.error && !result.error->empty()),
                 "a failure must say why");
  return 0;
}
