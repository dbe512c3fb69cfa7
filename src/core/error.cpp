#include "core/error.hpp"

#include <cstdio>
#include <cstdlib>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/check.hpp"

namespace patchbay::core {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "invalid_argument";
    case ErrorCode::InvalidDefinition:
      return "invalid_definition";
    case ErrorCode::NotFound:
      return "not_found";
    case ErrorCode::Conflict:
      return "conflict";
    case ErrorCode::Unauthenticated:
      return "unauthenticated";
    case ErrorCode::PermissionDenied:
      return "permission_denied";
    case ErrorCode::PayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::Unavailable:
      return "unavailable";
    case ErrorCode::UpstreamFailed:
      return "upstream_failed";
    case ErrorCode::Internal:
      return "internal";
  }
  return "internal";
}

std::vector<FieldError> Error::field_errors() const {
  std::vector<FieldError> out;
  const auto* obj = details.if_object();
  if (obj == nullptr) return out;
  const auto* list = obj->if_contains("errors");
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& item : list->get_array()) {
    const auto* entry = item.if_object();
    if (entry == nullptr) continue;
    FieldError error;
    if (const auto* p = entry->if_contains("path"); p && p->is_string()) {
      error.path = std::string(p->get_string());
    }
    if (const auto* m = entry->if_contains("message"); m && m->is_string()) {
      error.message = std::string(m->get_string());
    }
    out.push_back(std::move(error));
  }
  return out;
}

Error invalid_argument(std::string message) {
  return Error{ErrorCode::InvalidArgument, std::move(message), {}};
}

Error validation_error(std::vector<FieldError> errors, std::string_view what, ErrorCode code) {
  std::string message(what);
  if (!errors.empty()) {
    message += ": ";
    const auto& first = errors.front();
    message += first.path.empty() ? first.message : first.path + ": " + first.message;
    if (errors.size() > 1) {
      message += " (and " + std::to_string(errors.size() - 1) + " more)";
    }
  }
  boost::json::array list;
  for (auto& e : errors) {
    list.push_back(boost::json::object{{"path", e.path}, {"message", e.message}});
  }
  return Error{code, std::move(message), boost::json::object{{"errors", std::move(list)}}};
}

}  // namespace patchbay::core

namespace patchbay::core {

void check_failed(const char* condition, const char* message, const char* file, int line) {
  std::fprintf(stderr, "patchbay: invariant broken at %s:%d: %s (%s)\n", file, line, message,
               condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace patchbay::core
