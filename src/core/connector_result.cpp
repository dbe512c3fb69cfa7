#include "core/connector_result.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/json.hpp"

namespace patchbay::core {
namespace {

ConnectorResult from_json_outcome(const json::value& value) {
  const auto* obj = value.if_object();
  if (obj == nullptr || obj->empty()) return ConnectorResult{};

  json::array legacy;
  for (const char* key : {"data", "outputVariables"}) {
    if (obj->contains(key)) legacy.emplace_back(key);
  }
  if (!legacy.empty()) {
    return failure_result(kLegacyProtocolMessage, json::object{{"legacyKeys", std::move(legacy)}});
  }

  ConnectorResult result;
  const auto* success = obj->if_contains("success");
  const auto* error = obj->if_contains("error");
  if (success != nullptr && !success->is_null()) {
    if (!success->is_bool()) {
      return failure_result("The result's 'success' must be true or false, got " +
                            json_preview(*success));
    }
    result.success = success->get_bool();
  } else {
    result.success = !(error != nullptr && error->is_string());
  }

  if (const auto* variables = obj->if_contains("variables");
      variables != nullptr && !variables->is_null()) {
    if (!variables->is_object()) {
      return failure_result(
          "The result's 'variables' must be an object (it is merged into the run's "
          "variables by name), got " +
          json_preview(*variables));
    }
    result.variables = variables->get_object();
  }
  if (const auto* payload = obj->if_contains("payload");
      payload != nullptr && !payload->is_null()) {
    result.payload = *payload;
  }
  if (error != nullptr && !error->is_null()) {
    result.error = json_to_display_string(*error);
  }
  if (!result.success) {
    if (const auto* diagnostics = obj->if_contains("diagnostics");
        diagnostics != nullptr && !diagnostics->is_null()) {
      result.diagnostics = *diagnostics;
    }
  }
  return result;
}

}  // namespace

ConnectorResult failure_result(std::string error, std::optional<json::value> diagnostics) {
  return ConnectorResult{false, std::nullopt, std::nullopt, std::move(diagnostics),
                         std::move(error)};
}

json::object to_json(const ConnectorResult& result) {
  json::object out;
  out["success"] = result.success;
  if (result.payload) out["payload"] = *result.payload;
  if (result.variables) out["variables"] = *result.variables;
  if (result.diagnostics) out["diagnostics"] = *result.diagnostics;
  if (result.error) out["error"] = *result.error;
  return out;
}

json::object to_json(ConnectorResult&& result) {
  json::object out;
  out["success"] = result.success;
  if (result.payload) out["payload"] = std::move(*result.payload);
  if (result.variables) out["variables"] = std::move(*result.variables);
  if (result.diagnostics) out["diagnostics"] = std::move(*result.diagnostics);
  if (result.error) out["error"] = std::move(*result.error);
  return out;
}

ConnectorResult outcome_to_result(CommandOutcome outcome) {
  struct Visitor {
    ConnectorResult operator()(std::monostate) const { return ConnectorResult{}; }
    ConnectorResult operator()(Success& s) const {
      return ConnectorResult{true, std::move(s.payload), std::move(s.variables), std::nullopt,
                             std::nullopt};
    }
    ConnectorResult operator()(Failure& f) const {
      return ConnectorResult{false, std::nullopt, std::move(f.variables), std::move(f.diagnostics),
                             std::move(f.error)};
    }
    ConnectorResult operator()(ConnectorResult& r) const {
      if (r.success) r.diagnostics.reset();
      return std::move(r);
    }
    ConnectorResult operator()(json::value& v) const { return from_json_outcome(v); }
  };
  return std::visit(Visitor{}, outcome);
}

}  // namespace patchbay::core
