// import_text / import_document: description -> Model -> draft definition + script.

#include <algorithm>
#include <map>
#include <set>

#include "core/connector_definition.hpp"
#include "oas/document.hpp"
#include "oas/draft.hpp"
#include "oas/naming.hpp"
#include "oas/oas.hpp"
#include "oas/operations.hpp"
#include "oas/schema.hpp"
#include "oas/script.hpp"

namespace patchbay::oas {
namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

// Names the operations that have no command name yet, around those that have.
void name_commands(Model& model) {
  std::set<std::string> taken;
  for (const auto& op : model.operations) {
    if (!op.command.empty()) taken.insert(op.command);
  }
  for (auto& op : model.operations) {
    if (!op.command.empty()) continue;
    std::string wanted = lower_camel(op.operation_id);
    if (wanted.empty()) wanted = name_from_route(op.method, op.path);
    op.command = claim_identifier(std::move(wanted), taken);
  }
}

// `name` is the operation's command name or its operationId.
bool names(const Operation& op, const std::string& name) {
  return op.command == name || (!op.operation_id.empty() && op.operation_id == name);
}

core::Result<std::vector<Operation*>> selected(Model& model,
                                               const std::vector<std::string>& select) {
  std::vector<Operation*> out;
  if (select.empty()) {
    for (auto& op : model.operations) out.push_back(&op);
    return out;
  }
  std::vector<std::string> unknown;
  for (const auto& name : select) {
    bool known = std::any_of(model.operations.begin(), model.operations.end(),
                             [&](const Operation& op) { return names(op, name); });
    if (!known) unknown.push_back(name);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& name : unknown) list += (list.empty() ? "" : ", ") + name;
    return Error{ErrorCode::InvalidArgument,
                 "select names no operation of the description: " + list +
                     " (use command names or operationIds)",
                 {}};
  }
  for (auto& op : model.operations) {
    bool wanted = std::any_of(select.begin(), select.end(),
                              [&](const std::string& name) { return names(op, name); });
    if (wanted) out.push_back(&op);
  }
  return out;
}

// The cheapest check that the API answers: a GET without required params and
// without path variables, the shortest path first.
const Operation* pick_test(const std::vector<const Operation*>& operations) {
  const Operation* best = nullptr;
  for (const Operation* op : operations) {
    if (op->method != "GET" || op->deprecated) continue;
    bool needs_input = std::any_of(op->params.begin(), op->params.end(),
                                   [](const Param& p) { return p.spec.required; });
    if (needs_input || op->path.find('{') != std::string::npos) continue;
    if (best == nullptr || op->path.size() < best->path.size()) best = op;
  }
  return best;
}

core::FieldSpec base_url_field(const Model& model) {
  core::FieldSpec field;
  field.name = "baseUrl";
  field.type = core::FieldType::String;
  field.label = "Base URL";
  if (!model.base_url.empty()) {
    field.default_value = json::value(model.base_url);
    field.description = "Where the API is served";
    if (!model.other_servers.empty()) {
      field.description += "; the description also names ";
      for (std::size_t i = 0; i < model.other_servers.size() && i < 5; ++i) {
        field.description += (i ? ", " : "") + model.other_servers[i];
      }
    }
  } else {
    field.required = true;
    field.description = "Where the API is served (" + model.base_url_hint + ")";
    field.placeholder = "https://api.example.com";
  }
  return field;
}

// Each distinct operation server gets a connection field ("uploadsBaseUrl" for
// https://uploads.github.com) holding it as the default.
void add_server_fields(const std::vector<Operation*>& operations,
                       std::vector<core::FieldSpec>& connection_config) {
  std::set<std::string> taken;
  for (const auto& field : connection_config) taken.insert(field.name);
  std::map<std::string, std::string> fields;  // URL -> field
  for (Operation* op : operations) {
    if (op->server.empty()) continue;
    auto& field = fields[op->server];
    if (field.empty()) {
      std::string_view host = op->server;
      host.remove_prefix(host.find("://") + 3);
      host = host.substr(0, host.find_first_of(".:/"));
      field = claim_field(lower_camel(host) + "BaseUrl", "", taken);
      core::FieldSpec spec;
      spec.name = field;
      spec.type = core::FieldType::String;
      spec.default_value = json::value(op->server);
      spec.description = "Where operations with their own server are sent (" + op->command + ", ...)";
      connection_config.push_back(std::move(spec));
    }
    op->server_field = field;
  }
}

