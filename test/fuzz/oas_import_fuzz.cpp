// Fuzz target for the OpenAPI importer, whose input is whatever a user uploads
// (POST /api/connectors/parse-oas, `patchbay oas import`): JSON or YAML of any
// shape, size and depth. Properties checked on every input:
// - nothing crashes, hangs or leaks (sanitizers, libFuzzer's limits);
// - a refusal is InvalidArgument (a 400) with a reason, never an internal error;
// - a draft, written as JSON text and read back, is a connector definition that
//   parses (it is posted unchanged), of the oas execution model, whose every
//   command is a function of its scriptSource; to_json() adds the warnings and
//   changes nothing else;
// - `select` with a command of the draft keeps that command and adds none;
//   `select` with a name no operation has is refused;
// - a description with external $refs imports the same way with a loader.
//
// Built two ways: with libFuzzer (PATCHBAY_FUZZ=ON, clang) to search for inputs,
// and with replay_main.cpp as a CTest test that replays the corpus.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/check.hpp"
#include "core/connector_definition.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "draft_checks.hpp"
#include "oas/oas.hpp"

namespace {

namespace json = boost::json;
using namespace patchbay;

// Small limits keep every input fast; the limits themselves are tested in
// test/oas/import_test.cpp.
oas::ImportOptions fuzz_options() {
  oas::ImportOptions options;
  options.limits.max_bytes = 1024 * 1024;
  options.limits.max_alias_nodes = 100'000;
  return options;
}

// Says what the input led to before a broken property aborts, so a reproducer's
// report names the cause and not only the property.
void explain(const core::Error& error) {
  std::fprintf(stderr, "oas_import_fuzz: %s: %s\n%s\n",
               std::string(core::to_string(error.code)).c_str(), error.message.c_str(),
               json::serialize(error.details).c_str());
}

void check_refusal(const core::Error& error) {
  bool bad_request = error.code == core::ErrorCode::InvalidArgument && !error.message.empty();
  if (!bad_request) explain(error);
  PATCHBAY_CHECK(bad_request,
                 "the importer must refuse input with InvalidArgument (a 400) and say why");
}

const json::object& commands_of(const json::object& definition) {
  static const json::object kNone;
  const auto* schema = definition.if_contains("configSchema");
  const auto* commands =
      schema && schema->is_object() ? schema->get_object().if_contains("commands") : nullptr;
  return commands && commands->is_object() ? commands->get_object() : kNone;
}

void check_draft(const oas::Draft& draft) {
  const json::object& definition = draft.definition;
  // The draft travels as JSON text (the parse-oas answer, then the body of
  // POST /api/connectors), so it is checked as that body reads back.
  auto read_back = core::parse_json(json::serialize(definition));
  if (!read_back) explain(read_back.error());
  PATCHBAY_CHECK(read_back.has_value(),
                 "a draft must write as JSON that POST /api/connectors reads");
  auto parsed = core::parse_connector_definition(*read_back);
  if (!parsed) explain(parsed.error());
  PATCHBAY_CHECK(parsed.has_value(), "a draft must be a valid connector definition");
  PATCHBAY_CHECK(parsed->execution_model == core::ExecutionModel::Oas,
                 "a draft is an oas connector");

  const auto* script = definition.if_contains("scriptSource");
  PATCHBAY_CHECK(script && script->is_string(), "a draft must have a scriptSource");
  std::string_view source = script->get_string();
  for (const auto& command : commands_of(definition)) {
    std::string function = "function " + std::string(command.key()) + "(";
    PATCHBAY_CHECK(source.find(function) != std::string_view::npos,
                   "every command must be a function of the script");
  }

  fuzz::check_to_json(draft);
}

// The select path: the draft's first command other than "test", or, when it has
// none, a name no operation can have.
void check_select(std::string_view text, const oas::Draft& draft) {
  const json::object& commands = commands_of(draft.definition);
  std::string chosen;
  for (const auto& command : commands) {
    if (command.key() != "test") {
      chosen = std::string(command.key());
      break;
    }
  }
  oas::ImportOptions options = fuzz_options();
  options.select = {chosen.empty() ? std::string("no such operation") : chosen};
  auto selected = oas::import_text(text, options);
  if (chosen.empty()) {
    PATCHBAY_CHECK(!selected.has_value(), "select must refuse a name no operation has");
    check_refusal(selected.error());
    return;
  }
  if (!selected) explain(selected.error());
  PATCHBAY_CHECK(selected.has_value(), "select must keep a command the draft has");
  check_draft(*selected);
  const json::object& kept = commands_of(selected->definition);
  // An operationId equal to the chosen command name is selected too, so the
  // selection may hold more than one operation, but never more than the draft.
  PATCHBAY_CHECK(kept.contains(chosen), "select must keep the command it names");
  PATCHBAY_CHECK(kept.size() <= commands.size(), "select must not add commands");
}

// The CLI's path, which resolves external $refs through a loader: when the
// description has any, import it again with a loader that answers the first few
// files with the description itself and the rest with an error.
void check_external_refs(std::string_view text, const oas::Draft& draft) {
  bool has_external = std::any_of(draft.warnings.begin(), draft.warnings.end(), [](const auto& w) {
    return w.message.find("external $ref") != std::string::npos;
  });
  if (!has_external) return;
  oas::ImportOptions options = fuzz_options();
  int loads = 0;
  options.load_external = [&](std::string_view) -> core::Result<std::string> {
    if (++loads > 4) return core::Error{core::ErrorCode::NotFound, "no such file", {}};
    return std::string(text);
  };
  auto imported = oas::import_text(text, options);
  if (!imported) {
    check_refusal(imported.error());
    return;
  }
  check_draft(*imported);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto draft = oas::import_text(text, fuzz_options());
  if (!draft) {
    check_refusal(draft.error());
    return 0;
  }
  check_draft(*draft);
  check_select(text, *draft);
  check_external_refs(text, *draft);
  return 0;
}
