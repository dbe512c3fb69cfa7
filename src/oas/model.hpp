#pragma once
// The importer's own model of a description: what the generated script and the
// draft's configSchema are both written from. Swagger 2.0 and OpenAPI 3.x are read
// into the same shapes (operations.cpp, security.cpp).

#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include "core/field_spec.hpp"
#include "oas/oas.hpp"

namespace patchbay::oas {

// Where a command param travels. Body and Payload use the operation's BodyKind.
enum class ParamIn {
  Path,
  Query,
  Header,
  Cookie,
  Body,     // one top-level field of the request body
  Payload,  // the whole request body
};
std::string_view to_string(ParamIn where);

struct Param {
  std::string name;  // the command param (unique within the command)
  std::string wire;  // the name on the wire (path variable, query key, header, field)
  ParamIn in = ParamIn::Query;
  // Serialization (OpenAPI 3 style/explode; Swagger 2 collectionFormat mapped to
  // them, "tabDelimited" included). Empty style: the location's default.
  std::string style;
  std::optional<bool> explode;
  core::FieldSpec spec;
};

enum class BodyKind { None, Json, Form, Multipart, Text };
std::string_view to_string(BodyKind kind);

struct Operation {
  std::string pointer;       // "#/paths/~1pets/get", for warnings
  std::string method;        // "GET"
  std::string path;          // the path template as written ("/pets/{petId}")
  std::string operation_id;  // as written, may be empty
  std::string command;       // the command name (naming.cpp)
  std::string description;
  bool deprecated = false;
  std::vector<Param> params;
  BodyKind body = BodyKind::None;
  std::string content_type;  // of the request body
  // The operation's own security requirements, normalized to known schemes
  // ([{scheme: [scopes]}, ...]); nullopt inherits the document's.
  std::optional<boost::json::array> security;
  // An absolute server URL of the operation's own (GitHub's uploads host), and
  // the connection field (default: that URL) the script reads it from, so it can
  // be pointed elsewhere like baseUrl.
  std::string server;
  std::string server_field;
  std::optional<std::vector<std::string>> outputs;
};

// A security scheme the connector can satisfy, with the connection fields it reads.
struct SecurityScheme {
  enum class Type { ApiKey, Bearer, Basic, OAuth2 };
  std::string name;  // its key in securitySchemes / securityDefinitions
  Type type = Type::Bearer;
  std::string location;   // apiKey: "header", "query" or "cookie"
  std::string wire_name;  // apiKey: the header, query or cookie name
  // Connection fields: the key or token (apiKey, bearer, oauth2 access token),
  // basic's username and password, oauth2 client credentials.
  std::string token_field;
  std::string username_field;
  std::string password_field;
  std::string client_id_field;
  std::string client_secret_field;
  std::string token_url_field;
  std::vector<core::FieldSpec> fields;  // what the scheme adds to connectionConfig
};

struct Model {
  std::string spec_version;  // "2.0", "3.0.3", ...
  // What the model was read from, as the script's first line names it; empty: the
  // OpenAPI description `title` of `spec_version`.
  std::string origin;
  std::string title;
  std::string description;
  std::string base_url;       // servers[0] with variables substituted; "" if none
  std::string base_url_hint;  // what to say about baseUrl when there is no default
  std::vector<std::string> other_servers;
  std::vector<SecurityScheme> schemes;
  boost::json::array security;  // the document's requirements, normalized
  std::vector<Operation> operations;
  std::size_t operation_count = 0;  // before `select`
  std::vector<ImportWarning> warnings;

  void warn(WarningKind kind, std::string pointer, std::string message) {
    warnings.push_back({kind, std::move(pointer), std::move(message)});
  }
};

}  // namespace patchbay::oas
