// draft_from_description: connector description -> Model -> draft_of(). The reader
// checks everything the draft relies on, so draft_of() never meets a name, path or
// value it would have to rename or drop; every problem is reported with its path.

#include "oas/describe.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/url/parse.hpp>

#include "core/connector_definition.hpp"
#include "core/json.hpp"
#include "core/text.hpp"
#include "oas/draft.hpp"
#include "oas/model.hpp"
#include "oas/naming.hpp"
#include "oas/schema.hpp"
#include "oas/security.hpp"

namespace patchbay::oas {
namespace {

namespace json = boost::json;
using core::FieldError;
using core::kMaxNameLength;

// The vocabularies: description_schema()'s enums and the reader's checks both
// read these.
constexpr std::array<std::string_view, 5> kAuthTypes = {"none", "apiKey", "bearer", "basic",
                                                        "oauth2ClientCredentials"};
constexpr std::array<std::string_view, 3> kApiKeyLocations = {"header", "query", "cookie"};
constexpr std::array<std::string_view, 7> kMethods = {"GET",    "POST", "PUT",    "PATCH",
                                                      "DELETE", "HEAD", "OPTIONS"};
constexpr std::array<std::string_view, 4> kParamLocations = {"path", "query", "header", "body"};
constexpr std::array<std::string_view, 6> kParamTypes = {"string",  "integer", "number",
                                                         "boolean", "array",   "object"};
constexpr std::array<std::string_view, 2> kBodyTypes = {"json", "form"};
// Headers the request's framing and body set; a header param may not.
constexpr std::array<std::string_view, 5> kManagedHeaders = {
    "content-type", "content-length", "host", "transfer-encoding", "connection"};

// ---------------------------------------------------------------------------
// The JSON Schema.

json::array values_of(std::span<const std::string_view> values) {
  json::array out;
  for (auto value : values) out.emplace_back(value);
  return out;
}

json::object typed(std::string_view type, std::string_view description) {
  return {{"type", type}, {"description", description}};
}

json::object one_of(std::span<const std::string_view> values, std::string_view description) {
  return {{"type", "string"}, {"enum", values_of(values)}, {"description", description}};
}

json::object string_list(std::string_view description) {
  return {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", description}};
}

json::object build_schema() {
  json::object param{
      {"type", "object"},
      {"description", "One input of the command: where it travels and what values it takes."},
      {"properties",
       {{"name", typed("string",
                       "The param's name in the command (1-100 characters, unique in the "
                       "command, not \"command\"). Also its name on the wire unless wireName "
                       "is given.")},
        {"in", one_of(kParamLocations,
                      "Where the value travels: a {variable} of the path, a query parameter, "
                      "a request header, or a top-level field of the request body (encoded "
                      "as the command's bodyType). GET and HEAD commands have no body.")},
        {"type", one_of(kParamTypes, "The value's JSON type. Default: string.")},
        {"required", typed("boolean",
                           "Whether every call must give it. Default: false. Path params are "
                           "always required.")},
        {"description", typed("string", "What the param means, for the person calling the "
                                        "command (its first paragraph is kept).")},
        {"default", {{"description", "The value used when the call gives none; of the "
                                     "param's type, and one of enum when enum is given."}}},
        {"enum", {{"type", "array"},
                  {"items", {{"type", json::array{"string", "number", "boolean"}}}},
                  {"minItems", 1},
                  {"description", "The only values allowed, each of the param's type "
                                  "(string, integer, number or boolean params only)."}}},
        {"wireName", typed("string",
                           "The name on the wire when it differs from name: the header "
                           "(X-Trace-Id), query key, body field or path {variable}.")}}},
      {"required", json::array{"name", "in"}},
      {"additionalProperties", false}};

  json::object command{
      {"type", "object"},
      {"description", "One operation of the API; it becomes a command of the connector."},
      {"properties",
       {{"name", typed("string",
                       "The command's name, which is also a JavaScript function name: a "
                       "lowercase letter, then letters, digits, _ or $ (listContacts); at most "
                       "100 characters; unique; not a JavaScript reserved word and not "
                       "\"test\" (patchbay writes the test command).")},
        {"description", typed("string", "What the command does (its first paragraph is kept).")},
        {"method", one_of(kMethods, "The HTTP method.")},
        {"path", typed("string",
                       "The path under baseUrl, starting with /, with a {variable} for each "
                       "path param (/contacts/{id}). Every {variable} must be a path param "
                       "(by name or wireName) and every path param a {variable}. Printable "
                       "ASCII without spaces or #; a fixed query (?type=user) may follow.")},
        {"params", {{"type", "array"},
                    {"items", std::move(param)},
                    {"description", "The command's inputs (at most 200)."}}},
        {"bodyType", one_of(kBodyTypes,
                            "How the body params travel: a JSON object (application/json) or "
                            "a URL-encoded form (application/x-www-form-urlencoded). Default: "
                            "json.")},
        {"outputs", string_list("The keys of the response's top-level object worth naming, "
                                "for workflow steps (metadata only).")}}},
      {"required", json::array{"name", "method", "path"}},
      {"additionalProperties", false}};

  json::object auth{
      {"type", "object"},
      {"description", "How requests are authenticated; the connector gets the matching "
                      "connection fields. Default: none."},
      {"properties",
       {{"type", one_of(kAuthTypes,
                        "none; apiKey (connection field apiKey, sent in the header, query "
                        "parameter or cookie named by name); bearer (bearerToken, sent as "
                        "Authorization: Bearer); basic (username and password); "
                        "oauth2ClientCredentials (clientId, clientSecret and tokenUrl; patchbay "
                        "fetches and caches the token; or a ready accessToken).")},
        {"in", one_of(kApiKeyLocations, "apiKey only: where the key travels. Default: header.")},
        {"name", typed("string", "apiKey only, required: the header, query parameter or "
                                 "cookie name (X-API-Key).")},
        {"tokenUrl", typed("string", "oauth2ClientCredentials only: the token endpoint, an "
                                     "absolute http(s) URL; the default of the tokenUrl "
                                     "connection field.")},
        {"scopes", string_list("oauth2ClientCredentials only: the scopes to request.")}}},
      {"required", json::array{"type"}},
      {"additionalProperties", false}};

  return {
      {"$schema", "https://json-schema.org/draft/2020-12/schema"},
      {"title", "Connector description"},
      {"description",
       "An HTTP API described for patchbay: patchbay writes the script connector (its "
       "configSchema and scriptSource) from it."},
      {"type", "object"},
      {"properties",
       {{"name", typed("string",
                       "The connector's name: 1-100 letters, digits, '-', '_' or '.', starting "
                       "with a letter or digit (acme-crm).")},
        {"description", typed("string", "What the connector is for.")},
        {"version", typed("string", "The connector's semantic version. Default: 1.0.0.")},
        {"baseUrl", typed("string",
                          "Where the API is served: an absolute http(s) URL without query or "
                          "credentials (https://api.acme.com/v2); the default of the baseUrl "
                          "connection field. Command paths are appended to it.")},
        {"auth", std::move(auth)},
        {"commands", {{"type", "array"},
                      {"items", std::move(command)},
                      {"minItems", 1},
                      {"description", "The API's operations (1 to 2000)."}}},
        {"testCommand", typed("string",
                              "The command that backs the connector's test command (a cheap "
                              "call without required params). Default: the GET without "
                              "required params and path variables with the shortest path, "
                              "if any.")}}},
      {"required", json::array{"name", "baseUrl", "commands"}},
      {"additionalProperties", false}};
}

const json::object& properties_of(const json::object& schema) {
  return schema.at("properties").get_object();
}

// ---------------------------------------------------------------------------
// Small checks.

bool is_one_of(std::string_view value, std::span<const std::string_view> values) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string listed(std::span<const std::string_view> values) {
  std::string out;
  for (auto value : values) out += (out.empty() ? "" : ", ") + std::string(value);
  return out;
}

// `text` cut to `limit` bytes without splitting a UTF-8 sequence, for messages.
std::string shown(std::string_view text, std::size_t limit = 60) {
  if (text.size() <= limit) return std::string(text);
  std::string out(text.substr(0, limit));
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  return out + "…";
}

std::string quoted(std::string_view text) { return "'" + shown(text) + "'"; }

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string at_index(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// RFC 9110 token: header and cookie names.
bool is_token(std::string_view text) {
  constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kExtra.find(c) != std::string_view::npos;
  });
}

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

// A command name: also a top-level JavaScript function of the script.
std::optional<std::string> command_name_problem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxNameLength) {
    return "is " + std::to_string(name.size()) + " characters, at most " +
           std::to_string(kMaxNameLength);
  }
  bool identifier = is_lower(name.front()) && std::all_of(name.begin(), name.end(), [](char c) {
                      return is_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                             c == '_' || c == '$';
                    });
  if (!identifier) {
    return quoted(name) +
           " is not a command name: a lowercase letter, then letters, digits, _ or $ "
           "(listContacts)";
  }
  if (name == "test") {
    return "'test' is the connectivity command patchbay writes itself; name the command "
           "it should call with testCommand";
  }
  if (is_reserved_name(name)) {
    return quoted(name) + " is reserved: a JavaScript keyword or a name the generated script "
                          "uses";
  }
  return std::nullopt;
}

