// patchbay-example-external: an external connector service for patchbay
// (protocol 2.0) over a small in-memory inventory. See README.md.
//
//   patchbay-example-external [--listen 127.0.0.1:0] [--signing-secret-file F]
//       [--api-key K] [--enable-test-commands] [--insecure-no-signature]
//
// Prints one line, "listening on http://HOST:PORT", to stdout once it accepts
// requests; logs one line per request to stderr; stops on SIGINT or SIGTERM.
// Exit codes: 0 stopped by a signal, 1 cannot start, 2 usage error (including
// no signing secret without --insecure-no-signature).

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <pthread.h>
#include <sodium.h>

#include "core/result.hpp"
#include "server/http_server.hpp"
#include "service.hpp"

namespace {

using namespace patchbay;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
// How long in-flight commands may take to finish after SIGINT/SIGTERM.
constexpr std::chrono::seconds kShutdownGrace{5};
constexpr const char* kSecretEnv = "EXAMPLE_SIGNING_SECRET";

struct Endpoint {
  std::string host;
  unsigned short port = 0;
};

// "127.0.0.1:8080", "[::1]:0", "0.0.0.0:9000".
std::optional<Endpoint> parse_listen(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  Endpoint endpoint{.host = std::string(host)};
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size()) return std::nullopt;
  return endpoint;
}

std::string trim(std::string text) {
  constexpr std::string_view kSpace = " \t\r\n";
  text.erase(0, std::min(text.size(), text.find_first_not_of(kSpace)));
  text.erase(text.find_last_not_of(kSpace) + 1);
  return text;
}

// The signing secret from --signing-secret-file (trimmed) or else the
// environment; nullopt when neither gives one.
core::Result<std::optional<std::string>> load_secret(const std::string& file) {
  if (file.empty()) {
    const char* env = std::getenv(kSecretEnv);
    if (env == nullptr) return std::optional<std::string>();
    if (*env == '\0') return core::invalid_argument(std::string(kSecretEnv) + " is set but empty");
    return std::optional<std::string>(env);
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return core::invalid_argument("cannot read the signing secret file " + file);
  std::string secret = trim(text.str());
  if (secret.empty()) {
    return core::invalid_argument("the signing secret file " + file + " is empty");
  }
  return std::optional<std::string>(std::move(secret));
}

int run(int argc, char** argv) {
  CLI::App app{
      "An external connector service for patchbay (protocol 2.0) over an in-memory inventory"};
  std::string listen = "127.0.0.1:0";
  std::string secret_file;
  example::ServiceOptions options{.api_key = "demo-key"};
  bool insecure = false;
  app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--signing-secret-file", secret_file,
                 "File holding the secret patchbay signs requests with (trimmed); "
                 "default: the EXAMPLE_SIGNING_SECRET environment variable");
  app.add_option("--api-key", options.api_key, "The apiKey connection configs must carry")
      ->capture_default_str();
  app.add_flag("--enable-test-commands", options.test_commands,
               "Also serve commands that misbehave on purpose (for patchbay's own tests)");
  app.add_flag("--insecure-no-signature", insecure,
               "Accept unsigned requests (local experiments only)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }

  auto endpoint = parse_listen(listen);
  if (!endpoint) {
    std::cerr << "--listen: expected HOST:PORT, got '" << listen << "'\n";
    return kExitUsage;
  }
  if (options.api_key.empty()) {
    std::cerr << "--api-key must not be empty\n";
    return kExitUsage;
  }
  auto secret = load_secret(secret_file);
  if (!secret) {
    std::cerr << secret.error().message << "\n";
    return kExitUsage;
  }
  options.signing_secret = std::move(*secret);
  if (insecure) {
    std::cerr << "warning: --insecure-no-signature: accepting unsigned requests\n";
    options.signing_secret.reset();
  } else if (!options.signing_secret) {
    std::cerr << "no signing secret: pass --signing-secret-file FILE or set " << kSecretEnv
              << " (or --insecure-no-signature, for local experiments only)\n";
    return kExitUsage;
  }
  if (sodium_init() < 0) {
    std::cerr << "cannot initialise libsodium\n";
    return kExitFailure;
  }

  // Signals are taken by sigwait below: block them before any thread starts,
  // so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  example::ExampleService service(std::move(options));
  server::HttpServer http({.address = endpoint->host,
                           .port = endpoint->port,
                           .max_body_bytes = example::kMaxRequestBodyBytes},
                          service);
  if (auto started = http.start(); !started) {
    std::cerr << "cannot listen: " << started.error().message << "\n";
    return kExitFailure;
  }
  bool ipv6 = endpoint->host.find(':') != std::string::npos;
  std::cout << "listening on http://" << (ipv6 ? "[" + endpoint->host + "]" : endpoint->host) << ":"
            << http.port() << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "stopping on " << (received == SIGINT ? "SIGINT" : "SIGTERM") << "\n";
  http.stop_accepting();
  service.shutdown();
  if (!service.drain_for(kShutdownGrace)) std::cerr << "commands still running at shutdown\n";
  http.stop();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "internal error: " << error.what() << "\n";
    return kExitFailure;
  }
}
