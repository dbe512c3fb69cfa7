#include "mcp/remote_api.hpp"

#include <mutex>
#include <vector>

#include <curl/curl.h>

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include "core/json.hpp"
#include "mcp/session.hpp"

namespace patchbay::mcp {
namespace {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Exchange {
  std::string body;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::size_t bytes = size * count;
  if (exchange->body.size() + bytes > exchange->limit) {
    exchange->too_large = true;
    return 0;  // aborts the transfer
  }
  exchange->body.append(data, bytes);
  return bytes;
}

}  // namespace

// Idle easy handles: curl keeps each one's connection open for reuse.
struct RemoteApi::Pool {
  std::mutex mutex;
  std::vector<CURL*> idle;

  CURL* take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* handle = idle.back();
        idle.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }
  void give_back(CURL* handle) {
    std::lock_guard lock(mutex);
    if (idle.size() < 8) {
      idle.push_back(handle);
    } else {
      curl_easy_cleanup(handle);
    }
  }
  ~Pool() {
    for (CURL* handle : idle) curl_easy_cleanup(handle);
  }
};

core::Result<std::unique_ptr<RemoteApi>> RemoteApi::open(RemoteApiOptions options) {
  auto bad = [&](const std::string& why) {
    return Error{ErrorCode::InvalidArgument,
                 "--server '" + options.base_url + "' " + why +
                     " (expected http(s)://HOST[:PORT], e.g. http://127.0.0.1:8080)",
                 {}};
  };
  auto parsed = boost::urls::parse_absolute_uri(options.base_url);
  if (!parsed) return bad("is not an absolute URL");
  if (parsed->scheme() != "http" && parsed->scheme() != "https") return bad("is not http or https");
  if (parsed->has_userinfo()) return bad("may not carry credentials; use --token");
  if (parsed->has_query() || parsed->has_fragment()) return bad("may not have a query or fragment");
  if (parsed->encoded_host().empty()) return bad("has no host");
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  if (options.token.empty()) {
    return Error{ErrorCode::InvalidArgument,
                 "a token is needed to talk to " + options.base_url +
                     " (--token or PATCHBAY_TOKEN; `patchbay token create` makes one)",
                 {}};
  }
  static CurlGlobal global;
  return std::unique_ptr<RemoteApi>(new RemoteApi(std::move(options)));
}

RemoteApi::RemoteApi(RemoteApiOptions options)
    : options_(std::move(options)), pool_(std::make_unique<Pool>()) {}

RemoteApi::~RemoteApi() = default;

core::Result<ApiReply> RemoteApi::call(std::string_view method, std::string_view target,
                                       const json::value& body) {
  CURL* handle = pool_->take();
  if (handle == nullptr) return Error{ErrorCode::Internal, "cannot create a curl handle", {}};
  struct Return {
    Pool& pool;
    CURL* handle;
    ~Return() {
      curl_easy_reset(handle);  // keeps the connection cache
      pool.give_back(handle);
    }
  } give_back{*pool_, handle};

  std::string url = options_.base_url + std::string(target);
  std::string method_text(method);
  std::string payload = body.is_null() ? std::string() : json::serialize(body);
  std::string authorization = "Authorization: Bearer " + options_.token;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, authorization.c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!body.is_null()) headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  struct FreeHeaders {
    curl_slist* list;
    ~FreeHeaders() { curl_slist_free_all(list); }
  } free_headers{headers};

  Exchange exchange{.limit = options_.max_response_bytes};
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  if (!body.is_null()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  } else if (method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_PROXY, "");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "patchbay-mcp");
  if (!options_.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, options_.ca_file.c_str());

  CURLcode code = curl_easy_perform(handle);
  if (exchange.too_large) {
    return Error{ErrorCode::Unavailable,
                 "the answer of " + method_text + " " + url + " is over " +
                     std::to_string(options_.max_response_bytes) + " bytes",
                 {}};
  }
  if (code != CURLE_OK) {
    return Error{ErrorCode::Unavailable,
                 "cannot reach patchbay at " + options_.base_url + ": " + curl_easy_strerror(code),
                 {}};
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  ApiReply reply{.status = static_cast<int>(status)};
  if (exchange.body.empty()) return reply;
  auto parsed = core::parse_json(exchange.body, kMaxMessageDepth);
  if (!parsed) {
    std::string excerpt = exchange.body.substr(0, 200);
    return Error{ErrorCode::Unavailable,
                 method_text + " " + url + " answered " + std::to_string(status) +
                     " with a body that is not JSON (is --server a patchbay server?): " + excerpt,
                 {}};
  }
  reply.body = std::move(*parsed);
  return reply;
}

}  // namespace patchbay::mcp
