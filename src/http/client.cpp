#include "http/client.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include <boost/json/serialize.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <curl/curl.h>

#include "core/json.hpp"
#include "core/text.hpp"

namespace patchbay::http {
namespace {

// Header lines sent unless the request sets the header itself. They travel as
// ordinary header lines rather than through CURLOPT_USERAGENT and libcurl's own
// Accept-Encoding line: libcurl 7.88 formats those twice per request, a character
// at a time, which costs more than our own per-request checks (bench/RESULTS.md,
// http_client_bench).
struct DefaultHeader {
  std::string_view name;
  const char* line;
};
constexpr DefaultHeader kDefaultHeaders[] = {
    {"Accept", "Accept: application/json, */*;q=0.5"},
    // libcurl decodes it (CURLOPT_ACCEPT_ENCODING below); API JSON shrinks 5-10x.
    {"Accept-Encoding", "Accept-Encoding: gzip"},
    {"User-Agent", "User-Agent: patchbay/0.1"},
};
constexpr const char* kAcceptEncoding = "gzip";
constexpr std::size_t kDefaultHeaderSets = 1u << std::size(kDefaultHeaders);

// The default lines of each subset (bit i: kDefaultHeaders[i]) as ready-made,
// never-freed lists. A request's own lines are chained in front of one, so the
// common request allocates no header nodes at all. libcurl only reads the list.
curl_slist* default_header_list(std::uint8_t set) {
  static const auto lists = [] {
    static curl_slist nodes[kDefaultHeaderSets][std::size(kDefaultHeaders)];
    std::array<curl_slist*, kDefaultHeaderSets> heads{};
    for (std::size_t s = 0; s < kDefaultHeaderSets; ++s) {
      curl_slist* head = nullptr;
      for (std::size_t i = std::size(kDefaultHeaders); i-- > 0;) {
        if ((s & (1u << i)) == 0) continue;
        nodes[s][i] = curl_slist{const_cast<char*>(kDefaultHeaders[i].line), head};
        head = &nodes[s][i];
      }
      heads[s] = head;
    }
    return heads;
  }();
  return lists[set];
}

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
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
  transfer->headers.emplace_back(core::ascii_lower(line.substr(0, colon)), std::string(value));
  return line.size();
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void append_header(HeaderList& list, const char* line) {
  curl_slist* head = curl_slist_append(list.get(), line);
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
    case Method::Options:
      return "OPTIONS";
    case Method::Trace:
      return "TRACE";
  }
  return "GET";
}

std::optional<Method> parse_method(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (auto m : {Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete,
                 Method::Head, Method::Options, Method::Trace}) {
    if (to_string(m) == upper) return m;
  }
  return std::nullopt;
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (core::ascii_iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::string encode_form(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  auto encode = [](std::string_view text, std::string& out) {
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '*') {
        out += static_cast<char>(c);
      } else if (c == ' ') {
        out += '+';
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
      }
    }
  };
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    encode(name, out);
    out += '=';
    encode(value, out);
  }
  return out;
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

namespace {

// One hop's destination after every check: the URL to send (numeric hosts
// normalized), and the checked address the connection is pinned to.
struct Target {
  boost::urls::url url;
  std::string host;  // as written in the URL, for the pin entry
  std::uint16_t port = 0;
  IpAddress address;
  bool host_is_literal = false;
  std::string shown;  // redacted, for messages
};

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

// scheme://host[:port]/path of a parsed URL: what messages may show, built without
// parsing the URL again (this runs on every request).
std::string redacted(const boost::urls::url_view& url) {
  std::string out(url.scheme());
  out += "://";
  out += url.encoded_host_and_port();
  out += url.encoded_path();
  return out;
}

Target prepare_target(boost::urls::url url, const SsrfPolicy& policy, Resolver& resolver) {
  Target target;
  target.shown = redacted(url);
  auto where = [&] { return boost::json::object{{"url", target.shown}}; };
  std::string scheme = core::ascii_lower(url.scheme());
  if (scheme != "http" && scheme != "https") {
    throw HttpError(HttpErrorCode::PolicyDenied,
                    "only http and https URLs are allowed, not '" + scheme + "'", false, where());
  }
  if (url.has_userinfo()) {
    throw HttpError(HttpErrorCode::PolicyDenied, "credentials in the URL are not allowed; use auth",
                    false, where());
  }
  url.remove_fragment();
  // Boost.URL 1.81 reads "1.2.3.4.5/x" as host 1.2.3.4 and path ".5/x", while libcurl
  // reads host 1.2.3.4.5. After an authority a path starts with '/', so a path that
  // does not shows the two readings differ; such URLs are refused.
  if (!url.encoded_path().empty() && !url.encoded_path().starts_with('/')) {
    throw HttpError(HttpErrorCode::InvalidUrl,
                    "host of '" + target.shown + "' can be read more than one way", false, where());
  }
  std::vector<IpAddress> addresses;
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4: {
      auto literal = parse_ip_literal(url.host_address());
      if (!literal) throw HttpError(HttpErrorCode::InvalidUrl, "invalid IPv4 host", false, where());
      addresses.push_back(*literal);
      target.host_is_literal = true;
      break;
    }
    case boost::urls::host_type::ipv6: {
      auto literal = parse_ip_literal(url.host_address());
      if (!literal) {
        throw HttpError(HttpErrorCode::InvalidUrl,
                        "IPv6 host is not valid (zone ids are not allowed)", false, where());
      }
      addresses.push_back(*literal);
      target.host_is_literal = true;
      break;
    }
    case boost::urls::host_type::name: {
      std::string_view encoded = url.encoded_host();
      // Percent-encoded host names could be read differently by libcurl.
      if (encoded.find('%') != std::string_view::npos || !valid_host_name(encoded)) {
        throw HttpError(HttpErrorCode::InvalidUrl,
                        "host '" + std::string(encoded.substr(0, 64)) +
                            "' has characters not allowed in a host name",
                        false, where());
      }
      if (auto numeric = parse_numeric_host(encoded)) {
        if (!numeric->address) {
          throw HttpError(HttpErrorCode::InvalidUrl, numeric->error + "; refusing to guess", false,
                          where());
        }
        // "0x7f.1" and friends become the dotted form libcurl and the policy agree on.
        url.set_host_ipv4(boost::urls::ipv4_address(numeric->address->v4_value()));
        addresses.push_back(*numeric->address);
        target.host_is_literal = true;
        break;
      }
      auto resolved = resolver.resolve(encoded);
      if (!resolved) {
        throw HttpError(HttpErrorCode::DnsFailed, resolved.error().message, true, where());
      }
      addresses = std::move(*resolved);
      break;
    }
    default:
      throw HttpError(HttpErrorCode::InvalidUrl, "URL has no usable host", false, where());
  }
  target.host = std::string(url.encoded_host_address());
  if (url.has_port()) {
    if (url.port_number() == 0) {
      throw HttpError(HttpErrorCode::InvalidUrl, "port must be 1-65535", false, where());
    }
    target.port = url.port_number();
  } else {
    target.port = scheme == "https" ? 443 : 80;
  }
  // Every answer is checked: a name that also resolves to a denied address is refused.
  for (const auto& address : addresses) {
    if (auto reason = policy.refusal(url.encoded_host(), address, target.port)) {
      boost::json::object details = where();
      details["address"] = address.to_string();
      throw HttpError(HttpErrorCode::PolicyDenied, "refused " + target.shown + ": " + *reason,
                      false, std::move(details));
    }
  }
  target.address = addresses.front();
  target.url = std::move(url);
  return target;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool same_origin(const boost::urls::url_view& a, const boost::urls::url_view& b) {
  return core::ascii_iequals(a.scheme(), b.scheme()) &&
         core::ascii_iequals(a.encoded_host(), b.encoded_host()) &&
         a.port_number() == b.port_number() && a.port() == b.port();
}

// The raw outcome of one transfer.
struct Exchange {
  int status = 0;
  Headers headers;
  std::string body;
  long new_connections = 0;
};

}  // namespace

struct Client::HandlePool {
  // Idle handles keep their connections open for the next request to the same host.
  static constexpr std::size_t kMaxIdle = 64;

