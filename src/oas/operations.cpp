#include "oas/operations.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <boost/json/serialize.hpp>

#include "core/json.hpp"
#include "core/text.hpp"
#include "oas/naming.hpp"
#include "oas/schema.hpp"
#include "oas/security.hpp"

namespace patchbay::oas {
namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

// The eight methods a path item may hold, in the order commands are named.
constexpr std::array kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};


std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_json_media(std::string_view type) {
  std::string media = core::ascii_lower(type.substr(0, type.find(';')));
  return media == "application/json" || media == "*/*" ||
         (media.size() > 5 && media.compare(media.size() - 5, 5, "+json") == 0) ||
         (media.rfind("application/", 0) == 0 && media.find("json") != std::string::npos);
}

bool is_absolute_url(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// servers[0].url with {variables} replaced by their defaults.
std::string server_url(const json::object& server) {
  std::string url(core::string_member(server, "url").value_or(""));
  const auto* variables = server.if_contains("variables");
  if (variables == nullptr || !variables->is_object()) return url;
  for (const auto& [name, variable] : variables->get_object()) {
    const auto* spec = variable.if_object();
    if (spec == nullptr) continue;
    const auto* fallback = spec->if_contains("default");
    if (fallback == nullptr) continue;
    std::string value = core::json_to_display_string(*fallback);
    std::string placeholder = "{" + std::string(name) + "}";
    for (auto at = url.find(placeholder); at != std::string::npos; at = url.find(placeholder, at)) {
      url.replace(at, placeholder.size(), value);
      at += value.size();
    }
  }
  return url;
}

// The first server of a servers array, or nullptr.
const json::object* first_server(const json::value* servers) {
  if (servers == nullptr || !servers->is_array() || servers->get_array().empty()) return nullptr;
  return servers->get_array()[0].if_object();
}

class ModelReader {
 public:
  ModelReader(const json::object& root, Resolver& resolver, Model& model)
      : root_(root), resolver_(resolver), model_(model), swagger2_(model.spec_version == "2.0") {}

  void read() {
    read_info();
    if (swagger2_) {
      read_swagger2_host();
    } else {
      read_servers();
    }
    std::set<std::string> fields{"baseUrl"};
    read_security(resolver_, root_, model_, fields);
    if (swagger2_) {
      global_consumes_ = media_list(root_.if_contains("consumes"));
    }
    read_paths();
    if (const auto* webhooks = root_.if_contains("webhooks");
        webhooks && webhooks->is_object() && !webhooks->get_object().empty()) {
      model_.warn(WarningKind::Note, "#/webhooks",
                  std::to_string(webhooks->get_object().size()) +
                      " webhooks describe requests the API sends, not operations; they have no "
                      "commands");
    }
  }

 private:
  void read_info() {
    const auto* info = root_.if_contains("info");
    if (info == nullptr || !info->is_object()) {
      model_.warn(WarningKind::Note, "#/info", "the description has no info object");
      return;
    }
    model_.title = std::string(core::string_member(info->get_object(), "title").value_or(""));
    model_.description =
        std::string(core::string_member(info->get_object(), "description").value_or(""));
  }

  void read_servers() {
    const auto* servers = root_.if_contains("servers");
    const json::object* first = first_server(servers);
    if (first == nullptr) {
      model_.base_url_hint = "the description names no server";
      return;
    }
    std::string url = server_url(*first);
    if (is_absolute_url(url)) {
      while (url.size() > 1 && url.back() == '/') url.pop_back();
      model_.base_url = url;
    } else {
      model_.base_url_hint = "the description's server is relative (\"" + url +
                             "\"): give the full URL, e.g. https://api.example.com" +
                             (url == "/" ? "" : url);
    }
    for (std::size_t i = 1; i < servers->get_array().size(); ++i) {
      if (const auto* other = servers->get_array()[i].if_object()) {
        std::string alternative = server_url(*other);
        if (!alternative.empty()) model_.other_servers.push_back(alternative);
      }
    }
  }

  void read_swagger2_host() {
    const auto* host = root_.if_contains("host");
    std::string base_path(core::string_member(root_, "basePath").value_or(""));
    if (!base_path.empty() && base_path.front() != '/') base_path.insert(0, "/");
    while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
    if (host != nullptr && !host->is_string()) {
      model_.warn(WarningKind::Note, "#/host",
                  "host must be a string, got " + core::json_preview(*host) + "; it is ignored");
      host = nullptr;
    }
    if (host == nullptr || host->get_string().empty()) {
      model_.base_url_hint = "the description names no host" +
                             (base_path.empty() ? std::string() : "; its basePath is " + base_path);
      return;
    }
    std::string scheme = "https";
    if (const auto* schemes = root_.if_contains("schemes"); schemes && schemes->is_array()) {
      bool https = false;
      bool http = false;
      for (const auto& s : schemes->get_array()) {
        if (s == "https") https = true;
        if (s == "http") http = true;
      }
      if (!https && http) scheme = "http";
    }
    model_.base_url = scheme + "://" + std::string(host->get_string()) + base_path;
  }

  static std::vector<std::string> media_list(const json::value* value) {
    std::vector<std::string> out;
    if (value == nullptr || !value->is_array()) return out;
    for (const auto& item : value->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
    return out;
  }

  void read_paths() {
    const auto* paths = root_.if_contains("paths");
    if (paths == nullptr) return;
    if (!paths->is_object()) return;  // checked in read_model
    for (const auto& [path, raw_item] : paths->get_object()) {
      std::string item_pointer = "#/paths/" + encode_pointer_segment(path);
      std::string problem;
      Located item = resolver_.follow(Located{&raw_item, 0}, problem);
      if (!item || !item.value->is_object()) {
        // The path item's operations are unknown: count what the raw item shows.
        model_.warn(WarningKind::Skipped, item_pointer,
                    "path item is not usable: " + (problem.empty() ? "not an object" : problem));
        continue;
      }
      const auto& object = item.value->get_object();
      for (const char* method : kMethods) {
        const auto* raw_operation = object.if_contains(method);
        if (raw_operation == nullptr) continue;
        ++model_.operation_count;
        std::string pointer = item_pointer + "/" + method;
        if (!raw_operation->is_object()) {
          model_.warn(WarningKind::Skipped, pointer, "the operation is not an object");
          continue;
        }
        read_operation(path, method, object, item.document, raw_operation->get_object(),
                       pointer);
      }
    }
  }

  // Path-level and operation-level parameters; the operation's win by name + in.
  std::vector<Located> merged_parameters(const json::object& item, std::size_t document,
                                         const json::object& operation, Operation& op) {
    std::vector<Located> out;
    std::vector<std::pair<std::string, std::string>> keys;
    auto add = [&](const json::value* list, bool override_existing) {
      if (list == nullptr || !list->is_array()) return;
      for (const auto& raw : list->get_array()) {
        std::string problem;
        Located param = resolver_.follow(Located{&raw, document}, problem);
        if (!param || !param.value->is_object()) {
          model_.warn(WarningKind::Degraded, op.pointer,
                      "a parameter is not usable and is left out: " +
                          (problem.empty() ? "not an object" : problem));
          continue;
        }
        const auto& p = param.value->get_object();
        std::pair<std::string, std::string> key{
            std::string(core::string_member(p, "name").value_or("")),
            std::string(core::string_member(p, "in").value_or(""))};
        auto existing = std::find(keys.begin(), keys.end(), key);
        if (existing != keys.end()) {
          if (override_existing) out[static_cast<std::size_t>(existing - keys.begin())] = param;
          continue;
        }
        keys.push_back(key);
        out.push_back(param);
      }
    };
    add(item.if_contains("parameters"), false);
    add(operation.if_contains("parameters"), true);
    return out;
  }

  void read_operation(std::string_view path, std::string_view method, const json::object& item,
                      std::size_t document, const json::object& operation,
                      const std::string& pointer) {
    Operation op;
    op.pointer = pointer;
    op.method = upper(method);
    op.path = std::string(path);
    op.operation_id = std::string(core::string_member(operation, "operationId").value_or(""));
    auto summary = core::string_member(operation, "summary").value_or("");
    auto description = core::string_member(operation, "description").value_or("");
    op.description = short_description(summary.empty() ? description : summary);
    if (op.description.empty()) op.description = op.method + " " + op.path;
    if (const auto* deprecated = operation.if_contains("deprecated")) {
      op.deprecated = deprecated->is_bool() && deprecated->get_bool();
    }
    if (auto hash = op.path.find('#'); hash != std::string::npos) {
      model_.warn(WarningKind::Degraded, pointer,
                  "the path's fragment \"" + op.path.substr(hash) +
                      "\" is not sent (a URL fragment never reaches the server)");
      op.path.resize(hash);
      if (op.path.empty()) op.path = "/";
    }

    // "command" selects the command in a step config, so no param may take it.
    names_ = {"command"};
    std::vector<Located> parameters = merged_parameters(item, document, operation, op);
    std::vector<Located> form_fields;  // Swagger 2 formData
    for (const Located& located : parameters) {
      const auto& p = located.value->get_object();
      std::string in(core::string_member(p, "in").value_or(""));
      if (swagger2_ && in == "body") {
        read_json_body(op, Located{p.if_contains("schema"), located.document},
                       p.contains("required") && p.at("required") == true,
                       swagger2_body_content_type(operation));
        continue;
      }
      if (swagger2_ && in == "formData") {
        form_fields.push_back(located);
        continue;
      }
      read_parameter(op, located);
    }
    if (!form_fields.empty()) read_swagger2_form(op, operation, form_fields);
    if (!swagger2_) {
      if (const auto* body = operation.if_contains("requestBody")) {
        read_request_body(op, Located{body, document});
      }
    }
    check_path_template(op);
    read_outputs(op, operation, document);

    if (const auto* security = operation.if_contains("security")) {
      json::array normalized = normalize_requirements(*security, pointer, model_);
      if (normalized != model_.security) op.security = std::move(normalized);
    }
    if (!swagger2_) read_operation_server(op, operation, item);
    model_.operations.push_back(std::move(op));
  }

  // A command param name not yet used in this operation: a taken one gets its
  // location as a prefix ("queryId").
  std::string claim_param(const std::string& wanted, ParamIn in) {
    return claim_field(field_name(wanted), to_string(in), names_);
  }

  void add_param(Operation& op, std::string wire, ParamIn in, const SchemaTop& schema,
                 std::string_view description, bool required) {
    std::string dropped;
    Param param;
    param.wire = wire;
    param.in = in;
    param.name = claim_param(wire, in);
    param.spec = field_from_schema(param.name, schema, description, required, dropped);
    if (!dropped.empty()) {
      model_.warn(WarningKind::Degraded, op.pointer,
                  "param " + param.name + ": " + dropped + " does not validate and is left out");
    }
    op.params.push_back(std::move(param));
  }

  void read_parameter(Operation& op, Located located) {
    const auto& p = located.value->get_object();
    std::size_t document = located.document;
    std::string name(core::string_member(p, "name").value_or(""));
    std::string in(core::string_member(p, "in").value_or(""));
    ParamIn where;
    if (in == "path") {
      where = ParamIn::Path;
    } else if (in == "query") {
      where = ParamIn::Query;
    } else if (in == "header") {
      where = ParamIn::Header;
    } else if (in == "cookie") {
      where = ParamIn::Cookie;
    } else {
      model_.warn(WarningKind::Degraded, op.pointer,
                  "parameter \"" + name + "\" has an unknown location \"" + in + "\"; left out");
      return;
    }
    if (name.empty()) {
      model_.warn(WarningKind::Degraded, op.pointer, "a " + in + " parameter has no name; left out");
      return;
    }
    // OpenAPI 3: these header parameters are ignored; the body's media type and
    // the security schemes set them.
    std::string lowered = core::ascii_lower(name);
    if (where == ParamIn::Header && (lowered == "accept" || lowered == "content-type")) return;

    std::string problem;
    SchemaTop schema;
    std::string style;
    std::optional<bool> explode;
    if (swagger2_) {
      // Swagger 2 puts the schema keywords on the parameter itself.
      schema = read_schema(resolver_, located, problem);
      auto type = core::string_member(p, "type").value_or("");
      if (type == "file") {
        schema.type = core::FieldType::String;
        model_.warn(WarningKind::Degraded, op.pointer,
                    "file parameter \"" + name + "\" is sent as text");
      }
      auto format = core::string_member(p, "collectionFormat").value_or("csv");
      if (schema.type == core::FieldType::Array) {
        if (format == "multi") {
          style = "form", explode = true;
        } else if (format == "ssv") {
          style = "spaceDelimited", explode = false;
        } else if (format == "tsv") {
          style = "tabDelimited", explode = false;
        } else if (format == "pipes") {
          style = "pipeDelimited", explode = false;
        } else {
          style = where == ParamIn::Query || where == ParamIn::Cookie ? "form" : "simple";
          explode = false;
        }
      }
    } else {
      const json::value* schema_value = p.if_contains("schema");
      if (schema_value == nullptr) {
        if (const auto* content = p.if_contains("content"); content && content->is_object() &&
                                                            !content->get_object().empty()) {
          // A parameter with `content` is serialized as that media type: JSON here.
          schema_value = content->get_object().begin()->value().is_object()
                             ? content->get_object().begin()->value().get_object().if_contains("schema")
                             : nullptr;
          style = "json";
        }
      }
      schema = read_schema(resolver_, Located{schema_value, document}, problem);
      if (auto s = core::string_member(p, "style")) style = std::string(*s);
      if (const auto* e = p.if_contains("explode"); e && e->is_bool()) explode = e->get_bool();
    }
    if (!problem.empty()) {
      model_.warn(WarningKind::Degraded, op.pointer,
                  "parameter \"" + name + "\": " + problem + "; its type is not checked");
    }
    bool required = where == ParamIn::Path ||
                    (p.contains("required") && p.at("required").is_bool() && p.at("required").get_bool());
    add_param(op, name, where, schema, core::string_member(p, "description").value_or(""),
              required);
    op.params.back().style = style;
    op.params.back().explode = explode;
  }

  std::string swagger2_body_content_type(const json::object& operation) const {
    auto consumes = media_list(operation.if_contains("consumes"));
    if (consumes.empty()) consumes = global_consumes_;
    for (const auto& type : consumes) {
      if (is_json_media(type)) return type == "*/*" ? "application/json" : type;
    }
    return consumes.empty() ? "application/json" : consumes.front();
  }

  void read_swagger2_form(Operation& op, const json::object& operation,
                          const std::vector<Located>& fields) {
    auto consumes = media_list(operation.if_contains("consumes"));
    if (consumes.empty()) consumes = global_consumes_;
    bool multipart = std::any_of(consumes.begin(), consumes.end(), [](const std::string& t) {
      return core::ascii_lower(t).rfind("multipart/form-data", 0) == 0;
    });
    bool has_file = std::any_of(fields.begin(), fields.end(), [](const Located& f) {
      return core::string_member(f.value->get_object(), "type").value_or("") == "file";
    });
    bool urlencoded = std::any_of(consumes.begin(), consumes.end(), [](const std::string& t) {
      return core::ascii_lower(t).rfind("application/x-www-form-urlencoded", 0) == 0;
    });
    op.body = (multipart && (has_file || !urlencoded)) ? BodyKind::Multipart : BodyKind::Form;
    op.content_type =
        op.body == BodyKind::Multipart ? "multipart/form-data" : "application/x-www-form-urlencoded";
    for (const Located& located : fields) {
      const json::object* field = &located.value->get_object();
      std::string name(core::string_member(*field, "name").value_or(""));
      if (name.empty()) continue;
      std::string problem;
      SchemaTop schema = read_schema(resolver_, located, problem);
      if (core::string_member(*field, "type").value_or("") == "file") {
        schema.type = core::FieldType::String;
        model_.warn(WarningKind::Degraded, op.pointer, "file field \"" + name + "\" is sent as text");
      }
      bool required = field->contains("required") && field->at("required") == true;
      add_param(op, name, ParamIn::Body, schema,
                core::string_member(*field, "description").value_or(""), required);
    }
  }

  // Picks the media type to send: JSON, then form, then multipart, then the first.
  static const json::key_value_pair* pick_media(const json::object& content) {
    const json::key_value_pair* choice = nullptr;
    int best = 0;
    for (const auto& entry : content) {
      std::string type = core::ascii_lower(entry.key());
      int rank = is_json_media(type)                                          ? 4
                 : type.rfind("application/x-www-form-urlencoded", 0) == 0 ? 3
                 : type.rfind("multipart/form-data", 0) == 0               ? 2
                                                                             : 1;
      if (rank > best) {
        best = rank;
        choice = &entry;
      }
    }
    return choice;
  }

  void read_request_body(Operation& op, Located raw) {
    std::string problem;
    Located body = resolver_.follow(raw, problem);
    if (!body || !body.value->is_object()) {
      model_.warn(WarningKind::Degraded, op.pointer,
                  "the request body is not usable (" +
                      (problem.empty() ? "not an object" : problem) +
                      "); a raw body param is offered");
      add_payload(op, SchemaTop{}, false);
      op.body = BodyKind::Json;
      op.content_type = "application/json";
      return;
    }
    const auto& object = body.value->get_object();
    bool required = object.contains("required") && object.at("required") == true;
    const auto* content = object.if_contains("content");
    if (content == nullptr || !content->is_object() || content->get_object().empty()) return;
    const auto* media = pick_media(content->get_object());
    std::string type = std::string(media->key());
    const auto* media_object = media->value().if_object();
    const json::value* schema_value = media_object ? media_object->if_contains("schema") : nullptr;
    std::string lowered = core::ascii_lower(type);
    if (is_json_media(lowered)) {
      read_json_body(op, Located{schema_value, body.document}, required,
                     lowered == "*/*" ? "application/json" : type);
      return;
    }
    bool form = lowered.rfind("application/x-www-form-urlencoded", 0) == 0;
    bool multipart = lowered.rfind("multipart/", 0) == 0;
    SchemaTop schema = read_schema(resolver_, Located{schema_value, body.document}, problem);
    if (form || multipart) {
      op.body = form ? BodyKind::Form : BodyKind::Multipart;
      op.content_type = form ? "application/x-www-form-urlencoded" : "multipart/form-data";
      flatten(op, schema, required);
      return;
    }
    op.body = BodyKind::Text;
    op.content_type = type;
    SchemaTop text;
    text.type = core::FieldType::String;
    text.description = schema.description;
    if (lowered == "application/octet-stream" || schema.format == "binary") {
      model_.warn(WarningKind::Degraded, op.pointer,
                  "the " + type + " body is sent as text (binary data cannot pass through a "
                  "script)");
    }
    add_payload(op, text, required);
  }

  void read_json_body(Operation& op, Located schema_value, bool required,
                      const std::string& content_type) {
    std::string problem;
    SchemaTop schema = read_schema(resolver_, schema_value, problem);
    if (!problem.empty()) {
      model_.warn(WarningKind::Degraded, op.pointer,
                  "request body schema: " + problem + "; a raw body param is offered");
    }
    op.body = BodyKind::Json;
    op.content_type = content_type;
    bool flattenable = schema.type == core::FieldType::Object && !schema.properties.empty() &&
                       !schema.alternatives;
    if (flattenable) {
      flatten(op, schema, required);
    } else {
      add_payload(op, schema, required);
    }
  }

  // Top-level properties of an object body become params of their own.
  void flatten(Operation& op, const SchemaTop& schema, bool body_required) {
    if (schema.properties.empty()) {
      add_payload(op, schema, body_required);
      return;
    }
    bool has_binary = false;
    for (const auto& [name, located] : schema.properties) {
      std::string problem;
      SchemaTop field = read_schema(resolver_, located, problem);
      if (field.format == "binary") {
        field.type = core::FieldType::String;
        has_binary = true;
      }
      bool required = body_required &&
                      std::find(schema.required.begin(), schema.required.end(), name) !=
                          schema.required.end();
      add_param(op, name, ParamIn::Body, field, "", required);
    }
    if (has_binary) {
      model_.warn(WarningKind::Degraded, op.pointer,
                  "binary fields of the body are sent as text (binary data cannot pass through "
                  "a script)");
    }
  }

  void add_payload(Operation& op, const SchemaTop& schema, bool required) {
    add_param(op, "body", ParamIn::Payload, schema, "The request body", required);
  }

  // Path variables without a declared param get one; params the template lacks go.
  void check_path_template(Operation& op) {
    std::set<std::string> variables;
    for (std::size_t at = op.path.find('{'); at != std::string::npos;
         at = op.path.find('{', at + 1)) {
      auto close = op.path.find('}', at);
      if (close == std::string::npos) break;
      variables.insert(op.path.substr(at + 1, close - at - 1));
    }
    for (auto param = op.params.begin(); param != op.params.end();) {
      if (param->in == ParamIn::Path && variables.count(param->wire) == 0) {
        model_.warn(WarningKind::Degraded, op.pointer,
                    "path parameter \"" + param->wire + "\" is not in the path; left out");
        names_.erase(param->name);
        param = op.params.erase(param);
      } else {
        ++param;
      }
    }
    for (const auto& variable : variables) {
      bool declared = std::any_of(op.params.begin(), op.params.end(), [&](const Param& p) {
        return p.in == ParamIn::Path && p.wire == variable;
      });
      if (declared || variable.empty()) continue;
      model_.warn(WarningKind::Degraded, op.pointer,
                  "path variable {" + variable + "} is not declared; it is a required string param");
      SchemaTop text;
      text.type = core::FieldType::String;
      add_param(op, variable, ParamIn::Path, text, "", true);
    }
    // Path params first, as the path reads.
    std::stable_partition(op.params.begin(), op.params.end(),
                          [](const Param& p) { return p.in == ParamIn::Path; });
  }

  void read_outputs(Operation& op, const json::object& operation, std::size_t document) {
    const auto* responses = operation.if_contains("responses");
    if (responses == nullptr || !responses->is_object()) return;
    const json::value* chosen = nullptr;
    for (const char* code : {"200", "201", "202", "203", "2XX", "2xx"}) {
      if ((chosen = responses->get_object().if_contains(code))) break;
    }
    if (chosen == nullptr) {
      for (const auto& [code, response] : responses->get_object()) {
        if (!code.empty() && code[0] == '2') {
          chosen = &response;
          break;
        }
      }
    }
    if (chosen == nullptr) return;
    std::string problem;
    Located response = resolver_.follow(Located{chosen, document}, problem);
    if (!response || !response.value->is_object()) return;
    const json::value* schema_value = nullptr;
    const auto& object = response.value->get_object();
    if (swagger2_) {
      schema_value = object.if_contains("schema");
    } else if (const auto* content = object.if_contains("content"); content && content->is_object()) {
      for (const auto& [type, media] : content->get_object()) {
        if (is_json_media(type) && media.is_object()) {
          schema_value = media.get_object().if_contains("schema");
          break;
        }
      }
    }
    if (schema_value == nullptr) return;
    SchemaTop schema = read_schema(resolver_, Located{schema_value, response.document}, problem);
    if (schema.type != core::FieldType::Object || schema.properties.empty()) return;
    std::vector<std::string> outputs;
    for (const auto& [name, _] : schema.properties) {
      if (!name.empty() && field_name(name) == name) outputs.push_back(name);
    }
    if (!outputs.empty()) op.outputs = std::move(outputs);
  }

  void read_operation_server(Operation& op, const json::object& operation,
                             const json::object& item) {
    const json::object* server = first_server(operation.if_contains("servers"));
    if (server == nullptr) server = first_server(item.if_contains("servers"));
    if (server == nullptr) return;
    std::string url = server_url(*server);
    if (is_absolute_url(url)) {
      while (url.size() > 1 && url.back() == '/') url.pop_back();
      if (url != model_.base_url) op.server = url;
    } else if (!url.empty()) {
      model_.warn(WarningKind::Degraded, op.pointer,
                  "the operation's server \"" + url + "\" is relative; baseUrl is used");
    }
  }

  const json::object& root_;
  Resolver& resolver_;
  Model& model_;
  bool swagger2_;
  std::vector<std::string> global_consumes_;
  std::set<std::string> names_;  // param names of the operation being read
};

}  // namespace

core::Result<Model> read_model(const json::value& root, Resolver& resolver) {
  const auto* object = root.if_object();
  if (object == nullptr) {
    return core::invalid_argument("not an OpenAPI description: the document is " +
                   std::string(core::json_kind_name(root) == "array" ? "an array" : "a " + std::string(core::json_kind_name(root))) +
                   ", not an object");
  }
  Model model;
  if (const auto* swagger = object->if_contains("swagger")) {
    std::string version = swagger->is_string() ? std::string(swagger->get_string())
                          : swagger->is_number() ? core::json_to_display_string(*swagger)
                                                 : core::json_preview(*swagger);
    if (version != "2.0" && version != "2") {
      return core::invalid_argument("Swagger version " + version + " is not supported (2.0 is)");
    }
    model.spec_version = "2.0";
  } else if (const auto* openapi = object->if_contains("openapi")) {
    std::string version = openapi->is_string() ? std::string(openapi->get_string())
                          : openapi->is_number() ? core::json_to_display_string(*openapi)
                                                 : core::json_preview(*openapi);
    if (version.rfind("3.0", 0) != 0 && version.rfind("3.1", 0) != 0) {
      return core::invalid_argument("OpenAPI version " + version + " is not supported (3.0.x and 3.1.x are)");
    }
    model.spec_version = version;
  } else {
    return core::invalid_argument(
        "not an OpenAPI description: it has neither an \"openapi\" nor a \"swagger\" member");
  }
  if (const auto* paths = object->if_contains("paths"); paths && !paths->is_object()) {
    return core::invalid_argument("paths must be an object, got " + core::json_preview(*paths));
  }
  ModelReader(*object, resolver, model).read();
  return model;
}

}  // namespace patchbay::oas
