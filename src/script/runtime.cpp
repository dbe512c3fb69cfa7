// The SpiderMonkey side of the sandbox: one JSContext per thread, a fresh global
// per execution, the floh API, limits, and conversion of results to JSON.

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/json/serialize.hpp>
#include <fcntl.h>
#include <js/Array.h>
#include <js/BuildId.h>
#include <js/CallAndConstruct.h>
#include <js/CompilationAndEvaluation.h>
#include <js/CompileOptions.h>
#include <js/Context.h>
#include <js/ContextOptions.h>
#include <js/Conversions.h>
#include <js/ErrorReport.h>
#include <js/Exception.h>
#include <js/GlobalObject.h>
#include <js/Initialization.h>
#include <js/Interrupt.h>
#include <js/JSON.h>
#include <js/MemoryCallbacks.h>
#include <js/Object.h>
#include <js/Promise.h>
#include <js/PropertyAndElement.h>
#include <js/PropertySpec.h>
#include <js/Realm.h>
#include <js/RealmOptions.h>
#include <js/SourceText.h>
#include <js/Stack.h>
#include <js/String.h>
#include <js/experimental/JSStencil.h>
#include <jsapi.h>
#include <jsfriendapi.h>
#include <unistd.h>

#include "core/json.hpp"
#include "script/script.hpp"
#include "script/watchdog.hpp"

namespace patchbay::script {
namespace {

namespace json = boost::json;

constexpr std::size_t kStencilCacheSize = 64;
// Realms pile up until a full GC; collect every this many executions. A full GC
// costs about the same with 100 dead realms as with 300 (marking what lives
// dominates), so collecting less often is cheaper per execution: every 100, it
// was 36k of ~500k instructions per execution; every 300, 9k (callgrind). The
// dead realms cost a few MiB until then, and prepare_heap() collects earlier
// whenever the heap passes a quarter of the execution's limit.
constexpr int kExecutionsPerGc = 300;

// ---------------------------------------------------------------------------
// Process-wide engine initialization.

bool build_id(JS::BuildIdCharVector* id) {
  static constexpr char kId[] = "patchbay-script-1";
  return id->append(kId, sizeof kId - 1);
}

void init_engine_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // The self-hosted code cache needs a build id before any context exists.
    JS::SetProcessBuildIdOp(build_id);
    bool ok = JS_Init();
    PATCHBAY_CHECK(ok, "JS_Init failed");
    // The engine's helper threads must stop before static destructors run; exit()
    // destroys this thread's context (thread_local) before atexit handlers.
    std::atexit([] { JS_ShutDown(); });
  });
}

// ---------------------------------------------------------------------------
// The global class: standard classes resolve lazily (fast realm creation), and
// the ones whose memory the engine cannot bound are never resolved.

// The global names of the classes whose memory the engine cannot bound, as this
// thread's context's pinned atoms: comparing a resolved id with these is much
// cheaper than mapping it to its class first (JS_IdToProtoKey), on every one of
// the ~10 standard classes each fresh realm resolves.
constexpr const char* kDeniedGlobals[] = {
    "ArrayBuffer",  "SharedArrayBuffer", "DataView",      "Int8Array",      "Uint8Array",
    "Int16Array",   "Uint16Array",       "Int32Array",    "Uint32Array",    "Float32Array",
    "Float64Array", "Uint8ClampedArray", "BigInt64Array", "BigUint64Array", "Atomics",
    "WebAssembly",  "CompileError",      "LinkError",     "RuntimeError"};
thread_local std::vector<jsid> t_denied_globals;

void pin_denied_globals(JSContext* cx) {
  for (const char* name : kDeniedGlobals) {
    JSString* atom = JS_AtomizeAndPinString(cx, name);
    PATCHBAY_CHECK(atom != nullptr, "could not create the engine's class names");
    t_denied_globals.push_back(JS::PropertyKey::fromPinnedString(atom));
  }
}

bool global_resolve(JSContext* cx, JS::HandleObject obj, JS::HandleId id, bool* resolved) {
  if (std::find(t_denied_globals.begin(), t_denied_globals.end(), id.get()) !=
      t_denied_globals.end()) {
    *resolved = false;
    return true;
  }
  return JS_ResolveStandardClass(cx, obj, id, resolved);
}

bool global_may_resolve(const JSAtomState& names, jsid id, JSObject* maybe) {
  return JS_MayResolveStandardClass(names, id, maybe);
}

bool global_enumerate(JSContext* cx, JS::HandleObject obj, JS::MutableHandleIdVector properties,
                      bool enumerable_only) {
  return JS_NewEnumerateStandardClasses(cx, obj, properties, enumerable_only);
}

// The field order of JSClassOps: addProperty, delProperty, enumerate, newEnumerate,
// resolve, mayResolve, finalize, call, construct, trace.
constexpr JSClassOps kGlobalClassOps = {
    nullptr, nullptr, nullptr, global_enumerate,        global_resolve, global_may_resolve,
    nullptr, nullptr, nullptr, JS_GlobalObjectTraceHook};
constexpr JSClass kGlobalClass = {"global", JSCLASS_GLOBAL_FLAGS, &kGlobalClassOps};

// ---------------------------------------------------------------------------

std::string to_utf8(JSContext* cx, JS::HandleValue value) {
  JS::RootedString str(cx, JS::ToString(cx, value));
  if (!str) {
    JS_ClearPendingException(cx);
    return "(unprintable value)";
  }
  JS::UniqueChars chars = JS_EncodeStringToUTF8(cx, str);
  return chars ? std::string(chars.get()) : std::string("(unprintable value)");
}

bool append_json(const char16_t* buf, uint32_t len, void* data) {
  auto* out = static_cast<std::u16string*>(data);
  out->append(buf, len);
  return true;
}