  std::mutex mutex;
  std::vector<CURL*> idle;

  ~HandlePool() {
    for (CURL* handle : idle) curl_easy_cleanup(handle);
  }
  CURL* take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* handle = idle.back();
        idle.pop_back();
        return handle;  // keeps its live connections and shared options
      }
    }
    CURL* handle = curl_easy_init();
    if (handle == nullptr) {
      throw HttpError(HttpErrorCode::Network, "could not create a curl handle", true);
    }
    // Options every request uses, set once per handle rather than per request.
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are checked by us
    curl_easy_setopt(handle, CURLOPT_PROXY, "");  // never through a proxy from the environment
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, kAcceptEncoding);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &on_header);
    return handle;
  }
  void give(CURL* handle) {
    std::lock_guard lock(mutex);
    if (idle.size() < kMaxIdle) {
      idle.push_back(handle);
    } else {
      curl_easy_cleanup(handle);
    }
  }
};

struct Client::Counters {
  std::atomic<std::uint64_t> attempts{0};
  std::atomic<std::uint64_t> retries{0};
  std::mutex mutex;  // errors are rare: a map under a lock is enough
  std::map<std::string, std::uint64_t> errors;
};

Client::Client(ClientConfig config)
    : config_(std::move(config)), handles_(std::make_unique<HandlePool>()) {
  counters_ = std::make_unique<Counters>();
  global_init_once();
  if (!config_.resolver) config_.resolver = std::make_shared<SystemResolver>();
  if (!config_.sleep) {
    config_.sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
  }
  if (!config_.now) config_.now = [] { return std::chrono::steady_clock::now(); };
  resilience_ = std::make_unique<Resilience>(config_.sleep, config_.now);
  if (!config_.random) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    auto mutex = std::make_shared<std::mutex>();
    config_.random = [engine, mutex] {
      std::lock_guard lock(*mutex);
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
  }
}

