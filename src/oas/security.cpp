#include "oas/security.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "core/text.hpp"
#include "oas/naming.hpp"
#include "oas/schema.hpp"

namespace patchbay::oas {
namespace {

namespace json = boost::json;
using Type = SecurityScheme::Type;

core::FieldSpec text_field(std::string name, std::string description, bool secret) {
  core::FieldSpec field;
  field.name = std::move(name);
  field.type = core::FieldType::String;
  field.secret = secret;
  field.description = std::move(description);
  return field;
}

// The client-credentials flow's tokenUrl (OpenAPI 3 flows.clientCredentials, Swagger
// 2 flow "application"), and the names of the other flows.
struct OAuthFlows {
  bool client_credentials = false;
  std::string token_url;
  std::vector<std::string> others;
};

OAuthFlows read_flows(const json::object& scheme, bool swagger2) {
  OAuthFlows flows;
  if (swagger2) {
    auto flow = core::string_member(scheme, "flow").value_or("");
    if (flow == "application") {
      flows.client_credentials = true;
      flows.token_url = std::string(core::string_member(scheme, "tokenUrl").value_or(""));
    } else if (!flow.empty()) {
      flows.others.emplace_back(flow);
    }
    return flows;
  }
  const auto* all = scheme.if_contains("flows");
  if (all == nullptr || !all->is_object()) return flows;
  for (const auto& [name, flow] : all->get_object()) {
    if (name == "clientCredentials" && flow.is_object()) {
      flows.client_credentials = true;
      flows.token_url =
          std::string(core::string_member(flow.get_object(), "tokenUrl").value_or(""));
    } else {
      flows.others.emplace_back(name);
    }
  }
  return flows;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

void add_scheme_fields(SecurityScheme& scheme, bool client_credentials,
                       std::string_view token_url, std::set<std::string>& field_names) {
  const std::string& name = scheme.name;
  auto add = [&](std::string wanted, std::string description, bool secret) {
    std::string field = claim_field(wanted, name, field_names);
    scheme.fields.push_back(text_field(field, std::move(description), secret));
    return field;
  };
  switch (scheme.type) {
    case Type::ApiKey: {
      std::string wanted = lower_camel(name);
      if (wanted.empty()) wanted = "apiKey";
      scheme.token_field = add(wanted,
                               "API key (" + name + "), sent in the " + scheme.location + " " +
                                   scheme.wire_name,
                               true);
      break;
    }
    case Type::Bearer:
      scheme.token_field =
          add("bearerToken", "Bearer token (" + name + "), sent as Authorization: Bearer", true);
      break;
    case Type::Basic:
      scheme.username_field =
          add("username", "User name for HTTP basic auth (" + name + ")", false);
      scheme.password_field = add("password", "Password for HTTP basic auth (" + name + ")", true);
      break;
    case Type::OAuth2:
      scheme.token_field = add("accessToken",
                               "OAuth2 access token (" + name + ")" +
                                   (client_credentials
                                        ? "; leave empty to use the client credentials below"
                                        : ", obtained outside patchbay"),
                               true);
      if (client_credentials) {
        scheme.client_id_field = add("clientId", "OAuth2 client id (" + name + ")", false);
        scheme.client_secret_field =
            add("clientSecret", "OAuth2 client secret (" + name + ")", true);
        scheme.token_url_field = add("tokenUrl", "OAuth2 token endpoint (" + name + ")", false);
        if (!token_url.empty()) scheme.fields.back().default_value = json::value(token_url);
      }
      break;
  }
}

void read_security(Resolver& resolver, const json::object& root, Model& model,
                   std::set<std::string>& field_names) {
  bool swagger2 = model.spec_version == "2.0";
  const json::value* schemes = nullptr;
  std::string base_pointer;
  if (swagger2) {
    schemes = root.if_contains("securityDefinitions");
    base_pointer = "#/securityDefinitions/";
  } else if (const auto* components = root.if_contains("components");
             components && components->is_object()) {
    schemes = components->get_object().if_contains("securitySchemes");
    base_pointer = "#/components/securitySchemes/";
  }
  if (schemes != nullptr && schemes->is_object()) {
    for (const auto& [key, raw] : schemes->get_object()) {
      std::string pointer = base_pointer + encode_pointer_segment(key);
      std::string problem;
      Located found = resolver.follow(Located{&raw, 0}, problem);
      if (!found || !found.value->is_object()) {
        model.warn(WarningKind::Note, pointer,
                   "security scheme \"" + std::string(key) + "\" is not usable: " +
                       (problem.empty() ? "not an object" : problem));
        continue;
      }
      const auto& scheme = found.value->get_object();
      std::string name(key);
      std::string type = std::string(core::string_member(scheme, "type").value_or(""));
      std::string http_scheme = core::ascii_lower(core::string_member(scheme, "scheme").value_or(""));
      SecurityScheme out;
      out.name = name;
      if (type == "apiKey") {
        out.type = Type::ApiKey;
        out.location = std::string(core::string_member(scheme, "in").value_or("header"));
        out.wire_name = std::string(core::string_member(scheme, "name").value_or(""));
        if (out.wire_name.empty() ||
            (out.location != "header" && out.location != "query" && out.location != "cookie")) {
          model.warn(WarningKind::Note, pointer,
                     "apiKey scheme \"" + name + "\" needs a name and in: header, query or "
                     "cookie; it is not used");
          continue;
        }
        add_scheme_fields(out, false, "", field_names);
      } else if ((type == "http" && http_scheme == "bearer") || (swagger2 && type == "bearer")) {
        out.type = Type::Bearer;
        add_scheme_fields(out, false, "", field_names);
      } else if ((type == "http" && http_scheme == "basic") || (swagger2 && type == "basic")) {
        out.type = Type::Basic;
        add_scheme_fields(out, false, "", field_names);
      } else if (type == "oauth2") {
        out.type = Type::OAuth2;
        OAuthFlows flows = read_flows(scheme, swagger2);
        add_scheme_fields(out, flows.client_credentials, flows.token_url, field_names);
        if (!flows.others.empty()) {
          model.warn(WarningKind::Note, pointer,
                     "oauth2 scheme \"" + name + "\" flows " + joined(flows.others) +
                         " need a person to sign in; the connector sends an access token "
                         "obtained elsewhere (connection field " + out.token_field + ")" +
                         (flows.client_credentials ? " or uses the client-credentials flow" : ""));
        }
      } else if (type == "openIdConnect") {
        out.type = Type::Bearer;
        out.token_field = claim_field("accessToken", name, field_names);
        out.fields.push_back(text_field(
            out.token_field, "Access token from the OpenID Connect provider (" + name + ")", true));
        model.warn(WarningKind::Note, pointer,
                   "openIdConnect scheme \"" + name + "\": the connector sends an access token "
                   "obtained elsewhere (connection field " + out.token_field + ")");
      } else {
        std::string what = type == "http" ? "http scheme \"" + http_scheme + "\"" : "type \"" + type + "\"";
        model.warn(WarningKind::Note, pointer,
                   "security scheme \"" + name + "\" (" + what +
                       ") is not supported; operations that need only it are sent without "
                       "credentials");
        continue;
      }
      model.schemes.push_back(std::move(out));
    }
  }
  if (const auto* security = root.if_contains("security")) {
    model.security = normalize_requirements(*security, "#/security", model);
  }
}

json::array normalize_requirements(const json::value& requirements, const std::string& pointer,
                                   Model& model) {
  json::array out;
  const auto* alternatives = requirements.if_array();
  if (alternatives == nullptr) return out;
  std::vector<std::string> unsupported;
  for (const auto& alternative : *alternatives) {
    const auto* requirement = alternative.if_object();
    if (requirement == nullptr) continue;
    bool usable = true;
    json::object kept;
    for (const auto& [name, scopes] : *requirement) {
      std::string_view wanted = name;  // structured bindings cannot be captured before clang 16
      bool known = std::any_of(model.schemes.begin(), model.schemes.end(),
                               [wanted](const SecurityScheme& s) { return s.name == wanted; });
      if (!known) {
        usable = false;
        unsupported.emplace_back(name);
        break;
      }
      json::array scope_list;
      if (const auto* list = scopes.if_array()) {
        for (const auto& scope : *list) {
          if (scope.is_string()) scope_list.push_back(scope);
        }
      }
      kept[name] = std::move(scope_list);
    }
    if (usable) out.push_back(std::move(kept));
  }
  if (out.empty() && !alternatives->empty()) {
    std::sort(unsupported.begin(), unsupported.end());
    unsupported.erase(std::unique(unsupported.begin(), unsupported.end()), unsupported.end());
    model.warn(WarningKind::Degraded, pointer,
               "needs security scheme " + joined(unsupported) +
                   ", which the connector cannot satisfy; requests are sent without credentials");
    out.push_back(json::object());  // "no credentials" is the alternative left
  }
  return out;
}

}  // namespace patchbay::oas