std::string utf16_to_utf8(const std::u16string& in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char32_t c = in[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < in.size() && in[i + 1] >= 0xDC00 &&
        in[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (in[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;  // a lone surrogate cannot be UTF-8
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// JSON.stringify of a value; nullopt (with the reason) when it is not serializable.
std::optional<std::string> stringify(JSContext* cx, JS::HandleValue value, std::string& error) {
  JS::RootedValue copy(cx, value);
  std::u16string out;
  if (!JS_Stringify(cx, &copy, nullptr, JS::NullHandleValue, append_json, &out)) {
    JS::RootedValue exn(cx);
    if (JS_GetPendingException(cx, &exn)) {
      error = to_utf8(cx, exn);
      JS_ClearPendingException(cx);
    }
    return std::nullopt;
  }
  return utf16_to_utf8(out);
}

bool parse_into(JSContext* cx, const std::string& text, JS::MutableHandleValue out) {
  JS::ConstUTF8CharsZ utf8(text.c_str(), text.size());
  JS::RootedString str(cx, JS_NewStringCopyUTF8Z(cx, utf8));
  return str && JS_ParseJSON(cx, str, out);
}

// ---------------------------------------------------------------------------
// One execution's state, reachable from natives through the context private.

struct RunState {
  ScriptHost* host = nullptr;
  const ScriptLimits* limits = nullptr;
  int http_calls = 0;
  std::chrono::steady_clock::time_point wall_deadline;
  // GC heap bytes when the execution started; growth beyond the limit ends it.
  std::uint64_t heap_start = 0;
  // Process resident bytes when the execution started (see kMallocSlackFactor).
  std::uint64_t resident_start = 0;
  // The limit that ended the execution; set by the watchdog, natives or OOM.
  std::atomic<const char*> limit{nullptr};
  std::string limit_detail;
  // floh.params, floh.config, floh.variables (never null).
  const json::object* params = nullptr;
  const json::object* config = nullptr;
  const json::object* variables = nullptr;
};

RunState* current(JSContext* cx) { return static_cast<RunState*>(JS_GetContextPrivate(cx)); }

// Memory the engine mallocs outside its GC heap (string characters above all) is
// invisible to it, so the process's resident size stands in for it: an execution
// during which it grows by more than this many heap limits is stopped. Coarse (it
// sees the whole process and acts only between allocations) but it keeps a string
// bomb from taking the server down.
constexpr std::uint64_t kMallocSlackFactor = 4;

std::uint64_t resident_bytes() {
  static const long page = sysconf(_SC_PAGESIZE);
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buffer[128] = {};
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (n <= 0) return 0;
  unsigned long long size = 0, resident = 0;
  if (std::sscanf(buffer, "%llu %llu", &size, &resident) != 2) return 0;
  return resident * static_cast<std::uint64_t>(page);
}

// The resident size an execution's growth is measured from. Reading it costs three
// system calls, several microseconds against a ~50 us execution, so a reading up
// to this old is reused; the limit is a coarse backstop (kMallocSlackFactor heap
// limits of slack), and the process's size moves little in that time.
constexpr std::chrono::milliseconds kResidentBaselineMaxAge{10};

std::uint64_t resident_baseline() {
  thread_local std::uint64_t bytes = 0;
  thread_local std::chrono::steady_clock::time_point read_at{};
  auto now = std::chrono::steady_clock::now();
  if (bytes == 0 || now - read_at > kResidentBaselineMaxAge) {
    bytes = resident_bytes();
    read_at = now;
  }
  return bytes;
}

bool interrupt_callback(JSContext* cx) {
  RunState* run = current(cx);
  if (run == nullptr) return true;
  // The GC heap size may only be read on this thread; the watchdog's periodic
  // interrupts bring us here to check it.
  if (run->limit.load() == nullptr &&
      JS_GetGCParameter(cx, JSGC_BYTES) > run->heap_start + run->limits->heap_bytes) {
    const char* expected = nullptr;
    run->limit.compare_exchange_strong(expected, "heap");
  }
  if (run->limit.load() == nullptr && run->resident_start > 0) {
    std::uint64_t resident = resident_bytes();
    if (resident > run->resident_start + kMallocSlackFactor * run->limits->heap_bytes) {
      const char* expected = nullptr;
      run->limit.compare_exchange_strong(expected, "memory");
    }
  }
  return run->limit.load() == nullptr;  // false ends the script, uncatchable
}

void out_of_memory(JSContext* cx, void*) {
  if (RunState* run = current(cx)) {
    const char* expected = nullptr;
    run->limit.compare_exchange_strong(expected, "heap");
    JS_RequestInterruptCallback(cx);
  }
}

// Ends the script from a native with a named limit (uncatchable).
bool stop_with_limit(JSContext* cx, const char* limit, std::string detail) {
  RunState* run = current(cx);
  const char* expected = nullptr;
  run->limit.compare_exchange_strong(expected, limit);
  run->limit_detail = std::move(detail);
  return false;
}

bool log_at(JSContext* cx, unsigned argc, JS::Value* vp, core::LogLevel level) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string message;
  for (unsigned i = 0; i < args.length(); ++i) {
    if (i > 0) message += ' ';
    if (args[i].isString()) {
      message += to_utf8(cx, args[i]);
    } else {
      std::string ignored;
      auto text = stringify(cx, args[i], ignored);
      message += text ? *text : to_utf8(cx, args[i]);
    }
  }
  current(cx)->host->log(level, message);
  args.rval().setUndefined();
  return true;
}

bool log_trace(JSContext* cx, unsigned argc, JS::Value* vp) {
  return log_at(cx, argc, vp, core::LogLevel::Trace);
}
bool log_debug(JSContext* cx, unsigned argc, JS::Value* vp) {
  return log_at(cx, argc, vp, core::LogLevel::Debug);
}
bool log_info(JSContext* cx, unsigned argc, JS::Value* vp) {
  return log_at(cx, argc, vp, core::LogLevel::Info);
}
bool log_warn(JSContext* cx, unsigned argc, JS::Value* vp) {
  return log_at(cx, argc, vp, core::LogLevel::Warn);
}
bool log_error(JSContext* cx, unsigned argc, JS::Value* vp) {
  return log_at(cx, argc, vp, core::LogLevel::Error);
}

// Reads a headers object {name: value} into the request: its own enumerable
// properties, as JSON.stringify would see them (values that JSON leaves out are
// left out; numbers and booleans as their JSON text).
bool read_headers(JSContext* cx, JS::HandleValue value, http::Headers& out) {
  if (value.isNullOrUndefined()) return true;
  bool is_array = false;
  if (!value.isObject() || !JS::IsArrayObject(cx, value, &is_array) || is_array ||
      JS_ObjectIsFunction(&value.toObject())) {
    JS_ClearPendingException(cx);
    JS_ReportErrorUTF8(cx, "floh.http: headers must be an object of name: value");
    return false;
  }
  JS::RootedObject headers(cx, &value.toObject());
  JS::Rooted<JS::IdVector> ids(cx, JS::IdVector(cx));
  if (!JS_Enumerate(cx, headers, &ids)) return false;
  JS::RootedId id(cx);
  JS::RootedValue name(cx);
  JS::RootedValue header(cx);
  for (std::size_t i = 0; i < ids.length(); ++i) {
    id = ids[i];
    if (!JS_IdToValue(cx, id, &name) || !JS_GetPropertyById(cx, headers, id, &header)) {
      return false;
    }
    if (header.isString()) {
      out.emplace_back(to_utf8(cx, name), to_utf8(cx, header));
      continue;
    }
    if (header.isUndefined() || header.isSymbol() ||
        (header.isObject() && JS::IsCallable(&header.toObject()))) {
      continue;  // JSON leaves these out
    }
    std::string error;
    auto text = stringify(cx, header, error);
    if (!text) {
      if (!error.empty()) {
        JS_ReportErrorUTF8(cx, "floh.http: header %s: %s", to_utf8(cx, name).c_str(),
                           error.c_str());
      }
      return false;
    }
    auto parsed = core::parse_json(*text);
    if (!parsed) continue;
    out.emplace_back(to_utf8(cx, name), core::json_to_display_string(*parsed));
  }
  return true;
}

// Counts one HTTP call against the execution's limit; false (the execution is
// being stopped) once the limit is used up.
bool take_http_call(JSContext* cx, RunState* run) {
  if (run->http_calls >= run->limits->max_http_calls) {
    return stop_with_limit(cx, "HTTP calls",
                           "more than " + std::to_string(run->limits->max_http_calls) +
                               " floh.http calls in one execution");
  }
  ++run->http_calls;
  return true;
}

// Runs a host call that may throw; a failure becomes a catchable JS Error
// "<what> failed (<HttpError code>): <message>".
template <class Call>
bool host_call(JSContext* cx, const char* what, Call&& call) {
  try {
    call();
    return true;
  } catch (const http::HttpError& error) {
    JS_ReportErrorUTF8(cx, "%s failed (%s): %s", what,
                       std::string(http::to_string(error.code())).c_str(), error.what());
  } catch (const std::exception& error) {
    JS_ReportErrorUTF8(cx, "%s failed: %s", what, error.what());
  }
  return false;
}

bool string_into(JSContext* cx, std::string_view text, JS::MutableHandleValue out) {
  JSString* str = JS_NewStringCopyUTF8N(cx, JS::UTF8Chars(text.data(), text.size()));
  if (str == nullptr) return false;
  out.setString(str);
  return true;
}

// The script's view of a response: {status, body (parsed JSON when it was JSON),
// headers: {name: value}, a repeated name's last value}.
bool response_into(JSContext* cx, const http::Response& response, JS::MutableHandleValue out) {
  JS::RootedObject result(cx, JS_NewPlainObject(cx));
  JS::RootedObject headers(cx, JS_NewPlainObject(cx));
  if (!result || !headers) return false;
  JS::RootedValue value(cx);
  for (const auto& [name, text] : response.headers) {
    if (!string_into(cx, text, &value) ||
        !JS_DefineProperty(cx, headers, name.c_str(), value, JSPROP_ENUMERATE)) {
      return false;
    }
  }
  if (response.body.is_string()) {
    if (!string_into(cx, response.body.get_string(), &value)) return false;
  } else if (!parse_into(cx, json::serialize(response.body), &value)) {
    return false;
  }
  if (!JS_DefineProperty(cx, result, "status", response.status, JSPROP_ENUMERATE) ||
      !JS_DefineProperty(cx, result, "body", value, JSPROP_ENUMERATE) ||
      !JS_DefineProperty(cx, result, "headers", headers, JSPROP_ENUMERATE)) {
    return false;
  }
  out.setObject(*result);
  return true;
}

// floh.http.<method>(url, [body,] headers); `first` is the URL's argument index
// (1 for floh.http.request(method, url, body, headers)).
bool http_call(JSContext* cx, unsigned argc, JS::Value* vp, http::Method method, bool has_body,
               unsigned first = 0) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  RunState* run = current(cx);
  if (!take_http_call(cx, run)) return false;
  if (args.length() < first + 1 || !args[first].isString()) {
    JS_ReportErrorUTF8(cx, "floh.http.%s: the URL must be a string",
                       std::string(http::to_string(method)).c_str());
    return false;
  }
  std::string url = to_utf8(cx, args[first]);
  http::RequestOptions options;
  options.method = method;
  unsigned body_index = first + 1;
  unsigned header_index = has_body ? first + 2 : first + 1;
  if (!read_headers(cx, args.get(header_index), options.headers)) return false;
  if (has_body && args.length() > body_index && !args[body_index].isNullOrUndefined()) {
    if (args[body_index].isString()) {
      std::string text = to_utf8(cx, args[body_index]);
      bool has_type = std::any_of(options.headers.begin(), options.headers.end(), [](auto& h) {
        std::string name = h.first;
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return name == "content-type";
      });
      // JSON.stringify(...) bodies, as in the seed's examples, are sent as JSON.
      if (!has_type && core::parse_json(text)) {
        options.headers.emplace_back("Content-Type", "application/json");
      }
      options.body = json::value(text);
    } else {
      std::string error;
      auto text = stringify(cx, args[body_index], error);
      auto parsed = text ? core::parse_json(*text) : core::Result<json::value>(core::Error{});
      if (!parsed) {
        JS_ReportErrorUTF8(cx, "floh.http: the body is not JSON-serializable");
        return false;
      }
      options.body = std::move(*parsed);
    }
  }
  // The request may not outlive the execution's wall-time budget.
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
      run->wall_deadline - std::chrono::steady_clock::now());
  if (remaining.count() <= 0) return stop_with_limit(cx, "wall time", "");
  options.timeout = std::min(options.timeout, remaining);

  http::Response response;
  if (!host_call(cx, "HTTP request", [&] { response = run->host->http(url, options); })) {
    return false;
  }
  return response_into(cx, response, args.rval());
}

bool http_get(JSContext* cx, unsigned argc, JS::Value* vp) {
  return http_call(cx, argc, vp, http::Method::Get, false);
}
bool http_delete(JSContext* cx, unsigned argc, JS::Value* vp) {
  return http_call(cx, argc, vp, http::Method::Delete, false);
}
bool http_post(JSContext* cx, unsigned argc, JS::Value* vp) {
  return http_call(cx, argc, vp, http::Method::Post, true);
}
bool http_put(JSContext* cx, unsigned argc, JS::Value* vp) {
  return http_call(cx, argc, vp, http::Method::Put, true);
}
bool http_patch(JSContext* cx, unsigned argc, JS::Value* vp) {
  return http_call(cx, argc, vp, http::Method::Patch, true);
}
// floh.http.request(method, url, body?, headers?): any method, a body with any.
bool http_request(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::optional<http::Method> method;
  if (args.length() > 0 && args[0].isString()) method = http::parse_method(to_utf8(cx, args[0]));
  if (!method) {
    JS_ReportErrorUTF8(cx,
                       "floh.http.request: the first argument must be an HTTP method "
                       "(GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or TRACE)");
    return false;
  }
  return http_call(cx, argc, vp, *method, true, 1);
}

// floh.oauth2.clientCredentials({tokenUrl, clientId, clientSecret, scope?, refresh?}):
// an access token from the host's cache (fetched when missing or expiring;
// `refresh: true` fetches a new one, after a 401).
bool oauth2_client_credentials(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  RunState* run = current(cx);
  std::string error;
  auto text = args.length() > 0 && args[0].isObject() ? stringify(cx, args[0], error)
                                                      : std::optional<std::string>();
  auto parsed = text ? core::parse_json(*text) : core::Result<json::value>(core::Error{});
  if (!parsed || !parsed->is_object()) {
    JS_ReportErrorUTF8(cx,
                       "floh.oauth2.clientCredentials: pass {tokenUrl, clientId, "
                       "clientSecret, scope}");
    return false;
  }
  const auto& request = parsed->get_object();
  http::OAuth2Config config;
  config.token_url = std::string(core::string_member(request, "tokenUrl").value_or(""));
  config.client_id = std::string(core::string_member(request, "clientId").value_or(""));
  config.client_secret = std::string(core::string_member(request, "clientSecret").value_or(""));
  config.scope = std::string(core::string_member(request, "scope").value_or(""));
  bool refresh = request.contains("refresh") && request.at("refresh") == true;
  if (config.token_url.empty() || config.client_id.empty()) {
    JS_ReportErrorUTF8(cx, "floh.oauth2.clientCredentials: tokenUrl and clientId are required");
    return false;
  }
  // Counted like an HTTP call (most are answered from the cache) so a loop of
  // refreshes cannot hammer the token endpoint.
  if (!take_http_call(cx, run)) return false;
  std::string token;
  if (!host_call(cx, "OAuth2 token request",
                 [&] { token = run->host->oauth2_token(config, refresh); })) {
    return false;
  }
  JS::ConstUTF8CharsZ utf8(token.c_str(), token.size());
  JSString* out = JS_NewStringCopyUTF8Z(cx, utf8);
  if (out == nullptr) return false;
  args.rval().setString(out);
  return true;
}

// ---------------------------------------------------------------------------
// floh and its namespaces are created member by member, when a script first
// reads a member: most scripts use a few of floh's members and functions, and each
// function or JSON value costs the engine objects in every fresh realm.

// A member of a lazily filled object: a native function, or a value `make` creates.
struct LazyMember {
  const char* name;
  unsigned attrs;
  JSNative native = nullptr;
  unsigned nargs = 0;
  bool (*make)(JSContext*, JS::MutableHandleValue) = nullptr;
};

struct LazyMembers {
  const LazyMember* begin;
  std::size_t count;
};

constexpr unsigned kMembersSlot = 0;   // PrivateValue(const LazyMembers*)
constexpr unsigned kResolvedSlot = 1;  // Int32Value: bit i once member i was defined

const LazyMembers& lazy_members(JSObject* obj) {
  return *static_cast<const LazyMembers*>(JS::GetReservedSlot(obj, kMembersSlot).toPrivate());
}

// Defines member `index` unless it was already (then a script's delete sticks).
bool define_lazy_member(JSContext* cx, JS::HandleObject obj, std::size_t index, bool* defined) {
  auto resolved = static_cast<std::uint32_t>(JS::GetReservedSlot(obj, kResolvedSlot).toInt32());
  *defined = false;
  if (resolved & (1u << index)) return true;
  JS::SetReservedSlot(obj, kResolvedSlot,
                      JS::Int32Value(static_cast<int32_t>(resolved | (1u << index))));
  const LazyMember& member = lazy_members(obj).begin[index];
  if (member.native != nullptr) {
    *defined = JS_DefineFunction(cx, obj, member.name, member.native, member.nargs, member.attrs) !=
               nullptr;
    return *defined;
  }
  JS::RootedValue value(cx);
  *defined =
      member.make(cx, &value) && JS_DefineProperty(cx, obj, member.name, value, member.attrs);
  return *defined;
}

bool lazy_resolve(JSContext* cx, JS::HandleObject obj, JS::HandleId id, bool* resolved) {
  *resolved = false;
  if (!id.isString()) return true;
  JSLinearString* name = JS_ASSERT_STRING_IS_LINEAR(id.toString());
  const LazyMembers& members = lazy_members(obj);
  for (std::size_t i = 0; i < members.count; ++i) {
    if (JS_LinearStringEqualsAscii(name, members.begin[i].name)) {
      return define_lazy_member(cx, obj, i, resolved);
    }
  }
  return true;
}

// Enumeration (Object.keys, for-in, JSON.stringify) sees every member.
bool lazy_enumerate(JSContext* cx, JS::HandleObject obj) {
  const LazyMembers& members = lazy_members(obj);
  for (std::size_t i = 0; i < members.count; ++i) {
    bool defined = false;
    if (!define_lazy_member(cx, obj, i, &defined) && JS_IsExceptionPending(cx)) return false;
  }
  return true;
}

constexpr JSClassOps kLazyClassOps = {nullptr, nullptr, lazy_enumerate, nullptr, lazy_resolve,
                                      nullptr, nullptr, nullptr,        nullptr, nullptr};
// Named "Object": to scripts these are ordinary objects.
constexpr JSClass kLazyClass = {"Object", JSCLASS_HAS_RESERVED_SLOTS(2), &kLazyClassOps};

bool new_lazy_object(JSContext* cx, const LazyMembers& members, JS::MutableHandleValue out) {
  JSObject* obj = JS_NewObject(cx, &kLazyClass);
  if (obj == nullptr) return false;
  JS::SetReservedSlot(obj, kMembersSlot, JS::PrivateValue(const_cast<LazyMembers*>(&members)));
  JS::SetReservedSlot(obj, kResolvedSlot, JS::Int32Value(0));
  out.setObject(*obj);
  return true;
}

constexpr unsigned kFunction = JSPROP_ENUMERATE;
constexpr unsigned kNamespace = JSPROP_ENUMERATE | JSPROP_READONLY;

constexpr LazyMember kLogMembers[] = {{"trace", kFunction, log_trace, 1},
                                      {"debug", kFunction, log_debug, 1},
                                      {"info", kFunction, log_info, 1},
                                      {"warn", kFunction, log_warn, 1},
                                      {"error", kFunction, log_error, 1}};
constexpr LazyMember kHttpMembers[] = {
    {"get", kFunction, http_get, 2},     {"post", kFunction, http_post, 3},
    {"put", kFunction, http_put, 3},     {"delete", kFunction, http_delete, 2},
    {"patch", kFunction, http_patch, 3}, {"request", kFunction, http_request, 4}};
constexpr LazyMember kOAuth2Members[] = {
    {"clientCredentials", kFunction, oauth2_client_credentials, 1}};

constexpr LazyMembers kLog{kLogMembers, std::size(kLogMembers)};
constexpr LazyMembers kHttp{kHttpMembers, std::size(kHttpMembers)};
constexpr LazyMembers kOAuth2{kOAuth2Members, std::size(kOAuth2Members)};

bool json_into(JSContext* cx, const json::object& object, JS::MutableHandleValue out) {
  return parse_into(cx, json::serialize(object), out);
}

constexpr LazyMember kFlohMembers[] = {
    {"params", JSPROP_ENUMERATE, nullptr, 0,
     [](JSContext* cx, JS::MutableHandleValue out) {
       return json_into(cx, *current(cx)->params, out);
     }},
    {"config", JSPROP_ENUMERATE, nullptr, 0,
     [](JSContext* cx, JS::MutableHandleValue out) {
       return json_into(cx, *current(cx)->config, out);
     }},
    {"variables", JSPROP_ENUMERATE, nullptr, 0,
     [](JSContext* cx, JS::MutableHandleValue out) {
       return json_into(cx, *current(cx)->variables, out);
     }},
    {"log", kNamespace, nullptr, 0,
     [](JSContext* cx, JS::MutableHandleValue out) { return new_lazy_object(cx, kLog, out); }},
    {"http", kNamespace, nullptr, 0,
     [](JSContext* cx, JS::MutableHandleValue out) { return new_lazy_object(cx, kHttp, out); }},
    {"oauth2", kNamespace, nullptr, 0,
     [](JSContext* cx, JS::MutableHandleValue out) { return new_lazy_object(cx, kOAuth2, out); }}};
constexpr LazyMembers kFloh{kFlohMembers, std::size(kFlohMembers)};

}  // namespace

namespace {

struct ScriptErrorInfo {
  std::string message;
  std::string stack;
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
};

ScriptErrorInfo take_exception(JSContext* cx) {
  ScriptErrorInfo info;
  JS::ExceptionStack exception(cx);
  if (!JS::StealPendingExceptionStack(cx, &exception)) {
    info.message = "the script ended without an exception (terminated)";
    return info;
  }
  JS::ErrorReportBuilder report(cx);
  if (report.init(cx, exception, JS::ErrorReportBuilder::WithSideEffects)) {
    info.message = report.toStringResult().c_str();
    if (const JSErrorReport* r = report.report()) {
      info.line = r->lineno;
      info.column = r->column;  // 1-based in practice, whatever the header says
      if (r->filename != nullptr) info.file = r->filename;
    }
  } else {
    JS_ClearPendingException(cx);
    info.message = to_utf8(cx, exception.exception());
  }
  if (exception.stack()) {
    JS::RootedString stack(cx);
    if (JS::BuildStackString(cx, nullptr, exception.stack(), &stack) && stack) {
      JS::UniqueChars chars = JS_EncodeStringToUTF8(cx, stack);
      if (chars) info.stack = chars.get();
    }
  }
  JS_ClearPendingException(cx);
  return info;
}

json::object error_diagnostics(const ScriptErrorInfo& info) {
  json::object out;
  if (!info.file.empty()) out["file"] = info.file;
  if (info.line > 0) out["line"] = info.line;
  if (info.column > 0) out["column"] = info.column;
  if (!info.stack.empty()) out["stack"] = info.stack;
  return out;
}

std::string position(const ScriptErrorInfo& info) {
  if (info.line == 0) return {};
  return " (" + (info.file.empty() ? std::string("script") : info.file) + ":" +
         std::to_string(info.line) + ":" + std::to_string(info.column) + ")";
}

std::string limit_message(const char* limit, const ScriptLimits& limits,
                          const std::string& detail) {
  std::string name(limit);
  if (name == "wall time") {
    return "Script stopped: wall time limit of " + std::to_string(limits.wall_time.count()) +
           " ms reached";
  }
  if (name == "CPU time") {
    return "Script stopped: CPU time limit of " + std::to_string(limits.cpu_time.count()) +
           " ms reached";
  }
  if (name == "memory") {
    return "Script stopped: memory limit reached (the process grew by more than " +
           std::to_string(kMallocSlackFactor * limits.heap_bytes / (1024 * 1024)) +
           " MiB during the execution)";
  }
  if (name == "heap") {
    return "Script stopped: heap limit of " + std::to_string(limits.heap_bytes / (1024 * 1024)) +
           " MiB reached";
  }
  return "Script stopped: " + name + " limit reached" + (detail.empty() ? "" : ": " + detail);
}

std::string limit_code(const char* limit) {
  std::string code(limit);
  for (auto& c : code)
    c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return code;
}

core::Failure failure(std::string error, json::object diagnostics = {}) {
  return core::Failure{
      std::move(error),
      diagnostics.empty() ? std::optional<json::value>() : json::value(std::move(diagnostics)),
      std::nullopt};
}

// One JSContext per thread, created on first use and destroyed with the thread.
class Runtime {
 public:
  static Runtime& for_this_thread() {
    thread_local Runtime runtime;
    return runtime;
  }

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  ~Runtime() {
    // Stencils must be released before their context is destroyed.
    stencils_.clear();
    index_.clear();
    compile_global_.reset();
    if (cx_ != nullptr) JS_DestroyContext(cx_);
  }

  // The cached stencil for `source`, compiling it on a miss.
  RefPtr<JS::Stencil> stencil(std::string_view source, const std::string& filename,
                              ScriptErrorInfo& error) {
    std::size_t hash = std::hash<std::string_view>{}(source);
    auto found = index_.find(hash);
    if (found != index_.end() && found->second->source == source &&
        found->second->filename == filename) {
      stencils_.splice(stencils_.begin(), stencils_, found->second);
      return found->second->stencil;
    }
    JSAutoRealm realm(cx_, *compile_global_);
    JS::CompileOptions options(cx_);
    options.setFileAndLine(filename.c_str(), 1);
    // The stencil is instantiated in a fresh realm for every execution: parsed
    // lazily, each of those would parse the called function again (a third of an
    // execution's instructions). Compiled once, in full, each instantiation gets
    // the bytecode ready.
    options.setForceFullParse();
    JS::SourceText<mozilla::Utf8Unit> text;
    if (!text.init(cx_, source.data(), source.size(), JS::SourceOwnership::Borrowed)) {
      error = take_exception(cx_);
      return nullptr;
    }
    RefPtr<JS::Stencil> compiled = JS::CompileGlobalScriptToStencil(cx_, options, text);
    if (!compiled) {
      error = take_exception(cx_);
      return nullptr;
    }
    if (found != index_.end()) {
      stencils_.erase(found->second);
      index_.erase(found);
    }
    stencils_.push_front(Cached{std::string(source), filename, compiled});
    index_[hash] = stencils_.begin();
    if (stencils_.size() > kStencilCacheSize) {
      index_.erase(std::hash<std::string_view>{}(stencils_.back().source));
      stencils_.pop_back();
    }
    return compiled;
  }

  // Runs a script: instantiates it in a fresh global, then `after_load` inside that
  // realm. Returns the failure that ended it, or nothing.
  std::optional<core::Failure> run(
      const ScriptCall& call, ScriptHost& host,
      const std::function<std::optional<core::Failure>(JSContext*, JS::HandleObject, RunState&)>&
          after_load) {
    const ScriptLimits& limits = call.limits;
    if (call.source.size() > limits.max_source_bytes) {
      return failure("Script is " + std::to_string(call.source.size()) +
                         " bytes, over the limit of " + std::to_string(limits.max_source_bytes),
                     {{"limit", "script_size"}});
    }
    std::string filename(call.filename);
    ScriptErrorInfo compile_error;
    RefPtr<JS::Stencil> compiled = stencil(call.source, filename, compile_error);
    if (!compiled) {
      return failure("Script does not compile: " + compile_error.message + position(compile_error),
                     error_diagnostics(compile_error));
    }
    prepare_heap(limits);

    RunState state;
    state.host = &host;
    state.limits = &limits;
    state.wall_deadline = std::chrono::steady_clock::now() + limits.wall_time;
    state.heap_start = JS_GetGCParameter(cx_, JSGC_BYTES);
    state.resident_start = resident_baseline();
    JS_SetContextPrivate(cx_, &state);
    running_ = &state;
    watch_.arm(state.wall_deadline, limits.cpu_time);

    std::optional<core::Failure> outcome;
    {
      JS::RealmOptions options;
      options.creationOptions()
          .setSharedMemoryAndAtomicsEnabled(false)
          .setNewCompartmentInExistingZone(*compile_global_);
      JS::RootedObject global(cx_, JS_NewGlobalObject(cx_, &kGlobalClass, nullptr,
                                                      JS::DontFireOnNewGlobalHook, options));
      if (!global) {
        outcome = failure("Script could not start: the engine has no memory for a new global",
                          {{"limit", "heap"}});
      } else {
        JSAutoRealm realm(cx_, global);
        outcome = load_and_run(call, compiled, global, state, after_load);
      }
    }

    watch_.disarm();
    running_ = nullptr;
    JS_SetContextPrivate(cx_, nullptr);
    if (++executions_since_gc_ >= kExecutionsPerGc || state.limit.load() != nullptr) {
      JS_GC(cx_);
      executions_since_gc_ = 0;
    }
    return outcome;
  }

 private:
  Runtime() {
    init_engine_once();
    cx_ = JS_NewContext(JS::DefaultHeapMaxBytes);
    PATCHBAY_CHECK(cx_ != nullptr, "JS_NewContext failed");
    JS::ContextOptionsRef(cx_).setWasm(false).setWasmBaseline(false).setWasmIon(false);
    bool ok = js::UseInternalJobQueues(cx_) && JS::InitSelfHostedCode(cx_);
    PATCHBAY_CHECK(ok, "could not initialize the JavaScript engine");
    pin_denied_globals(cx_);
    JS_AddInterruptCallback(cx_, interrupt_callback);
    JS::SetOutOfMemoryCallback(cx_, out_of_memory, nullptr);
    JS::RealmOptions options;
    compile_global_.emplace(
        cx_, JS_NewGlobalObject(cx_, &kGlobalClass, nullptr, JS::FireOnNewGlobalHook, options));
    PATCHBAY_CHECK(*compile_global_ != nullptr, "could not create the compilation global");
  }

  void prepare_heap(const ScriptLimits& limits) {
    if (limits.heap_bytes != heap_limit_) {
      // The engine's own cap is a backstop above ours (its tenuring may exceed it).
      JS_SetGCParameter(cx_, JSGC_MAX_BYTES,
                        static_cast<uint32_t>(std::min<std::size_t>(
                            2 * limits.heap_bytes + (64u << 20), 0xffffffffu)));
      heap_limit_ = limits.heap_bytes;
    }
    if (limits.stack_bytes != stack_limit_) {
      JS_SetNativeStackQuota(cx_, limits.stack_bytes);
      stack_limit_ = limits.stack_bytes;
    }
    // Start each execution with most of the budget free: what earlier realms left
    // behind is collected first.
    if (JS_GetGCParameter(cx_, JSGC_BYTES) > limits.heap_bytes / 4) {
      JS_GC(cx_);
      executions_since_gc_ = 0;
    }
  }

  std::optional<core::Failure> load_and_run(
      const ScriptCall& call, const RefPtr<JS::Stencil>& compiled, JS::HandleObject global,
      RunState& state,
      const std::function<std::optional<core::Failure>(JSContext*, JS::HandleObject, RunState&)>&
          after_load) {
    JSContext* cx = cx_;
    auto ended = [&]() -> core::Failure {
      if (const char* limit = state.limit.load()) {
        JS_ClearPendingException(cx);
        return failure(limit_message(limit, call.limits, state.limit_detail),
                       {{"limit", limit_code(limit)}});
      }
      ScriptErrorInfo info = take_exception(cx);
      return failure("Script error: " + info.message + position(info), error_diagnostics(info));
    };

    static const json::object kEmpty;
    state.params = call.params ? call.params : &kEmpty;
    state.config = call.config ? call.config : &kEmpty;
    state.variables = call.variables ? call.variables : &kEmpty;
    JS::RootedValue floh(cx);
    if (!new_lazy_object(cx, kFloh, &floh) ||
        !JS_DefineProperty(cx, global, "floh", floh,
                           JSPROP_ENUMERATE | JSPROP_READONLY | JSPROP_PERMANENT)) {
      return ended();
    }

    std::string filename(call.filename);
    JS::CompileOptions options(cx);
    options.setFileAndLine(filename.c_str(), 1);
    JS::InstantiateOptions instantiate(options);
    JS::RootedScript script(cx, JS::InstantiateGlobalStencil(cx, instantiate, compiled));
    JS::RootedValue ignored(cx);
    if (!script || !JS_ExecuteScript(cx, script, &ignored)) return ended();
    auto result = after_load(cx, global, state);
    if (!result && (state.limit.load() != nullptr || JS_IsExceptionPending(cx))) return ended();
    return result;
  }

  struct Cached {
    std::string source;
    std::string filename;
    RefPtr<JS::Stencil> stencil;
  };

  // Called by the watchdog thread while watch_ is armed, i.e. while running_ is
  // this thread's current execution: a limit is recorded, then the script
  // interrupted (also without a limit, to check the heap in interrupt_callback).
  void trip(const char* limit) {
    if (limit != nullptr) {
      const char* expected = nullptr;
      running_->limit.compare_exchange_strong(expected, limit);
    }
    JS_RequestInterruptCallback(cx_);
  }

  JSContext* cx_ = nullptr;
  RunState* running_ = nullptr;
  Watchdog::Watch watch_{[this](const char* limit) { trip(limit); }};
  std::optional<JS::PersistentRootedObject> compile_global_;
  std::list<Cached> stencils_;  // most recently used first
  std::unordered_map<std::size_t, std::list<Cached>::iterator> index_;
  std::size_t heap_limit_ = 0;
  std::size_t stack_limit_ = 0;
  int executions_since_gc_ = 0;
};

// Names of the functions defined on the global, in definition order.
std::vector<std::string> global_functions(JSContext* cx, JS::HandleObject global) {
  std::vector<std::string> names;
  std::vector<std::pair<unsigned, std::string>> positioned;
  JS::Rooted<JS::IdVector> ids(cx, JS::IdVector(cx));
  if (!JS_Enumerate(cx, global, &ids)) {
    JS_ClearPendingException(cx);
    return names;
  }
  for (std::size_t i = 0; i < ids.length(); ++i) {
    JS::RootedId id(cx, ids[i]);
    JS::RootedValue value(cx);
    if (!id.isString() || !JS_GetPropertyById(cx, global, id, &value)) continue;
    if (!value.isObject() || !JS_ObjectIsFunction(&value.toObject())) continue;
    JS::RootedValue name(cx, JS::StringValue(id.toString()));
    std::string text = to_utf8(cx, name);
    if (text == "floh") continue;
    JS::RootedFunction fun(cx, JS_GetObjectFunction(&value.toObject()));
    unsigned line = 0;
    if (fun) {
      JS::RootedScript script(cx, JS_GetFunctionScript(cx, fun));
      if (script) line = JS_GetScriptBaseLineNumber(cx, script);
    }
    JS_ClearPendingException(cx);
    positioned.emplace_back(line, std::move(text));
  }
  // The engine enumerates var bindings before functions; report source order.
  std::stable_sort(positioned.begin(), positioned.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [line, name] : positioned) names.push_back(std::move(name));
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "(none)" : out;
}

// A host for inspecting scripts: no HTTP, logs dropped.
class InertHost final : public ScriptHost {
 public:
  http::Response http(std::string_view, const http::RequestOptions&) override {
    throw http::HttpError(http::HttpErrorCode::PolicyDenied,
                          "floh.http is not available while a script is inspected", false);
  }
  void log(core::LogLevel, std::string_view) override {}
};

}  // namespace

std::string ScriptHost::oauth2_token(const http::OAuth2Config&, bool) {
  throw http::HttpError(http::HttpErrorCode::PolicyDenied,
                        "OAuth2 tokens are not available to this script host", false);
}

core::CommandOutcome run_script(const ScriptCall& call, ScriptHost& host) {
  core::CommandOutcome outcome;
  std::string command(call.command);
  auto failed = Runtime::for_this_thread().run(
      call, host,
      [&](JSContext* cx, JS::HandleObject global, RunState&) -> std::optional<core::Failure> {
        JS::RootedValue fn(cx);
        if (!JS_GetProperty(cx, global, command.c_str(), &fn)) return std::nullopt;
        if (!fn.isObject() || !JS_ObjectIsFunction(&fn.toObject())) {
          return failure("Script defines no function '" + command +
                             "'. Functions defined: " + joined(global_functions(cx, global)),
                         {{"command", command}});
        }
        JS::RootedValue params(cx);
        JS::RootedObject floh_object(cx);
        JS::RootedValue floh_value(cx);
        if (JS_GetProperty(cx, global, "floh", &floh_value) && floh_value.isObject()) {
          floh_object = &floh_value.toObject();
          if (!JS_GetProperty(cx, floh_object, "params", &params)) return std::nullopt;
        }
        JS::RootedValueArray<1> args(cx);
        args[0].set(params);
        JS::RootedValue result(cx);
        if (!JS_CallFunctionValue(cx, global, fn, args, &result)) return std::nullopt;
        // An async command: let its promise settle.
        if (result.isObject()) {
          JS::RootedObject maybe_promise(cx, &result.toObject());
          if (JS::IsPromiseObject(maybe_promise)) {
            js::RunJobs(cx);
            if (JS_IsExceptionPending(cx)) return std::nullopt;
            switch (JS::GetPromiseState(maybe_promise)) {
              case JS::PromiseState::Fulfilled:
                result.set(JS::GetPromiseResult(maybe_promise));
                break;
              case JS::PromiseState::Rejected: {
                JS::RootedValue reason(cx, JS::GetPromiseResult(maybe_promise));
                JS_SetPendingException(cx, reason);
                return std::nullopt;
              }
              case JS::PromiseState::Pending:
                return failure(
                    "The command's promise never settled (scripts have no timers or "
                    "I/O to wait for)");
            }
          }
        }
        if (result.isUndefined()) {
          outcome = std::monostate{};
          return std::nullopt;
        }
        std::string error;
        auto text = stringify(cx, result, error);
        if (!text) {
          if (current(cx)->limit.load() != nullptr) return std::nullopt;
          return failure("The command's return value is not JSON-serializable: " + error);
        }
        auto parsed = core::parse_json(*text);
        if (!parsed)
          return failure("The command's return value is not valid JSON: " + parsed.error().message);
        outcome = std::move(*parsed);
        return std::nullopt;
      });
  if (failed) return std::move(*failed);
  return outcome;
}

core::Result<void> check_script(std::string_view source, std::string_view filename,
                                const ScriptLimits& limits) {
  if (source.size() > limits.max_source_bytes) {
    return core::Error{core::ErrorCode::InvalidDefinition,
                       "script is " + std::to_string(source.size()) + " bytes, over the limit of " +
                           std::to_string(limits.max_source_bytes),
                       {}};
  }
  ScriptErrorInfo error;
  if (Runtime::for_this_thread().stencil(source, std::string(filename), error)) return {};
  return core::Error{
      core::ErrorCode::InvalidDefinition,
      "script does not compile: " + error.message + position(error),
      json::object{{"line", error.line}, {"column", error.column}, {"message", error.message}}};
}

core::Result<std::vector<std::string>> script_functions(std::string_view source,
                                                        const ScriptLimits& limits) {
  InertHost host;
  std::vector<std::string> names;
  ScriptCall call{.source = source, .limits = limits};
  auto failed = Runtime::for_this_thread().run(
      call, host,
      [&](JSContext* cx, JS::HandleObject global, RunState&) -> std::optional<core::Failure> {
        names = global_functions(cx, global);
        return std::nullopt;
      });
  if (failed) {
    return core::Error{core::ErrorCode::InvalidDefinition, failed->error,
                       failed->diagnostics.value_or(json::value())};
  }
  return names;
}

}  // namespace patchbay::script
