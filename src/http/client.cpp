#include "http/client.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <curl/curl.h>

#include "core/json.hpp"

namespace patchbay::http {
namespace {

constexpr const char* kUserAgent = "patchbay/0.1";

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos ||
         s.find('\0') != std::string_view::npos;
}

struct Transfer {
  std::string body;
  std::size_t max_bytes = kMaxResponseBytes;
  bool too_large = false;
  Headers headers;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::size_t bytes = size * count;
  if (transfer->body.size() + bytes > transfer->max_bytes) {
    transfer->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  transfer->body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    transfer->headers.clear();  // a new response (after 100 Continue) starts over
    return line.size();
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  transfer->headers.emplace_back(lower(line.substr(0, colon)), std::string(value));
  return line.size();
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void append_header(HeaderList& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr)
    throw HttpError(HttpErrorCode::Network, "out of memory building headers", true);
  (void)list.release();  // `head` is the same list, now one entry longer
  list.reset(head);
}

HttpError transport_error(CURLcode code, const Transfer& transfer, const std::string& shown_url,
                          const char* detail, const RequestOptions& options) {
  boost::json::object details{{"url", shown_url}, {"curlCode", static_cast<int>(code)}};
  std::string what = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return HttpError(HttpErrorCode::DnsFailed,
                       "could not resolve host of " + shown_url + ": " + what, true,
                       std::move(details));
    case CURLE_COULDNT_CONNECT:
      return HttpError(HttpErrorCode::ConnectFailed,
                       "could not connect to " + shown_url + ": " + what, true, std::move(details));
    case CURLE_OPERATION_TIMEDOUT:
      details["timeoutMs"] = options.timeout.count();
      return HttpError(HttpErrorCode::Timeout, "request to " + shown_url + " timed out: " + what,
                       true, std::move(details));
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return HttpError(HttpErrorCode::TlsFailed, "TLS failed for " + shown_url + ": " + what, false,
                       std::move(details));
    case CURLE_UNSUPPORTED_PROTOCOL:
      return HttpError(HttpErrorCode::PolicyDenied, "only http and https URLs are allowed", false,
                       std::move(details));
    case CURLE_WRITE_ERROR:
      if (transfer.too_large) {
        details["limitBytes"] = options.max_response_bytes;
        return HttpError(HttpErrorCode::TooLarge,
                         "response from " + shown_url + " exceeds the limit of " +
                             std::to_string(options.max_response_bytes) + " bytes",
                         false, std::move(details));
      }
      break;
    default:
      break;
  }
  return HttpError(HttpErrorCode::Network, "request to " + shown_url + " failed: " + what, true,
                   std::move(details));
}

}  // namespace

std::string_view to_string(Method method) {
  switch (method) {
    case Method::Get:
      return "GET";
    case Method::Post:
      return "POST";
    case Method::Put:
      return "PUT";
    case Method::Patch:
      return "PATCH";
    case Method::Delete:
      return "DELETE";
    case Method::Head:
      return "HEAD";
  }
  return "GET";
}

std::optional<Method> parse_method(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (auto m :
       {Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Head}) {
    if (to_string(m) == upper) return m;
  }
  return std::nullopt;
}

std::optional<std::string> Response::header(std::string_view name) const {
  std::string wanted = lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return std::nullopt;
}

std::string redact_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "(invalid URL)";
  boost::urls::url copy(*parsed);
  copy.remove_userinfo();
  copy.remove_query();
  copy.remove_fragment();
  return std::string(copy.buffer());
}

