// Fuzz target for connector descriptions (oas::draft_from_description), whose
// input is whatever an AI assistant sends the MCP tool generate_connector_script:
// JSON of any shape. Properties checked on every input that parses as JSON:
// - nothing crashes, hangs or leaks (sanitizers, libFuzzer's limits);
// - a refusal is InvalidArgument (a 400) whose details list at least one
//   {path, message}, never an internal error;
// - a draft, written as JSON text and read back, is a connector definition that
//   parses and validates, of the script execution model, whose every command is a
//   function of its scriptSource; to_json() adds the warnings and changes nothing else.
//
// Built two ways: with libFuzzer (PATCHBAY_FUZZ=ON, clang) to search for inputs,
// and with replay_main.cpp as a CTest test that replays the corpus.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>

#include "core/check.hpp"
#include "core/connector_definition.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "draft_checks.hpp"
#include "oas/describe.hpp"

namespace {

namespace json = boost::json;
using namespace patchbay;

void explain(const core::Error& error) {
  std::fprintf(stderr, "describe_fuzz: %s: %s\n%s\n",
               std::string(core::to_string(error.code)).c_str(), error.message.c_str(),
               json::serialize(error.details).c_str());
}

void check_draft(const oas::Draft& draft) {
  auto read_back = core::parse_json(json::serialize(draft.definition));
  if (!read_back) explain(read_back.error());
  PATCHBAY_CHECK(read_back.has_value(), "a draft must write as JSON that POST /api/connectors reads");
  auto parsed = core::parse_connector_definition(*read_back);
  if (!parsed) explain(parsed.error());
  PATCHBAY_CHECK(parsed.has_value(), "a draft must be a valid connector definition");
  PATCHBAY_CHECK(core::validate_definition(*parsed).empty(), "a draft must validate");
  PATCHBAY_CHECK(parsed->execution_model == core::ExecutionModel::Script,
                 "a described connector is a script connector");
  PATCHBAY_CHECK(!parsed->config_schema.commands.empty(), "a draft has commands");
  for (const auto& command : parsed->config_schema.commands) {
    std::string function = "function " + command.name + "(";
    PATCHBAY_CHECK(parsed->script_source.find(function) != std::string::npos,
                   "every command must be a function of the script");
  }
  fuzz::check_to_json(draft);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto description = core::parse_json(text);
  if (!description) return 0;
  auto draft = oas::draft_from_description(*description);
  if (!draft) {
    bool bad_request = draft.error().code == core::ErrorCode::InvalidArgument &&
                       !draft.error().field_errors().empty();
    if (!bad_request) explain(draft.error());
    PATCHBAY_CHECK(bad_request, "a bad description is InvalidArgument with {path, message} details");
    return 0;
  }
  check_draft(*draft);
  return 0;
}
