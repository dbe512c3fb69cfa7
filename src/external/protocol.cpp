// Protocol 2.0 on the wire: request signatures, signing secrets and the checks an
// /execute answer passes before it becomes a result.

#include <array>
#include <string>

#include <boost/json/serialize.hpp>
#include <sodium.h>

#include "core/json.hpp"
#include "external/external.hpp"
#include "http/client.hpp"

namespace patchbay::external {
namespace {

namespace json = boost::json;

void init_sodium() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
}

std::string body_text(const json::value& body) {
  if (const auto* text = body.if_string()) return std::string(*text);
  return json::serialize(body);
}

core::ConnectorResult bad_answer(std::string_view reason, std::string message,
                                 const http::Response& response, std::string_view endpoint,
                                 json::object extra = {}) {
  json::object diagnostics{{"reason", reason},
                           {"statusCode", response.status},
                           {"endpoint", endpoint},
                           {"bodyExcerpt", body_excerpt(body_text(response.body))}};
  for (auto& [key, value] : extra) diagnostics[key] = std::move(value);
  return core::failure_result(std::move(message), json::value(std::move(diagnostics)));
}

}  // namespace

std::string body_excerpt(std::string_view text) {
  if (text.size() <= kExcerptBytes) return std::string(text);
  std::size_t end = kExcerptBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
  init_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(timestamp.data()),
                                timestamp.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>("."), 1);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  return "v1=" + std::string(hex.data(), mac.size() * 2);
}

std::string generate_signing_secret() {
  init_sodium();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string encoded(
      sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.find('\0'));
  return "pbs_" + encoded;
}

core::ConnectorResult read_execute_response(const http::Response& response,
                                            std::string_view endpoint) {
  if (!response.is_successful) {
    std::string message = "external service answered HTTP " + std::to_string(response.status);
    if (const auto* object = response.body.if_object()) {
      if (auto error = core::string_member(*object, "error")) message += ": " + std::string(*error);
    }
    return bad_answer("status", std::move(message), response, endpoint);
  }
  json::value parsed;
  if (const auto* text = response.body.if_string()) {
    // The client parses bodies labelled JSON; one that is not, or that did not
    // parse, is read here so the message can say why.
    auto json_body = core::parse_json(*text);
    if (!json_body) {
      return bad_answer("invalid_json",
                        "external service answered with a body that is not JSON (" +
                            json_body.error().message + ")",
                        response, endpoint);
    }
    parsed = std::move(*json_body);
  } else {
    parsed = response.body;
  }
  auto* object = parsed.if_object();
  if (object == nullptr) {
    return bad_answer("invalid_response",
                      "external service answered with JSON of type " +
                          std::string(core::json_kind_name(parsed)) +
                          ", not a protocol 2.0 result object",
                      response, endpoint);
  }
  json::array legacy;
  for (const char* key : {"data", "outputVariables"}) {
    if (object->contains(key)) legacy.emplace_back(key);
  }
  if (!legacy.empty()) {
    return bad_answer("legacy_protocol", core::kLegacyProtocolMessage, response, endpoint,
                      {{"legacyKeys", std::move(legacy)}});
  }
  const auto* success = object->if_contains("success");
  std::string problem;
  if (success == nullptr) {
    problem = "has no 'success'";
  } else if (!success->is_bool()) {
    problem = "has 'success' of type " + std::string(core::json_kind_name(*success)) +
              ", not boolean";
  } else if (const auto* variables = object->if_contains("variables");
             variables && !variables->is_null() && !variables->is_object()) {
    problem = "has 'variables' of type " + std::string(core::json_kind_name(*variables)) +
              ", not object";
  } else if (const auto* error = object->if_contains("error");
             error && !error->is_null() && !error->is_string()) {
    problem = "has 'error' of type " + std::string(core::json_kind_name(*error)) + ", not string";
  }
  if (!problem.empty()) {
    return bad_answer("invalid_response",
                      "external service answered with a result that " + problem +
                          " (protocol 2.0: {success, payload?, variables?, error?, diagnostics?})",
                      response, endpoint);
  }
  auto result = core::outcome_to_result(core::CommandOutcome(std::move(parsed)));
  if (!result.success && (!result.error || result.error->empty())) {
    result.error = "external service reported a failure without an error message";
  }
  return result;
}

}  // namespace patchbay::external
