#include "store/postgres/postgres_url.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <utility>

#include <libpq-fe.h>

namespace patchbay::store::pg {
namespace {

using core::Error;
using core::ErrorCode;

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Where the password sits in a URL's user info ("scheme://user:PASSWORD@host"), if anywhere.
std::optional<std::pair<std::size_t, std::size_t>> userinfo_password(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  auto start = scheme_end + 3;
  auto authority = url.substr(start, url.find_first_of("/?", start) - start);
  auto at = authority.rfind('@');
  auto colon = authority.find(':');
  if (at == std::string_view::npos || colon >= at) return std::nullopt;
  return std::pair{start + colon + 1, at - colon - 1};
}

}  // namespace

std::string ConnectionSettings::scrub(std::string text) const {
  for (const auto& secret : secrets) {
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

core::Result<ConnectionSettings> parse_url(const std::string& url) {
  ConnectionSettings settings;
  settings.described = mask_password(url);
  if (auto span = userinfo_password(url); span && span->second > 0) {
    settings.secrets.push_back(url.substr(span->first, span->second));
  }
  auto query_at = url.find('?');
  settings.conninfo = url.substr(0, query_at);
  char separator = '?';
  for (std::size_t start = query_at; start != std::string::npos && start < url.size();) {
    auto end = url.find('&', start + 1);
    auto param = std::string_view(url).substr(start + 1, end - start - 1);
    start = end;
    auto eq = param.find('=');
    auto key = param.substr(0, eq);
    auto value = eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    if (key == "pool_size") {
      auto n = parse_integer(value);
      if (!n || *n < 1 || static_cast<std::size_t>(*n) > kMaxPoolSize) {
        return Error{ErrorCode::InvalidArgument,
                     "pool_size must be a whole number from 1 to " + std::to_string(kMaxPoolSize) +
                         ", not '" + std::string(value) + "'",
                     {}};
      }
      settings.pool_size = static_cast<std::size_t>(*n);
    } else if (key == "pool_wait_ms") {
      auto n = parse_integer(value);
      if (!n || *n < 0) {
        return Error{
            ErrorCode::InvalidArgument,
            "pool_wait_ms must be a whole number of milliseconds, not '" + std::string(value) + "'",
            {}};
      }
      settings.pool_wait = std::chrono::milliseconds(*n);
    } else if (!param.empty()) {
      settings.conninfo += separator;
      settings.conninfo += param;
      separator = '&';
    }
  }
  char* problem = nullptr;
  PQconninfoOption* options = PQconninfoParse(settings.conninfo.c_str(), &problem);
  if (options == nullptr) {
    std::string message = problem ? std::string(problem) : "out of memory";
    PQfreemem(problem);
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
      message.pop_back();
    }
    return Error{ErrorCode::InvalidArgument,
                 "invalid PostgreSQL URL '" + settings.described + "': " + settings.scrub(message),
                 {}};
  }
  for (auto* o = options; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr && *o->val != '\0') {
      settings.secrets.emplace_back(o->val);
    }
  }
  PQconninfoFree(options);
  return settings;
}

std::string mask_password(std::string_view url) {
  std::string out(url);
  auto query_at = out.find('?');
  if (query_at != std::string::npos) {
    for (auto at = out.find("password=", query_at); at != std::string::npos;
         at = out.find("password=", at + 1)) {
      if (out[at - 1] != '?' && out[at - 1] != '&') continue;
      auto value = at + 9;
      out.replace(value, out.find('&', value) - value, "***");
    }
  }
  if (auto span = userinfo_password(out.substr(0, query_at)); span && span->second > 0) {
    out.replace(span->first, span->second, "***");
  }
  return out;
}

}  // namespace patchbay::store::pg
