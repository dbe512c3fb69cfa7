#include "server/router.hpp"

#include <boost/url/decode_view.hpp>

namespace patchbay::server {
namespace {

std::optional<std::string> decode_segment(std::string_view segment) {
  auto checked = boost::urls::make_pct_string_view(segment);
  if (!checked) return std::nullopt;
  return checked->decode();
}

}  // namespace

std::vector<std::string_view> path_segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

void Router::add(Route route) { routes_.push_back(std::move(route)); }

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  auto segments = path_segments(path);
  RouteMatch result;
  for (const auto& route : routes_) {
    auto pattern = path_segments(route.pattern);
    if (pattern.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool matches = true;
    for (std::size_t i = 0; i < pattern.size() && matches; ++i) {
      if (pattern[i].starts_with(':')) {
        auto decoded = segments[i].empty() ? std::nullopt : decode_segment(segments[i]);
        if (!decoded) {
          matches = false;
        } else {
          params.push_back(std::move(*decoded));
        }
      } else {
        matches = pattern[i] == segments[i];
      }
    }
    if (!matches) continue;
    if (route.method == method) {
      result.route = &route;
      result.params = std::move(params);
      result.allowed.clear();
      return result;
    }
    if (!result.allowed.empty()) result.allowed += ", ";
    result.allowed += route.method;
  }
  return result;
}

}  // namespace patchbay::server