// Moves the params' specs out of `op` (the script only needs their names).
core::CommandSpec command_of(Operation& op) {
  core::CommandSpec command;
  command.name = op.command;
  command.description = op.description;
  command.params.reserve(op.params.size());
  command.param_schema.reserve(op.params.size());
  for (auto& param : op.params) {
    command.params.push_back(param.name);
    command.param_schema.push_back(std::move(param.spec));
  }
  command.outputs = op.outputs;
  if (op.deprecated) {
    command.deprecated = true;
    command.deprecated_message = "deprecated in the OpenAPI description";
  }
  return command;
}

DraftOptions draft_options(const ImportOptions& options) {
  DraftOptions out;
  out.select = options.select;
  out.name = options.name;
  return out;
}

}  // namespace

std::string_view to_string(WarningKind kind) {
  switch (kind) {
    case WarningKind::Skipped:
      return "skipped";
    case WarningKind::Degraded:
      return "degraded";
    case WarningKind::Note:
      return "note";
  }
  return "note";
}

core::Result<Draft> draft_of(Model& model, const DraftOptions& options) {
  name_commands(model);
  auto chosen = selected(model, options.select);
  if (!chosen) return chosen.error();
  std::vector<const Operation*> kept(chosen->begin(), chosen->end());
  const Operation* test = nullptr;
  if (options.test_command.empty()) {
    test = pick_test(kept);
  } else {
    auto named = std::find_if(kept.begin(), kept.end(), [&](const Operation* op) {
      return op->command == options.test_command;
    });
    if (named == kept.end()) {
      return core::invalid_argument("the test command '" + options.test_command +
                                    "' names no command of the draft");
    }
    test = *named;
  }

  core::ConnectorDefinition definition;
  definition.name = options.name.empty() ? slug(model.title) : options.name;
  if (definition.name.empty()) definition.name = "openapi-connector";
  definition.type = definition.name;
  definition.version = options.version;
  definition.description = short_description(model.description, 500);
  if (definition.description.empty()) definition.description = short_description(model.title, 500);
  definition.execution_model = options.execution_model;
  auto& schema = definition.config_schema;
  schema.connection_config.push_back(base_url_field(model));
  for (const auto& scheme : model.schemes) {
    for (const auto& field : scheme.fields) schema.connection_config.push_back(field);
  }
  add_server_fields(*chosen, schema.connection_config);
  for (Operation* op : *chosen) schema.commands.push_back(command_of(*op));
  if (test != nullptr) {
    core::CommandSpec command;
    command.name = "test";
    command.description = "Checks connectivity and credentials with " + test->method + " " + test->path;
    schema.commands.push_back(std::move(command));
  } else if (!kept.empty()) {
    model.warn(WarningKind::Note, "",
               "no GET operation without required params: the draft has no test command");
  }
  definition.script_source = generate_script(model, kept, test);
  if (definition.script_source.size() > kScriptSizeLimit) {
    model.warn(WarningKind::Note, "",
               "the generated script is " + std::to_string(definition.script_source.size()) +
                   " bytes, over the 1 MiB script limit: select fewer operations");
  }
  if (auto problems = core::validate_definition(definition); !problems.empty()) {
    json::array details;
    for (const auto& problem : problems) {
      details.push_back(json::object{{"path", problem.path}, {"message", problem.message}});
    }
    return Error{ErrorCode::Internal,
                 "the draft does not validate: " + problems.front().path + ": " +
                     problems.front().message,
                 json::object{{"errors", std::move(details)}}};
  }

  Draft draft;
  draft.definition = core::to_json(definition);
  draft.warnings = std::move(model.warnings);
  draft.operations = model.operation_count;
  draft.spec_version = model.spec_version;
  return draft;
}

core::Result<Draft> import_document(const json::value& document, const ImportOptions& options) {
  Resolver resolver(document, options);
  auto model = read_model(document, resolver);
  if (!model) return model.error();
  return draft_of(*model, draft_options(options));
}

core::Result<Draft> import_text(std::string_view text, const ImportOptions& options) {
  auto model = [&]() -> core::Result<Model> {
    // The document (and any external ones) is freed before the draft is built:
    // for the largest descriptions that is a good part of the peak memory.
    auto document = load_document(text, options.limits);
    if (!document) return document.error();
    Resolver resolver(document->root, options);
    return read_model(document->root, resolver);
  }();
  if (!model) return model.error();
  return draft_of(*model, draft_options(options));
}

json::object to_json(const Draft& draft) {
  json::object out = draft.definition;
  json::array warnings;
  warnings.reserve(draft.warnings.size());
  for (const auto& warning : draft.warnings) {
    json::object item{{"kind", to_string(warning.kind)}, {"message", warning.message}};
    if (!warning.pointer.empty()) item["pointer"] = warning.pointer;
    warnings.push_back(std::move(item));
  }
  out["warnings"] = std::move(warnings);
  return out;
}

}  // namespace patchbay::oas
