#pragma once
// Router: method + path pattern -> route. Patterns are literal segments and
// ":name" captures ("/api/connectors/:id/execute"); a capture matches one
// non-empty segment, percent-decoded. Lookup tells a wrong method (405, with
// the allowed ones) from an unknown path (404).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/api.hpp"

namespace patchbay::server {

using RouteHandler = std::function<ApiResponse(ApiRequest&)>;

struct Route {
  std::string method;
  std::string pattern;
  // The least role that may call it; nullopt: no token needed (health).
  std::optional<store::Role> role;
  RouteHandler handler;
  // The handler parses the body itself (ApiRequest::http.body); `body` stays null.
  bool raw_body = false;
  // Takes bodies up to the import limit (descriptions, drafts) rather than the
  // ordinary one.
  bool large_body = false;
  // Runs before authentication; an answer refuses the request (the MCP
  // endpoint's Origin check must answer 403 whatever the token).
  std::function<std::optional<ApiResponse>(const HttpRequest&)> screen;
  // A label for metrics: the pattern, so ids do not explode label cardinality.
  const std::string& label() const { return pattern; }
};

struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::string> params;
  // When no route matched the method but some matched the path: "GET, PUT".
  std::string allowed;
};

class Router {
 public:
  void add(Route route);
  RouteMatch match(std::string_view method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

// Splits "/a/b/c" into {"a", "b", "c"}; empty segments are kept (so "/a//b"
// matches nothing by accident).
std::vector<std::string_view> path_segments(std::string_view path);

}  // namespace patchbay::server
