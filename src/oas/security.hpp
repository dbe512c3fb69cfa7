#pragma once
// Security schemes (OpenAPI 3 components.securitySchemes, Swagger 2
// securityDefinitions) to the connection fields of seed 001's table:
//   apiKey       -> a secret field named after the scheme, sent in its header,
//                   query parameter or cookie
//   http bearer  -> bearerToken          http basic -> username, password
//   oauth2       -> accessToken, plus clientId, clientSecret, tokenUrl when the
//                   scheme has a client-credentials flow
//   openIdConnect-> accessToken (a token obtained elsewhere)
// Other schemes (http digest, mutualTLS, ...) are reported and not satisfied.

#include <set>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "oas/model.hpp"
#include "oas/refs.hpp"

namespace patchbay::oas {

// Names `scheme`'s connection fields after its name and type as the table above
// says, adds them to scheme.fields and sets its *_field members: what every scheme
// of an imported description gets, and the auth of a connector description
// (describe.cpp). `scheme.location` and `wire_name` must be set for an apiKey.
// `client_credentials` adds an oauth2 scheme's clientId, clientSecret and tokenUrl
// (its default `token_url` unless empty). The names are added to `field_names`.
void add_scheme_fields(SecurityScheme& scheme, bool client_credentials,
                       std::string_view token_url, std::set<std::string>& field_names);

// Fills model.schemes and model.security. `field_names` holds the connection
// field names already taken (baseUrl); the schemes' fields are added to it.
void read_security(Resolver& resolver, const boost::json::object& root, Model& model,
                   std::set<std::string>& field_names);

// A security requirement list ([{scheme: [scopes]}, ...]) with only the schemes
// the connector can satisfy. Alternatives naming other schemes are dropped, with a
// Degraded warning at `pointer` when that leaves an operation unauthenticated.
boost::json::array normalize_requirements(const boost::json::value& requirements,
                                          const std::string& pointer, Model& model);

}  // namespace patchbay::oas