std::size_t depth_of(const json::value& value, std::size_t limit) {
  if (limit == 0) return 1;
  std::size_t deepest = 0;
  if (const auto* array = value.if_array()) {
    for (const auto& item : *array) deepest = std::max(deepest, depth_of(item, limit - 1));
    return deepest + 1;
  }
  if (const auto* object = value.if_object()) {
    for (const auto& item : *object) deepest = std::max(deepest, depth_of(item.value(), limit - 1));
    return deepest + 1;
  }
  return 0;
}

bool has_type(const json::value& value, core::FieldType type) {
  switch (type) {
    case core::FieldType::String:
      return value.is_string();
    case core::FieldType::Integer:
      return value.is_int64() || value.is_uint64();
    case core::FieldType::Number:
      return value.is_number();
    case core::FieldType::Boolean:
      return value.is_bool();
    case core::FieldType::Array:
      return value.is_array();
    case core::FieldType::Object:
      return value.is_object();
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------
// The reader.

struct Auth {
  std::string type = "none";
  std::string in = "header";
  std::string name;
  std::string token_url;
  std::vector<std::string> scopes;
};

class Reader {
 public:
  explicit Reader(const json::object& schema) : schema_(schema) {}

  core::Result<Draft> read(const json::value& root) {
    const auto* object = root.if_object();
    if (object == nullptr) {
      problem("", "the description must be a JSON object, got " + core::json_preview(root));
      return refusal();
    }
    reject_unknown(*object, schema_, "");
    read_connector(*object);
    read_auth(*object);
    read_commands(*object);
    read_test_command(*object);
    if (!problems_.empty()) return refusal();
    model_.operation_count = model_.operations.size();

    DraftOptions options;
    options.name = model_.title;
    options.version = version_;
    options.execution_model = core::ExecutionModel::Script;
    options.test_command = test_command_;
    auto draft = draft_of(model_, options);
    if (!draft) return draft.error();
    const auto* script = draft->definition.if_contains("scriptSource");
    std::size_t bytes = script && script->is_string() ? script->get_string().size() : 0;
    if (bytes > kScriptSizeLimit) {
      problem("commands", "the generated script is " + std::to_string(bytes) +
                              " bytes, over the 1 MiB script limit: describe fewer commands");
      return refusal();
    }
    draft->operations = model_.operation_count;
    draft->warnings.insert(draft->warnings.begin(), notes_.begin(), notes_.end());
    return draft;
  }

 private:
  core::Error refusal() {
    return core::validation_error(std::move(problems_), "invalid connector description");
  }

  void problem(std::string path, std::string message) {
    if (problems_.size() < kMaxReportedProblems) {
      problems_.push_back({std::move(path), std::move(message)});
    }
  }

  void reject_unknown(const json::object& object, const json::object& schema,
                      const std::string& path) {
    const auto& known = properties_of(schema);
    for (const auto& member : object) {
      std::string_view key = member.key();
      if (known.contains(key)) continue;
      std::string allowed;
      for (const auto& property : known) {
        allowed += (allowed.empty() ? "" : ", ") + std::string(property.key());
      }
      problem(child(path, shown(key)), "unknown key; allowed keys are " + allowed);
    }
  }

  // A string member: nullopt when absent (a problem if `required`) or not a string.
  std::optional<std::string> text(const json::object& object, std::string_view key,
                                  const std::string& path, bool required,
                                  std::size_t max_bytes) {
    std::string at = child(path, key);
    const auto* value = object.if_contains(key);
    if (value == nullptr) {
      if (required) problem(at, "is required");
      return std::nullopt;
    }
    if (!value->is_string()) {
      problem(at, "must be a string, got " + core::json_preview(*value));
      return std::nullopt;
    }
    std::string_view got = value->get_string();
    if (got.size() > max_bytes) {
      problem(at, "is " + std::to_string(got.size()) + " bytes, at most " +
                      std::to_string(max_bytes));
      return std::nullopt;
    }
    return std::string(got);
  }

  std::optional<std::string> choice(const json::object& object, std::string_view key,
                                    const std::string& path, bool required,
                                    std::span<const std::string_view> values) {
    auto got = text(object, key, path, required, kMaxNameLength);
    if (got && !is_one_of(*got, values)) {
      problem(child(path, key), "must be one of " + listed(values) + ", got " + quoted(*got));
      return std::nullopt;
    }
    return got;
  }

  std::optional<bool> flag(const json::object& object, std::string_view key,
                           const std::string& path) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_bool()) {
      problem(child(path, key), "must be true or false, got " + core::json_preview(*value));
      return std::nullopt;
    }
    return value->get_bool();
  }

  // An array member of at most `max_items`; nullptr when absent or wrong.
  const json::array* list(const json::object& object, std::string_view key,
                          const std::string& path, bool required, std::size_t max_items) {
    std::string at = child(path, key);
    const auto* value = object.if_contains(key);
    if (value == nullptr) {
      if (required) problem(at, "is required");
      return nullptr;
    }
    if (!value->is_array()) {
      problem(at, "must be an array, got " + core::json_preview(*value));
      return nullptr;
    }
    if (value->get_array().size() > max_items) {
      problem(at, "has " + std::to_string(value->get_array().size()) + " items, at most " +
                      std::to_string(max_items));
      return nullptr;
    }
    return &value->get_array();
  }

  // An absolute http(s) URL without credentials or fragment.
  std::optional<std::string> http_url(const std::string& url, const std::string& path,
                                      bool allow_query) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    std::string example = " (https://api.example.com/v2), got " + quoted(url);
    if (!parsed) {
      problem(path, "must be an absolute http(s) URL" + example);
      return std::nullopt;
    }
    std::string scheme = core::ascii_lower(parsed->scheme());
    if (scheme != "http" && scheme != "https") {
      problem(path, "must be an http or https URL" + example);
    } else if (parsed->host().empty()) {
      problem(path, "has no host" + example);
    } else if (parsed->has_userinfo()) {
      problem(path, "must not carry credentials; describe them with auth");
    } else if (parsed->has_fragment()) {
      problem(path, "must not have a #fragment");
    } else if (parsed->has_query() && !allow_query) {
      problem(path, "must not have a query; give query params to the commands");
    } else {
      return url;
    }
    return std::nullopt;
  }

  void read_connector(const json::object& root) {
    auto name = text(root, "name", "", true, kMaxNameLength);
    auto description = text(root, "description", "", false, kMaxDescribedTextBytes);
    auto version = text(root, "version", "", false, kMaxNameLength);
    if (version) version_ = *version;
    if (name) {
      // core's own rules for names and versions, so the draft validates.
      core::ConnectorDefinition probe;
      probe.name = *name;
      probe.version = version_;
      probe.execution_model = core::ExecutionModel::Script;
      probe.script_source = "//";
      for (auto& error : core::validate_definition(probe)) {
        if (error.path == "name" || (version && error.path == "version")) {
          problem(error.path, error.message);
        }
      }
      model_.title = *name;
      model_.origin = "the connector description \"" + *name + "\"";
    }
    if (description) model_.description = *description;
    if (auto base = text(root, "baseUrl", "", true, kMaxDescribedUrlBytes)) {
      if (auto url = http_url(*base, "baseUrl", false)) {
        while (url->size() > 1 && url->back() == '/') url->pop_back();
        model_.base_url = *url;
      }
    }
  }

  void read_auth(const json::object& root) {
    const auto* value = root.if_contains("auth");
    if (value == nullptr) return;
    if (!value->is_object()) {
      problem("auth", "must be an object ({\"type\": \"bearer\"}), got " +
                          core::json_preview(*value));
      return;
    }
    const auto& object = value->get_object();
    const auto& schema = properties_of(schema_).at("auth").get_object();
    reject_unknown(object, schema, "auth");
    auto type = choice(object, "type", "auth", true, kAuthTypes);
    if (!type) return;
    auth_.type = *type;
    auto only_for = [&](std::string_view key, std::string_view wanted) {
      if (object.contains(key) && auth_.type != wanted) {
        problem(child("auth", key), "applies to auth type " + std::string(wanted) + " only");
        return false;
      }
      return object.contains(key);
    };
    if (only_for("in", "apiKey")) {
      if (auto in = choice(object, "in", "auth", false, kApiKeyLocations)) auth_.in = *in;
    }
    if (auth_.type != "apiKey") {
      only_for("name", "apiKey");
    } else if (!object.contains("name")) {
      problem("auth.name", "is required for an apiKey: the header, query parameter or cookie "
                           "that carries the key");
    } else if (auto name = text(object, "name", "auth", true, kMaxNameLength)) {
      bool query = auth_.in == "query";
      if (query ? (name->empty() || has_control(*name)) : !is_token(*name)) {
        problem("auth.name", quoted(*name) + " is not a valid " + auth_.in + " name");
      } else if (auth_.in == "header" && is_one_of(core::ascii_lower(*name), kManagedHeaders)) {
        problem("auth.name", quoted(*name) + " is set by the request itself");
      } else {
        auth_.name = *name;
      }
    }
    if (only_for("tokenUrl", "oauth2ClientCredentials")) {
      if (auto url = text(object, "tokenUrl", "auth", false, kMaxDescribedUrlBytes)) {
        if (http_url(*url, "auth.tokenUrl", true)) auth_.token_url = *url;
      }
    }
    if (only_for("scopes", "oauth2ClientCredentials")) {
      if (const auto* scopes = list(object, "scopes", "auth", false, kMaxDescribedScopes)) {
        for (std::size_t i = 0; i < scopes->size(); ++i) {
          std::string at = at_index("auth.scopes", i);
          const auto& scope = (*scopes)[i];
          bool printable = scope.is_string() && !scope.get_string().empty() &&
                           scope.get_string().size() <= kMaxNameLength * 2 &&
                           std::none_of(scope.get_string().begin(), scope.get_string().end(),
                                        [](char c) {
                                          auto byte = static_cast<unsigned char>(c);
                                          return byte <= 0x20 || byte == 0x7f;
                                        });
          if (!printable) {
            problem(at, "must be a scope: 1-200 characters without spaces, got " +
                            core::json_preview(scope));
          } else {
            auth_.scopes.emplace_back(scope.get_string());
          }
        }
      }
    }
    add_scheme();
  }

  // The auth as the one security scheme of the model, named after its type, with
  // the fields an OpenAPI scheme of that kind gets.
  void add_scheme() {
    if (auth_.type == "none") return;
    SecurityScheme scheme;
    bool client_credentials = false;
    if (auth_.type == "apiKey") {
      scheme.name = "apiKey";
      scheme.type = SecurityScheme::Type::ApiKey;
      scheme.location = auth_.in;
      scheme.wire_name = auth_.name;
    } else if (auth_.type == "bearer") {
      scheme.name = "bearer";
      scheme.type = SecurityScheme::Type::Bearer;
    } else if (auth_.type == "basic") {
      scheme.name = "basic";
      scheme.type = SecurityScheme::Type::Basic;
    } else {
      scheme.name = "oauth2";
      scheme.type = SecurityScheme::Type::OAuth2;
      client_credentials = true;
    }
    std::set<std::string> fields{"baseUrl"};
    add_scheme_fields(scheme, client_credentials, auth_.token_url, fields);
    json::array scopes;
    for (const auto& scope : auth_.scopes) scopes.emplace_back(scope);
    model_.security.push_back(json::object{{scheme.name, std::move(scopes)}});
    model_.schemes.push_back(std::move(scheme));
  }

  void read_commands(const json::object& root) {
    const auto* commands = list(root, "commands", "", true, kMaxDescribedCommands);
    if (commands == nullptr) return;
    if (commands->empty()) {
      problem("commands", "must have at least one command");
      return;
    }
    const auto& items = properties_of(schema_).at("commands").get_object().at("items").get_object();
    for (std::size_t i = 0; i < commands->size(); ++i) {
      std::string path = at_index("commands", i);
      const auto& value = (*commands)[i];
      if (!value.is_object()) {
        problem(path, "must be an object ({\"name\", \"method\", \"path\", ...}), got " +
                          core::json_preview(value));
        continue;
      }
      reject_unknown(value.get_object(), items, path);
      read_command(value.get_object(), path, i, items);
    }
  }

  void read_command(const json::object& object, const std::string& path, std::size_t index,
                    const json::object& schema) {
    Operation op;
    op.pointer = "#/commands/" + std::to_string(index);
    if (auto name = text(object, "name", path, true, kMaxNameLength)) {
      Named named{index, model_.operations.size()};
      if (auto wrong = command_name_problem(*name)) {
        problem(child(path, "name"), *wrong);
      } else if (auto [seen, fresh] = commands_.emplace(*name, named); !fresh) {
        problem(child(path, "name"), quoted(*name) + " is also the name of " +
                                         at_index("commands", seen->second.index));
      }
      op.command = *name;
      op.operation_id = *name;
    }
    auto description = text(object, "description", path, false, kMaxDescribedTextBytes);
    if (auto method = text(object, "method", path, true, kMaxNameLength)) {
      op.method = *method;
      for (auto& c : op.method) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
      if (!is_one_of(op.method, kMethods)) {
        problem(child(path, "method"), "must be one of " + listed(kMethods) + ", got " +
                                           quoted(*method));
      }
    }
    std::vector<std::string> variables;
    if (auto route = text(object, "path", path, true, kMaxDescribedUrlBytes)) {
      op.path = *route;
      variables = read_path(op.path, child(path, "path"));
    }
    op.description = short_description(description.value_or(""));
    if (op.description.empty()) op.description = op.method + " " + op.path;

    auto body_type = choice(object, "bodyType", path, false, kBodyTypes);
    std::set<std::string> bound;  // path variables that have a param
    if (const auto* params = list(object, "params", path, false, kMaxDescribedParams)) {
      const auto& param_schema = properties_of(schema).at("params").get_object().at("items").get_object();
      std::map<std::string, std::size_t> names;
      std::map<std::string, std::size_t> wires;  // location + wire name
      for (std::size_t j = 0; j < params->size(); ++j) {
        std::string param_path = at_index(child(path, "params"), j);
        const auto& value = (*params)[j];
        if (!value.is_object()) {
          problem(param_path, "must be an object ({\"name\", \"in\", ...}), got " +
                                  core::json_preview(value));
          continue;
        }
        reject_unknown(value.get_object(), param_schema, param_path);
        auto param = read_param(value.get_object(), param_path, op, variables);
        if (!param) continue;
        if (auto [seen, fresh] = names.emplace(param->name, j); !fresh) {
          problem(child(param_path, "name"),
                  quoted(param->name) + " is also the name of params[" +
                      std::to_string(seen->second) + "]");
        }
        std::string wire = param->in == ParamIn::Header ? core::ascii_lower(param->wire)
                                                        : param->wire;
        std::string key = std::string(to_string(param->in)) + " " + wire;
        if (auto [seen, fresh] = wires.emplace(key, j); !fresh) {
          problem(param_path, "sends " + quoted(param->wire) + " in the " +
                                  std::string(to_string(param->in)) + " like params[" +
                                  std::to_string(seen->second) + "]");
        }
        if (param->in == ParamIn::Path) bound.insert(param->wire);
        op.params.push_back(std::move(*param));
      }
    }
    for (const auto& variable : variables) {
      if (bound.count(variable) == 0) {
        problem(child(path, "path"),
                "{" + shown(variable) + "} has no path param: add {\"name\": \"" +
                    shown(variable) + "\", \"in\": \"path\"} to params");
      }
    }
    bool has_body = std::any_of(op.params.begin(), op.params.end(),
                                [](const Param& p) { return p.in == ParamIn::Body; });
    if (has_body) {
      bool form = body_type.value_or("json") == "form";
      op.body = form ? BodyKind::Form : BodyKind::Json;
      op.content_type = form ? "application/x-www-form-urlencoded" : "application/json";
    } else if (body_type) {
      notes_.push_back({WarningKind::Note, op.pointer + "/bodyType",
                        "bodyType has no effect: the command has no body params"});
    }
    read_outputs(object, path, op);
    model_.operations.push_back(std::move(op));
  }

  // The {variables} of a path, in order; problems with the path itself.
  std::vector<std::string> read_path(const std::string& route, const std::string& path) {
    std::vector<std::string> variables;
    if (route.empty() || route.front() != '/') {
      problem(path, "must start with / (/contacts/{id}), got " + quoted(route));
      return variables;
    }
    for (char c : route) {
      auto byte = static_cast<unsigned char>(c);
      if (byte <= 0x20 || byte >= 0x7f || c == '#') {
        problem(path, "must be printable ASCII without spaces or # (percent-encode the "
                      "rest), got " + quoted(route));
        return variables;
      }
    }
    for (std::size_t at = 0; at < route.size(); ++at) {
      if (route[at] == '}') {
        problem(path, "has a } without {: " + quoted(route));
        return variables;
      }
      if (route[at] != '{') continue;
      auto close = route.find_first_of("{}/?", at + 1);
      if (close == std::string::npos || route[close] != '}') {
        problem(path, "has a { that is not closed before the next / or {: " + quoted(route));
        return variables;
      }
      std::string variable = route.substr(at + 1, close - at - 1);
      if (variable.empty()) {
        problem(path, "has an empty {}: " + quoted(route));
        return variables;
      }
      if (std::find(variables.begin(), variables.end(), variable) == variables.end()) {
        variables.push_back(std::move(variable));
      }
      at = close;
    }
    return variables;
  }

  std::optional<Param> read_param(const json::object& object, const std::string& path,
                                  const Operation& op, const std::vector<std::string>& variables) {
    auto name = text(object, "name", path, true, kMaxNameLength);
    auto in = choice(object, "in", path, true, kParamLocations);
    auto type_name = choice(object, "type", path, false, kParamTypes);
    auto required = flag(object, "required", path);
    auto description = text(object, "description", path, false, kMaxDescribedTextBytes);
    auto wire_name = text(object, "wireName", path, false, kMaxNameLength);
    std::size_t before = problems_.size();
    if (name) {
      if (name->empty() || name->size() > kMaxNameLength || has_control(*name)) {
        problem(child(path, "name"), "must be 1-" + std::to_string(kMaxNameLength) +
                                         " characters without control characters, got " +
                                         quoted(*name));
      } else if (*name == "command") {
        problem(child(path, "name"),
                "'command' is reserved: it selects the command in a step config; use "
                "{\"name\": \"commandName\", \"wireName\": \"command\"}");
      }
    }
    if (!name || !in || problems_.size() != before) return std::nullopt;

    Param param;
    param.name = *name;
    param.wire = wire_name.value_or(*name);
    std::string wire_path = child(path, wire_name ? "wireName" : "name");
    if (param.wire.empty() || param.wire.size() > kMaxNameLength || has_control(param.wire)) {
      problem(wire_path, "must be 1-" + std::to_string(kMaxNameLength) +
                             " characters without control characters");
      return std::nullopt;
    }
    std::string lowered = core::ascii_lower(param.wire);
    bool credential_header = auth_.type == "bearer" || auth_.type == "basic" ||
                             auth_.type == "oauth2ClientCredentials";
    if (*in == "path") {
      param.in = ParamIn::Path;
      if (required == false) {
        problem(child(path, "required"), "path params are always required");
      }
      required = true;
      if (std::find(variables.begin(), variables.end(), param.wire) == variables.end()) {
        problem(wire_path, quoted(param.wire) + " is not a {variable} of the path " +
                               quoted(op.path));
      }
    } else if (*in == "query") {
      param.in = ParamIn::Query;
      if (auth_.type == "apiKey" && auth_.in == "query" && param.wire == auth_.name) {
        problem(wire_path, "the auth sends the query parameter " + quoted(param.wire));
      }
    } else if (*in == "header") {
      param.in = ParamIn::Header;
      if (!is_token(param.wire)) {
        problem(wire_path, quoted(param.wire) + " is not a valid header name");
      } else if (is_one_of(lowered, kManagedHeaders)) {
        problem(wire_path, quoted(param.wire) + " is set by the request itself (the body's "
                                                "type comes from bodyType)");
      } else if ((credential_header && lowered == "authorization") ||
                 (auth_.type == "apiKey" && auth_.in == "header" &&
                  lowered == core::ascii_lower(auth_.name)) ||
                 (auth_.type == "apiKey" && auth_.in == "cookie" && lowered == "cookie")) {
        problem(wire_path, "the auth (" + auth_.type + ") sends the " + param.wire + " header");
      }
    } else {
      param.in = ParamIn::Body;
      if (op.method == "GET" || op.method == "HEAD") {
        problem(child(path, "in"), "a " + op.method + " request has no body: send the value "
                                   "in the query instead");
      }
    }

    SchemaTop schema;
    schema.type = *core::parse_field_type(type_name.value_or("string"));
    std::size_t checked = problems_.size();
    if (const auto* values = object.if_contains("enum")) {
      read_enum(*values, *schema.type, child(path, "enum"));
      schema.enum_values = values;
    }
    if (const auto* fallback = object.if_contains("default")) {
      std::string at = child(path, "default");
      if (fallback->is_null()) {
        problem(at, "must not be null; leave it out for no default");
      } else if (!has_type(*fallback, *schema.type)) {
        problem(at, "must be of the param's type " + std::string(to_string(*schema.type)) +
                        ", got " + core::json_preview(*fallback));
      } else if (depth_of(*fallback, kMaxDescribedValueDepth + 1) > kMaxDescribedValueDepth) {
        problem(at, "nests deeper than " + std::to_string(kMaxDescribedValueDepth) + " levels");
      }
      schema.default_value = fallback;
    }
    if (problems_.size() != checked) return std::nullopt;
    std::string dropped;
    param.spec = field_from_schema(param.name, schema, description.value_or(""),
                                   required.value_or(false), dropped);
    if (!dropped.empty()) {
      // field_from_schema() keeps what validates: here that is a default outside the enum.
      std::vector<FieldError> errors;
      param.spec.default_value = json::value(*schema.default_value, json::storage_ptr());
      core::validate_field_spec(param.spec, "", errors);
      problem(child(path, "default"),
              errors.empty() ? dropped + " does not validate" : errors.front().message);
      return std::nullopt;
    }
    return param;
  }

  void read_enum(const json::value& values, core::FieldType type, const std::string& path) {
    if (!values.is_array() || values.get_array().empty()) {
      problem(path, "must be a non-empty array of allowed values, got " +
                        core::json_preview(values));
      return;
    }
    if (type == core::FieldType::Array || type == core::FieldType::Object) {
      problem(path, "applies to string, integer, number and boolean params only");
      return;
    }
    const auto& array = values.get_array();
    if (array.size() > kMaxDescribedEnumValues) {
      problem(path, "has " + std::to_string(array.size()) + " values, at most " +
                        std::to_string(kMaxDescribedEnumValues));
      return;
    }
    for (std::size_t i = 0; i < array.size(); ++i) {
      if (!has_type(array[i], type)) {
        problem(at_index(path, i), "must be of the param's type " +
                                       std::string(to_string(type)) + ", got " +
                                       core::json_preview(array[i]));
        return;
      }
    }
  }

  void read_outputs(const json::object& object, const std::string& path, Operation& op) {
    const auto* outputs = list(object, "outputs", path, false, kMaxDescribedOutputs);
    if (outputs == nullptr) return;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < outputs->size(); ++i) {
      std::string at = at_index(child(path, "outputs"), i);
      const auto& value = (*outputs)[i];
      if (!value.is_string() || value.get_string().empty() ||
          value.get_string().size() > kMaxNameLength || has_control(value.get_string())) {
        problem(at, "must be a key of the response: 1-" + std::to_string(kMaxNameLength) +
                        " characters, got " + core::json_preview(value));
        continue;
      }
      std::string name(value.get_string());
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        problem(at, quoted(name) + " is listed twice");
        continue;
      }
      names.push_back(std::move(name));
    }
    op.outputs = std::move(names);
  }

  void read_test_command(const json::object& root) {
    auto name = text(root, "testCommand", "", false, kMaxNameLength);
    if (!name) return;
    auto found = commands_.find(*name);
    if (found == commands_.end()) {
      std::string names;
      std::size_t shown_names = 0;
      for (const auto& op : model_.operations) {
        if (op.command.empty()) continue;
        if (++shown_names > 10) {
          names += ", ...";
          break;
        }
        names += (names.empty() ? "" : ", ") + op.command;
      }
      problem("testCommand", quoted(*name) + " is not one of the commands: " + names);
      return;
    }
    // `test` calls the command's function directly, without the dispatcher's
    // defaults: a required param with a default is missing there too.
    const Operation& op = model_.operations[found->second.operation];
    std::string needs;
    for (const auto& param : op.params) {
      if (param.spec.required) {
        needs += (needs.empty() ? "" : ", ") + param.name;
      }
    }
    if (!needs.empty()) {
      problem("testCommand", quoted(*name) + " needs params (" + needs +
                                 "); the test command calls it without any");
      return;
    }
    test_command_ = *name;
  }

  const json::object& schema_;
  std::vector<FieldError> problems_;
  std::vector<ImportWarning> notes_;
  Model model_;
  Auth auth_;
  std::string version_ = "1.0.0";
  std::string test_command_;
  struct Named {
    std::size_t index;      // in the description's commands
    std::size_t operation;  // in model_.operations
  };
  std::map<std::string, Named> commands_;
};

}  // namespace

const json::object& description_schema() {
  static const json::object schema = build_schema();
  return schema;
}

core::Result<Draft> draft_from_description(const json::value& description) {
  return Reader(description_schema()).read(description);
}

}  // namespace patchbay::oas
