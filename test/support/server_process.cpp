#include "support/server_process.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <gtest/gtest.h>

namespace patchbay::test {
namespace {

std::string after(const std::string& text, const std::string& marker) {
  auto at = text.find(marker);
  if (at == std::string::npos) return {};
  auto start = at + marker.size();
  auto end = text.find_first_of(" \n", start);
  return text.substr(start, end - start);
}

}  // namespace

ServerProcess::ServerProcess(const std::string& binary, std::vector<std::string> args,
                             std::vector<std::string> env) {
  std::vector<std::string> argv{binary, "serve"};
  if (std::find(args.begin(), args.end(), "--listen") == args.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<ChildProcess>(std::move(argv), std::move(env));
  // serve writes its banner in one flush: the URL, the store, and on a first
  // start the admin token followed by a "try: curl" line.
  auto banner_done = [](const std::string& output) {
    auto store_line = output.find("store: ");
    bool banner =
        store_line != std::string::npos && output.find('\n', store_line) != std::string::npos;
    auto token_hint = output.find("try: curl");
    bool token_done =
        output.find("admin token") == std::string::npos ||
        (token_hint != std::string::npos && output.find('\n', token_hint) != std::string::npos);
    return banner && token_done;
  };
  if (process_->wait_for_output(banner_done)) {
    url_ = after(output(), "listening on ");
    port_ = static_cast<unsigned short>(std::atoi(url_.substr(url_.rfind(':') + 1).c_str()));
    admin_token_ = after(output(), "keep it safe): ");
    return;
  }
  ADD_FAILURE() << "patchbay serve did not start; stdout:\n" << output() << "\nlog:\n" << log();
  kill();
}

ServerProcess::~ServerProcess() = default;

}  // namespace patchbay::test