Client::~Client() = default;

ClientStats Client::stats() const {
  ClientStats out;
  out.attempts = counters_->attempts.load(std::memory_order_relaxed);
  out.retries = counters_->retries.load(std::memory_order_relaxed);
  {
    std::lock_guard lock(counters_->mutex);
    out.errors = counters_->errors;
  }
  out.breakers = resilience_->breakers();
  return out;
}

namespace {

// One attempt's request after validation.
struct Outgoing {
  boost::urls::url url;
  Method method = Method::Get;
  Auth auth;
  Headers headers;
  std::optional<std::string> body;
  std::uint8_t default_headers = 0;  // bit i: send kDefaultHeaders[i]
};

// `auth_header` ("Name: value", or empty) is the credential header of this hop.
Exchange perform(CURL* curl, const Target& target, const Outgoing& request,
                 const std::string& auth_header, std::chrono::milliseconds timeout,
                 const RequestOptions& options) {
  const Method method = request.method;
  const auto& body = request.body;
  const Auth& auth = request.auth;
  HeaderList own_lines;  // this request's lines; the default lines are chained after them
  std::string line;
  for (const auto& [name, value] : request.headers) {
    line.assign(name).append(": ").append(value);
    append_header(own_lines, line.c_str());
  }
  if (!auth_header.empty()) append_header(own_lines, auth_header.c_str());
  curl_slist* defaults = default_header_list(request.default_headers);
  curl_slist* last_own = own_lines.get();
  while (last_own != nullptr && last_own->next != nullptr) last_own = last_own->next;
  if (last_own != nullptr) last_own->next = defaults;
  // Unchain before own_lines frees its nodes, however this function is left.
  struct Unchain {
    curl_slist* node;
    ~Unchain() {
      if (node != nullptr) node->next = nullptr;
    }
  } unchain{last_own};
  curl_slist* header_list = own_lines ? own_lines.get() : defaults;

  HeaderList pin;
  if (!target.host_is_literal) {
    std::string address =
        target.address.v6 ? "[" + target.address.to_string() + "]" : target.address.to_string();
    std::string key = target.host + ":" + std::to_string(target.port);
    // Forget an earlier pin of this host on a reused handle, then pin this one.
    append_header(pin, ("-" + key).c_str());
    append_header(pin, (key + ":" + address).c_str());
  }

  Transfer transfer;
  transfer.max_bytes = options.max_response_bytes;
  transfer.headers.reserve(12);
  char error_buffer[CURL_ERROR_SIZE] = {};

  // Options every request shares were set when the handle was made (see
  // HandlePool); these are this request's, and are cleared again below.
  curl_easy_setopt(curl, CURLOPT_URL, target.url.c_str());  // libcurl copies it
  if (pin) curl_easy_setopt(curl, CURLOPT_RESOLVE, pin.get());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(options.connect_timeout, timeout).count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  if (auth.kind == Auth::Kind::Basic) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, auth.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, auth.password.c_str());
  }
  if (method == Method::Head) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);  // also clears NOBODY and upload
  }
  if (method != Method::Get && method != Method::Head) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, to_string(method).data());
  } else if (body) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, to_string(method).data());
  }
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->c_str());
  }

  CURLcode code = curl_easy_perform(curl);
  // What this frame owns dies with it; the pooled handle must keep no pointer to it,
  // and the next request must not inherit this one's method, body or credentials.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  if (pin) curl_easy_setopt(curl, CURLOPT_RESOLVE, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, nullptr);
  if (method != Method::Get || body) {  // the two cases that set them above
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
    curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
  }
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(-1));
  }
  if (auth.kind == Auth::Kind::Basic) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, nullptr);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, nullptr);
  }
  if (code != CURLE_OK) {
    RequestOptions shown_options = options;
    shown_options.timeout = timeout;
    throw transport_error(code, transfer, target.shown, error_buffer, shown_options);
  }
  long status = 0;
  long connects = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
  return Exchange{static_cast<int>(status), std::move(transfer.headers), std::move(transfer.body),
                  connects};
}

}  // namespace

