// Fuzz target for the connector-definition parser, the first parser of untrusted
// input (API bodies, MCP tool calls, files). Properties checked on every input:
// - nothing crashes, hangs or leaks (sanitizers, libFuzzer's limits);
// - a definition that parses writes back to JSON that parses to the same JSON;
// - any JSON value normalizes to a ConnectorResult without throwing.
//
// Built two ways: with libFuzzer (PATCHBAY_FUZZ=ON, clang) to search for inputs,
// and with replay_main.cpp as a CTest test that replays the corpus.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/check.hpp"
#include "core/connector_definition.hpp"
#include "core/connector_result.hpp"
#include "core/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchbay::core;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = parse_json(text);
  if (!json) return 0;

  (void)outcome_to_result(*json);

  auto definition = parse_connector_definition(*json);
  if (!definition) {
    PATCHBAY_CHECK(!definition.error().field_errors().empty(),
                   "a rejected definition must name at least one problem");
    return 0;
  }
  json::value written = to_json(*definition);
  auto reparsed = parse_connector_definition(written);
  PATCHBAY_CHECK(reparsed.has_value(), "a written definition must parse again");
  PATCHBAY_CHECK(json::value(to_json(*reparsed)) == written, "writing a definition must be stable");
  return 0;
}
