#pragma once
// Names the draft derives from the description: the connector's slug, command
// names (operationId in lowerCamelCase, or synthesized from method and path) and
// connection field names. Every name is stable: the same description gives the
// same names, in document order.

#include <set>
#include <string>
#include <string_view>

namespace patchbay::oas {

// "GitHub v3 REST API" -> "github-v3-rest-api"; "" when nothing is left.
std::string slug(std::string_view title);

// Words of ASCII letters and digits joined in lowerCamelCase: "repos/get-by-id" ->
// "reposGetById", "SMS_send" -> "smsSend", "listUsers" stays. "" when no word.
std::string lower_camel(std::string_view text);

// "get" + "/pets/{petId}/toys" -> "getPetsByPetIdToys".
std::string name_from_route(std::string_view method, std::string_view path);

// Whether a command may not be named `name`: a JavaScript reserved word, a global
// the generated script calls, "test" or a function of the script's runtime.
bool is_reserved_name(std::string_view name);

// A JavaScript identifier that is not a reserved word, not one of the generated
// script's own names and not in `taken`, at most 100 characters: `wanted` itself,
// or with "Op" and then a number appended. The result is added to `taken`.
std::string claim_identifier(std::string wanted, std::set<std::string>& taken);

// `wanted` as a field or param name: control characters become '_', at most 90
// bytes (not cutting a UTF-8 sequence), "param" when nothing is left.
std::string field_name(std::string_view wanted);

// A connection field name not in `taken`: `wanted`, else `prefix` + `Wanted`,
// else numbered; at most 100 characters (see field_name). The result is added to
// `taken`.
std::string claim_field(const std::string& wanted, std::string_view prefix,
                        std::set<std::string>& taken);

}  // namespace patchbay::oas
