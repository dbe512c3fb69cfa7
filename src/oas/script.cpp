#include "oas/script.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

namespace patchbay::oas {
namespace {

namespace json = boost::json;

// clang-format off
constexpr std::string_view kRuntime =
#include "oas/script_runtime.js.inc"
    ;
// clang-format on

std::string quoted(std::string_view text) { return json::serialize(json::string(text)); }

// `text` as it may stand in a // comment: at most `limit` bytes (not cutting a UTF-8
// sequence), every line terminator (CR, LF, U+2028, U+2029) and other control
// character a space. A title or path from the description would otherwise end the
// comment and leave the rest of it as code.
std::string comment_text(std::string_view text, std::size_t limit) {
  std::string out;
  out.reserve(std::min(text.size(), limit));
  for (std::size_t i = 0; i < text.size() && out.size() < limit; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    bool separator = byte == 0xE2 && i + 2 < text.size() &&
                     static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                     (static_cast<unsigned char>(text[i + 2]) == 0xA8 ||
                      static_cast<unsigned char>(text[i + 2]) == 0xA9);
    if (separator) {
      out.push_back(' ');
      i += 2;
    } else {
      out.push_back(byte < 0x20 || byte == 0x7f ? ' ' : text[i]);
    }
  }
  if (out.size() >= limit && text.size() > limit) {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  }
  return out;
}

// The location's default serialization, as the runtime's DEFAULT_STYLES has it.
std::pair<std::string_view, bool> default_style(ParamIn in) {
  switch (in) {
    case ParamIn::Query:
    case ParamIn::Cookie:
      return {"form", true};
    default:
      return {"simple", false};
  }
}

void append_param(std::string& out, const Param& param) {
  out += '[';
  out += quoted(param.name);
  out += ',';
  out += quoted(to_string(param.in));
  auto [style, explode] = default_style(param.in);
  std::string_view own_style = param.style.empty() ? style : std::string_view(param.style);
  // style "form" explodes by default, every other style does not.
  bool own_explode = param.explode.value_or(param.style.empty() ? explode : own_style == "form");
  bool custom = own_style != style || own_explode != explode;
  if (param.wire != param.name || custom) {
    out += ',';
    out += quoted(param.wire);
  }
  if (custom) {
    out += ',';
    out += quoted(own_style);
    out += own_explode ? ",true" : ",false";
  }
  out += ']';
}

void append_operation(std::string& out, const Operation& op) {
  out += quoted(op.command);
  out += ":{\"method\":";
  out += quoted(op.method);
  out += ",\"path\":";
  out += quoted(op.path);
  out += ",\"params\":[";
  for (std::size_t i = 0; i < op.params.size(); ++i) {
    if (i > 0) out += ',';
    append_param(out, op.params[i]);
  }
  out += ']';
  if (op.body != BodyKind::None) {
    out += ",\"body\":";
    out += quoted(to_string(op.body));
    bool default_type = (op.body == BodyKind::Json && op.content_type == "application/json") ||
                        (op.body == BodyKind::Form &&
                         op.content_type == "application/x-www-form-urlencoded") ||
                        op.body == BodyKind::Multipart;
    if (!default_type) {
      out += ",\"contentType\":";
      out += quoted(op.content_type);
    }
  }
  if (op.security) {
    out += ",\"security\":";
    out += json::serialize(*op.security);
  }
  if (!op.server_field.empty()) {
    out += ",\"server\":";
    out += quoted(op.server_field);
  }
  out += '}';
}

json::object scheme_descriptor(const SecurityScheme& scheme) {
  json::object out;
  switch (scheme.type) {
    case SecurityScheme::Type::ApiKey:
      out = {{"type", "apiKey"}, {"in", scheme.location}, {"name", scheme.wire_name},
             {"token", scheme.token_field}};
      break;
    case SecurityScheme::Type::Bearer:
      out = {{"type", "bearer"}, {"token", scheme.token_field}};
      break;
    case SecurityScheme::Type::Basic:
      out = {{"type", "basic"},
             {"username", scheme.username_field},
             {"password", scheme.password_field}};
      break;
    case SecurityScheme::Type::OAuth2:
      out = {{"type", "oauth2"}, {"token", scheme.token_field}};
      if (!scheme.client_id_field.empty()) {
        out["clientId"] = scheme.client_id_field;
        out["clientSecret"] = scheme.client_secret_field;
        out["tokenUrl"] = scheme.token_url_field;
        for (const auto& field : scheme.fields) {
          if (field.name == scheme.token_url_field && field.default_value) {
            out["defaultTokenUrl"] = *field.default_value;
          }
        }
      }
      break;
  }
  return out;
}

}  // namespace

std::string_view to_string(ParamIn where) {
  switch (where) {
    case ParamIn::Path:
      return "path";
    case ParamIn::Query:
      return "query";
    case ParamIn::Header:
      return "header";
    case ParamIn::Cookie:
      return "cookie";
    case ParamIn::Body:
      return "body";
    case ParamIn::Payload:
      return "payload";
  }
  return "query";
}

std::string_view to_string(BodyKind kind) {
  switch (kind) {
    case BodyKind::None:
      return "none";
    case BodyKind::Json:
      return "json";
    case BodyKind::Form:
      return "form";
    case BodyKind::Multipart:
      return "multipart";
    case BodyKind::Text:
      return "text";
  }
  return "none";
}

std::string generate_script(const Model& model, const std::vector<const Operation*>& operations,
                            const Operation* test_operation) {
  std::string out;
  out.reserve(4096 + operations.size() * 200);
  out += "// Generated by patchbay from ";
  if (model.origin.empty()) {
    out += "the OpenAPI description ";
    out += quoted(comment_text(model.title, 120));
    out += " (";
    out += model.spec_version == "2.0" ? "Swagger 2.0" : "OpenAPI " + model.spec_version;
    out += ")";
  } else {
    out += model.origin;
  }
  out += ".\n// Each command sends one operation; OPERATIONS says where its params go.\n";
  out += "\"use strict\";\n\nconst SECURITY_SCHEMES = {";
  bool first = true;
  for (const auto& scheme : model.schemes) {
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += quoted(scheme.name);
    out += ": ";
    out += json::serialize(scheme_descriptor(scheme));
  }
  out += "\n};\nconst DEFAULT_SECURITY = ";
  out += json::serialize(model.security);
  out += ";\n\nconst OPERATIONS = {";
  first = true;
  for (const Operation* op : operations) {
    out += first ? "\n" : ",\n";
    first = false;
    append_operation(out, *op);
  }
  out += "\n};\n\n";
  for (const Operation* op : operations) {
    out += "function ";
    out += op->command;
    out += "(params) { return send_operation(";
    out += quoted(op->command);
    out += ", params); }\n";
  }
  if (test_operation != nullptr) {
    out += "\n// Connectivity and credentials: ";
    out += comment_text(test_operation->method + " " + test_operation->path, 300);
    out += "\nfunction test() {\n  const result = send_operation(";
    out += quoted(test_operation->command);
    out += ", {});\n  if (!result.success) return result;\n  return { success: true, payload: { "
           "reachable: true, operation: ";
    out += quoted(test_operation->method + " " + test_operation->path);
    out += " } };\n}\n";
  }
  out += kRuntime;
  return out;
}

}  // namespace patchbay::oas