Response request(std::string_view url, const RequestOptions& options, core::Logger& logger) {
  global_init_once();
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    throw HttpError(HttpErrorCode::InvalidUrl,
                    "invalid URL: " + std::string(parsed.error().message()), false);
  }
  boost::urls::url target(*parsed);
  std::string shown = redact_url(url);
  if (target.scheme() != "http" && target.scheme() != "https") {
    throw HttpError(
        HttpErrorCode::PolicyDenied,
        "only http and https URLs are allowed, not '" + std::string(target.scheme()) + "'", false,
        {{"url", shown}});
  }
  if (target.host().empty()) {
    throw HttpError(HttpErrorCode::InvalidUrl, "URL has no host: " + shown, false);
  }
  if (target.has_userinfo()) {
    throw HttpError(HttpErrorCode::PolicyDenied, "credentials in the URL are not allowed; use auth",
                    false, {{"url", shown}});
  }
  target.remove_fragment();
  for (const auto& [key, value] : options.query) target.params().append({key, value});
  if (options.auth.kind == Auth::Kind::ApiKeyQuery) {
    target.params().append({options.auth.name, options.auth.value});
  }

  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (!handle) throw HttpError(HttpErrorCode::Network, "could not create a curl handle", true);
  CURL* curl = handle.get();

  Headers headers = options.headers;
  auto has_header = [&](std::string_view name) {
    std::string wanted = lower(name);
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return lower(h.first) == wanted; });
  };
  switch (options.auth.kind) {
    case Auth::Kind::Bearer:
      headers.emplace_back("Authorization", "Bearer " + options.auth.token);
      break;
    case Auth::Kind::ApiKeyHeader:
      headers.emplace_back(options.auth.name, options.auth.value);
      break;
    case Auth::Kind::Basic:
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(curl, CURLOPT_USERNAME, options.auth.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, options.auth.password.c_str());
      break;
    case Auth::Kind::None:
    case Auth::Kind::ApiKeyQuery:
      break;
  }

  std::string body_text;
  if (options.body) {
    if (const auto* s = options.body->if_string()) {
      body_text = std::string(*s);
    } else {
      body_text = boost::json::serialize(*options.body);
      if (!has_header("Content-Type")) headers.emplace_back("Content-Type", "application/json");
    }
    if (body_text.size() > kMaxRequestBytes) {
      throw HttpError(HttpErrorCode::PolicyDenied,
                      "request body is " + std::to_string(body_text.size()) +
                          " bytes, over the limit of " + std::to_string(kMaxRequestBytes),
                      false, {{"url", shown}});
    }
  }

  HeaderList header_list;
  for (const auto& [name, value] : headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value) ||
        name.find(':') != std::string::npos) {
      throw HttpError(HttpErrorCode::PolicyDenied,
                      "header '" + name.substr(0, 64) + "' has an invalid name or a line break",
                      false, {{"url", shown}});
    }
    append_header(header_list, name + ": " + value);
  }
  if (!has_header("Accept")) append_header(header_list, "Accept: application/json, */*;q=0.5");

  Transfer transfer;
  transfer.max_bytes = options.max_response_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {};
  auto timeout = std::min(options.timeout, kMaxTimeout);

  curl_easy_setopt(curl, CURLOPT_URL, target.buffer().data());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  if (options.method == Method::Head) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (options.method != Method::Get || options.body) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, to_string(options.method).data());
  }
  if (options.body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_text.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_text.c_str());
  }

  auto started = std::chrono::steady_clock::now();
  CURLcode code = curl_easy_perform(curl);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (code != CURLE_OK) {
    HttpError error = transport_error(code, transfer, shown, error_buffer, options);
    logger.debug("http request failed", {{"method", to_string(options.method)},
                                         {"url", shown},
                                         {"code", to_string(error.code())},
                                         {"durationMs", elapsed.count()}});
    throw error;
  }

  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  Response response;
  response.status = static_cast<int>(status);
  response.is_successful = status >= 200 && status < 300;
  response.headers = std::move(transfer.headers);
  response.meta.duration_ms = elapsed.count();
  auto content_type = lower(response.header("content-type").value_or(""));
  response.body = boost::json::value(transfer.body);
  if (content_type.find("json") != std::string::npos && !transfer.body.empty()) {
    if (auto parsed_body = core::parse_json(transfer.body)) response.body = std::move(*parsed_body);
  }
  logger.debug("http request", {{"method", to_string(options.method)},
                                {"url", shown},
                                {"status", response.status},
                                {"durationMs", response.meta.duration_ms}});
  return response;
}

}  // namespace patchbay::http