namespace {

Outgoing prepare_outgoing(std::string_view url, const RequestOptions& options) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    throw HttpError(HttpErrorCode::InvalidUrl,
                    "invalid URL: " + std::string(parsed.error().message()), false);
  }
  Outgoing out;
  out.url = boost::urls::url(*parsed);
  for (const auto& [key, value] : options.query) out.url.params().append({key, value});
  if (options.auth.kind == Auth::Kind::ApiKeyQuery) {
    out.url.params().append({options.auth.name, options.auth.value});
  }
  out.method = options.method;
  out.auth = options.auth;
  out.headers = options.headers;
  auto has_header = [&](std::string_view name) {
    return std::any_of(out.headers.begin(), out.headers.end(),
                       [&](const auto& h) { return core::ascii_iequals(h.first, name); });
  };
  if (options.form && options.body) {
    throw HttpError(HttpErrorCode::PolicyDenied, "a request has either a body or form fields",
                    false, {{"url", redact_url(url)}});
  }
  if (options.form) {
    out.body = encode_form(*options.form);
    if (!has_header("Content-Type")) {
      out.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
  }
  if (options.body) {
    if (const auto* text = options.body->if_string()) {
      out.body = std::string(*text);
    } else {
      out.body = boost::json::serialize(*options.body);
      if (!has_header("Content-Type")) out.headers.emplace_back("Content-Type", "application/json");
    }
  }
  if (out.body) {
    if (out.body->size() > kMaxRequestBytes) {
      throw HttpError(HttpErrorCode::PolicyDenied,
                      "request body is " + std::to_string(out.body->size()) +
                          " bytes, over the limit of " + std::to_string(kMaxRequestBytes),
                      false, {{"url", redact_url(url)}});
    }
  }
  for (const auto& [name, value] : out.headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value) ||
        name.find(':') != std::string::npos) {
      throw HttpError(HttpErrorCode::PolicyDenied,
                      "header '" + name.substr(0, 64) + "' has an invalid name or a line break",
                      false, {{"url", redact_url(url)}});
    }
  }
  // Credentials become header lines too: a line break in one would add headers.
  bool bad_bearer = out.auth.kind == Auth::Kind::Bearer && has_line_break(out.auth.token);
  bool bad_key = out.auth.kind == Auth::Kind::ApiKeyHeader &&
                 (out.auth.name.empty() || has_line_break(out.auth.name) ||
                  out.auth.name.find(':') != std::string::npos || has_line_break(out.auth.value));
  if (bad_bearer || bad_key) {
    throw HttpError(HttpErrorCode::PolicyDenied,
                    "the credential has an invalid header name or a line break", false,
                    {{"url", redact_url(url)}});
  }
  for (std::size_t i = 0; i < std::size(kDefaultHeaders); ++i) {
    if (!has_header(kDefaultHeaders[i].name)) out.default_headers |= 1u << i;
  }
  return out;
}

std::optional<long long> header_number(const Headers& headers, std::string_view a,
                                       std::string_view b) {
  for (const auto& [name, value] : headers) {
    if (name != a && name != b) continue;
    long long number = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec == std::errc{}) return number;
  }
  return std::nullopt;
}

// Whether the Content-Type names JSON (application/json, application/problem+json, ...).
bool says_json(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (name != "content-type") continue;
    for (std::size_t i = 0; i + 4 <= value.size(); ++i) {
      if (core::ascii_iequals(std::string_view(value).substr(i, 4), "json")) return true;
    }
    return false;
  }
  return false;
}

