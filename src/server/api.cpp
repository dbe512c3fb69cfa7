#include "server/api.hpp"

#include <boost/json/object.hpp>
#include <boost/url/parse_query.hpp>

#include "server/http_server.hpp"

namespace patchbay::server {

std::string ApiRequest::query(std::string_view name) const {
  auto parsed = boost::urls::parse_query(http.query);
  if (!parsed) return {};
  for (const auto& param : *parsed) {
    if (param.key.decode() == name) return param.value.decode();
  }
  return {};
}

int http_status(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::InvalidArgument:
      return 400;
    case core::ErrorCode::InvalidDefinition:
      return 422;
    case core::ErrorCode::NotFound:
      return 404;
    case core::ErrorCode::Conflict:
      return 409;
    case core::ErrorCode::Unauthenticated:
      return 401;
    case core::ErrorCode::PermissionDenied:
      return 403;
    case core::ErrorCode::PayloadTooLarge:
      return 413;
    case core::ErrorCode::Unavailable:
      return 503;
    case core::ErrorCode::UpstreamFailed:
      return 502;
    case core::ErrorCode::Internal:
      return 500;
  }
  return 500;
}

ApiResponse error_response(const core::Error& error) {
  boost::json::object body{{"code", core::to_string(error.code)}, {"message", error.message}};
  if (!error.details.is_null()) body["details"] = error.details;
  return {http_status(error.code), boost::json::object{{"error", std::move(body)}}};
}

ApiResponse error_response(core::ErrorCode code, std::string message) {
  return error_response(core::Error{code, std::move(message), {}});
}

}  // namespace patchbay::server
