// A generic HTTP request: method, url, headers, query, body and auth given as
// step params. Exists so workflows can call any API without writing a connector.

#include <boost/json/serialize.hpp>

#include "connectors/define/define_connector.hpp"
#include "http/client.hpp"

namespace patchbay::connectors::builtin {
namespace {

struct RequestParams {
  std::string method;
  std::string url;
  std::optional<json::object> headers;
  std::optional<json::object> query;
  std::optional<json::value> body;
  std::optional<json::object> auth;
  std::int64_t timeoutMs = 30'000;
};
BOOST_DESCRIBE_STRUCT(RequestParams, (), (method, url, headers, query, body, auth, timeoutMs))

using RequestCall = Call<RequestParams, json::object>;

// A param that cannot be turned into a request; becomes a failure result.
struct BadRequestParam {
  std::string message;
};

std::string scalar_text(const json::value& value, const std::string& where) {
  if (value.is_structured()) throw BadRequestParam{where + " must be a string, number or boolean"};
  return core::json_to_display_string(value);
}

http::Auth read_auth(const json::object& auth) {
  auto field = [&](std::string_view key) -> std::string {
    auto text = core::string_member(auth, key);
    if (!text || text->empty()) {
      throw BadRequestParam{"auth." + std::string(key) + " is required for this auth type"};
    }
    return std::string(*text);
  };
  auto type = core::string_member(auth, "type").value_or("");
  http::Auth out;
  if (type == "bearer") {
    out.kind = http::Auth::Kind::Bearer;
    out.token = field("token");
  } else if (type == "basic") {
    out.kind = http::Auth::Kind::Basic;
    out.username = field("username");
    out.password = core::string_member(auth, "password").value_or("");
  } else if (type == "apiKey") {
    auto in = core::string_member(auth, "in").value_or("header");
    if (in != "header" && in != "query") throw BadRequestParam{"auth.in must be header or query"};
    out.kind = in == "header" ? http::Auth::Kind::ApiKeyHeader : http::Auth::Kind::ApiKeyQuery;
    out.name = field("name");
    out.value = field("value");
  } else if (type != "none") {
    throw BadRequestParam{"auth.type must be bearer, basic, apiKey or none"};
  }
  return out;
}

http::RequestOptions build_options(const RequestParams& params) {
  http::RequestOptions options;
  options.method = http::parse_method(params.method).value_or(http::Method::Get);
  if (params.headers) {
    for (const auto& [name, value] : *params.headers) {
      options.headers.emplace_back(name, scalar_text(value, "headers." + std::string(name)));
    }
  }
  if (params.query) {
    for (const auto& [name, value] : *params.query) {
      std::string where = "query." + std::string(name);
      if (const auto* list = value.if_array()) {
        for (const auto& item : *list) options.query.emplace_back(name, scalar_text(item, where));
      } else {
        options.query.emplace_back(name, scalar_text(value, where));
      }
    }
  }
  options.body = params.body;
  if (params.auth) options.auth = read_auth(*params.auth);
  options.timeout = std::chrono::milliseconds(params.timeoutMs);
  return options;
}

json::object headers_object(const http::Headers& headers) {
  json::object out;
  for (const auto& [name, value] : headers) {
    if (auto* existing = out.if_contains(name)) {
      *existing = std::string(existing->get_string()) + ", " + value;
    } else {
      out[name] = value;
    }
  }
  return out;
}

CommandOutcome run_request(const RequestCall& call) {
  http::RequestOptions options;
  try {
    options = build_options(call.params);
  } catch (const BadRequestParam& bad) {
    return fail({.error = "Invalid request: " + bad.message});
  }
  options.instance = std::string(call.raw.connector);  // rate limits and breakers per instance
  auto response = http::request(call.params.url, options, call.logger);
  json::object headers = headers_object(response.headers);
  if (response.status >= 400) {
    return fail({.error = "HTTP " + std::to_string(response.status) + " from " +
                          std::string(http::to_string(options.method)) + " " +
                          http::redact_url(call.params.url),
                 .diagnostics = json::object{{"statusCode", response.status},
                                             {"responseBody", response.body},
                                             {"headers", std::move(headers)}}});
  }
  return succeed({.payload = json::object{{"status", response.status},
                                          {"headers", std::move(headers)},
                                          {"body", std::move(response.body)}}});
}

// Transport failures and refusals become failures with their stable code.
std::optional<Failure> map_http_error(const std::exception& error) {
  const auto* http_error = dynamic_cast<const http::HttpError*>(&error);
  if (http_error == nullptr) return std::nullopt;
  json::object diagnostics = http_error->details();
  diagnostics["retryable"] = http_error->retryable();
  return fail({.error = "HTTP request failed (" + std::string(http::to_string(http_error->code())) +
                        "): " + http_error->what(),
               .diagnostics = std::move(diagnostics)});
}

}  // namespace

core::ConnectorDefinition make_http() {
  return define_connector({
      .name = "http",
      .version = "1.0.0",
      .description = "Send an HTTP request and return its status, headers and body.",
      .category = "utility",
      .egress = {"any"},
      .error_map = map_http_error,
      .default_command = "request",
      .legacy_commandless_ui = true,
      .commands = {define_command<RequestParams>(
          "request",
          {
              .description = "Send one HTTP request. Statuses of 400 and above are failures "
                             "with the status and body in diagnostics.",
              .params =
                  {t::select("method", {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})
                       .default_to("GET")
                       .describe("HTTP method."),
                   t::string("url").required().describe("Absolute http or https URL."),
                   t::object("headers").describe("Request headers as an object of name: value."),
                   t::object("query").describe(
                       "Query parameters as an object; array values repeat the key."),
                   t::raw("body").describe(
                       "Request body: a string is sent as is, any other JSON value as "
                       "application/json."),
                   t::object("auth").describe(
                       "{type: bearer, token} | {type: basic, username, password} | "
                       "{type: apiKey, in: header|query, name, value}"),
                   t::integer("timeoutMs")
                       .default_to(30'000)
                       .min(1)
                       .max(300'000)
                       .describe("Total time allowed for the request, in milliseconds.")},
              .outputs = {{"status", "headers", "body"}},
              .mock = {{"default",
                        [](const RequestCall&) -> CommandOutcome {
                          return succeed({.payload = json::object{{"status", 200},
                                                                  {"headers", json::object{}},
                                                                  {"body", json::object{}}}});
                        }}},
              .handler = run_request,
          })},
  });
}

}  // namespace patchbay::connectors::builtin