RateLimitInfo read_rate_limit(const Headers& headers) {
  RateLimitInfo info;
  info.limit = header_number(headers, "x-ratelimit-limit", "ratelimit-limit");
  info.remaining = header_number(headers, "x-ratelimit-remaining", "ratelimit-remaining");
  info.reset = header_number(headers, "x-ratelimit-reset", "ratelimit-reset");
  for (const auto& [name, value] : headers) {
    if (name == "retry-after") {
      info.retry_after = parse_retry_after(value, std::chrono::system_clock::now());
    }
  }
  return info;
}

}  // namespace

Response Client::request(std::string_view url, const RequestOptions& options,
                         core::Logger& logger) const {
  const auto started = std::chrono::steady_clock::now();
  // One budget for every attempt and redirect of this request.
  const auto deadline = started + std::min(options.timeout, kMaxTimeout);
  // Without a before_request hook every attempt sends the same request: validate once.
  std::optional<Outgoing> shared_outgoing;
  if (!options.hooks.before_request) shared_outgoing = prepare_outgoing(url, options);

  struct Lease {
    HandlePool& pool;
    CURL* handle;
    ~Lease() { pool.give(handle); }
  } lease{*handles_, handles_->take()};

  // Sends one attempt, following redirects; throws HttpError on failure.
  auto send = [&](const Outgoing& first) -> Response {
    std::optional<Outgoing> redirected;  // a copy only once a redirect changes the request
    for (int hop = 0;; ++hop) {
      const Outgoing& request = redirected ? *redirected : first;
      Target target = prepare_target(request.url, config_.policy, *config_.resolver);
      std::string auth_header;
      if (request.auth.kind == Auth::Kind::Bearer) {
        auth_header = "Authorization: Bearer " + request.auth.token;
      } else if (request.auth.kind == Auth::Kind::ApiKeyHeader) {
        auth_header = request.auth.name + ": " + request.auth.value;
      }
      auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (remaining.count() <= 0) {
        throw HttpError(HttpErrorCode::Timeout,
                        "request to " + target.shown + " ran out of its " +
                            std::to_string(options.timeout.count()) + " ms",
                        true, {{"url", target.shown}, {"timeoutMs", options.timeout.count()}});
      }
      Exchange exchange = perform(lease.handle, target, request, auth_header, remaining, options);
      if (logger.enabled(core::LogLevel::Debug)) {
        logger.debug("http request", {{"method", to_string(request.method)},
                                      {"url", target.shown},
                                      {"status", exchange.status}});
      }

      std::optional<std::string> location;
      for (const auto& [name, value] : exchange.headers) {
        if (name == "location") location = value;
      }
      if (options.follow_redirects && is_redirect(exchange.status) && location) {
        if (hop >= kMaxRedirects) {
          throw HttpError(HttpErrorCode::TooManyRedirects,
                          "more than " + std::to_string(kMaxRedirects) + " redirects, last from " +
                              target.shown,
                          false, {{"url", target.shown}});
        }
        auto reference = boost::urls::parse_uri_reference(*location);
        boost::urls::url resolved;
        if (!reference || !boost::urls::resolve(target.url, *reference, resolved)) {
          throw HttpError(HttpErrorCode::InvalidUrl,
                          "redirect from " + target.shown + " has an invalid Location", false,
                          {{"url", target.shown}});
        }
        Outgoing next = request;
        if (exchange.status == 303 || ((exchange.status == 301 || exchange.status == 302) &&
                                       next.method == Method::Post)) {
          if (next.method != Method::Head) next.method = Method::Get;
          next.body.reset();
          std::erase_if(next.headers,
                        [](const auto& h) { return core::ascii_iequals(h.first, "content-type"); });
        }
        if (!same_origin(target.url, resolved)) {
          // Credentials were given for the first origin only.
          next.auth = Auth{};
          std::erase_if(next.headers, [](const auto& h) {
            return core::ascii_iequals(h.first, "authorization") ||
                   core::ascii_iequals(h.first, "cookie") ||
                   core::ascii_iequals(h.first, "proxy-authorization");
          });
        }
        next.url = std::move(resolved);
        redirected = std::move(next);
        continue;
      }

      Response response;
      response.status = exchange.status;
      response.is_successful = exchange.status >= 200 && exchange.status < 300;
      response.headers = std::move(exchange.headers);
      response.meta.redirect_count = hop;
      response.meta.new_connections = exchange.new_connections;
      response.meta.final_url = std::move(target.shown);
      response.meta.rate_limit = read_rate_limit(response.headers);
      std::optional<boost::json::value> parsed_body;
      if (says_json(response.headers) && !exchange.body.empty()) {
        if (auto parsed = core::parse_json(exchange.body)) parsed_body = std::move(*parsed);
      }
      response.body = parsed_body ? std::move(*parsed_body) : boost::json::value(exchange.body);
      return response;
    }
  };

  const int max_attempts = std::max(1, options.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    std::optional<Outgoing> hooked;  // this attempt's own request, when a hook shapes it
    if (!shared_outgoing) {
      RequestOptions attempt_options = options;
      options.hooks.before_request(attempt_options);
      hooked = prepare_outgoing(url, attempt_options);
    }
    const Outgoing& outgoing = hooked ? *hooked : *shared_outgoing;
    bool has_key = std::any_of(outgoing.headers.begin(), outgoing.headers.end(), [](const auto& h) {
      return core::ascii_iequals(h.first, "idempotency-key");
    });
    bool retry_allowed = attempt < max_attempts && may_retry(outgoing.method, has_key);

    std::optional<std::chrono::milliseconds> wait;
    std::string reason;
    std::optional<Response> response;
    const std::string host = core::ascii_lower(outgoing.url.encoded_host());
    try {
      // Rate limits and breakers run on the configured clock; translate the deadline.
      auto admit_deadline = config_.now() + (deadline - std::chrono::steady_clock::now());
      Resilience::Permit permit = resilience_->admit(options.instance, host, options.rate_limit,
                                                     options.breaker, admit_deadline, url);
      try {
        counters_->attempts.fetch_add(1, std::memory_order_relaxed);
        response = send(outgoing);
      } catch (const HttpError& error) {
        bool host_trouble = error.retryable() || error.code() == HttpErrorCode::TlsFailed;
        resilience_->record(
            options.instance, host,
            host_trouble ? Resilience::Outcome::Failure : Resilience::Outcome::Neutral, {});
        throw;
      }
      bool failed = response->status >= 500 || response->status == 429;
      resilience_->record(options.instance, host,
                          failed ? Resilience::Outcome::Failure : Resilience::Outcome::Success,
                          response->meta.rate_limit);
    } catch (const HttpError& error) {
      {
        std::lock_guard lock(counters_->mutex);
        ++counters_->errors[std::string(to_string(error.code()))];
      }
      logger.debug(
          "http request failed",
          {{"url", redact_url(url)}, {"code", to_string(error.code())}, {"attempt", attempt}});
      if (!error.retryable() || !retry_allowed) {
        if (options.hooks.on_error) options.hooks.on_error(error);
        throw;
      }
      wait = backoff_delay(options.retry, attempt, config_.random());
      reason = std::string(to_string(error.code()));
      auto left = deadline - std::chrono::steady_clock::now();
      if (*wait >= left) {
        if (options.hooks.on_error) options.hooks.on_error(error);
        throw;
      }
    }
    if (response) {
      response->meta.retry_count = attempt - 1;
      response->meta.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count();
      if (!retry_allowed || !is_retryable_status(response->status)) {
        if (options.hooks.after_response) options.hooks.after_response(*response);
        return std::move(*response);
      }
      const auto& retry_after = response->meta.rate_limit.retry_after;
      if (retry_after && *retry_after > options.retry.max_retry_after) {
        return std::move(*response);  // the server asks for longer than we wait
      }
      wait = retry_after ? *retry_after : backoff_delay(options.retry, attempt, config_.random());
      if (*wait >= deadline - std::chrono::steady_clock::now()) return std::move(*response);
      reason = "status " + std::to_string(response->status);
    }
    counters_->retries.fetch_add(1, std::memory_order_relaxed);
    if (options.hooks.on_retry) options.hooks.on_retry(attempt, *wait, reason);
    logger.debug("http retry", {{"url", redact_url(url)},
                                {"attempt", attempt},
                                {"delayMs", wait->count()},
                                {"reason", reason}});
    config_.sleep(*wait);
  }
}

const Client& default_client() {
  struct Default {
    std::unique_ptr<Client> client;
    std::optional<core::Error> error;
  };
  static const Default instance = [] {
    Default d;
    auto policy = SsrfPolicy::from_environment();
    if (!policy) {
      d.error = policy.error();
    } else {
      d.client = std::make_unique<Client>(ClientConfig{*policy, nullptr});
    }
    return d;
  }();
  if (instance.error) {
    throw HttpError(HttpErrorCode::PolicyDenied,
                    "outbound HTTP is misconfigured: " + instance.error->message, false);
  }
  return *instance.client;
}

Response request(std::string_view url, const RequestOptions& options, core::Logger& logger) {
  return default_client().request(url, options, logger);
}

}  // namespace patchbay::http
