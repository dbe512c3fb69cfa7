#include "support/server_process.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

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
  std::random_device seed;
  log_path_ = std::filesystem::temp_directory_path() /
              ("patchbay-server-log-" + std::to_string(seed()) + ".txt");
  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe() failed";
    return;
  }
  std::vector<std::string> argv_text{binary, "serve", "--listen", "127.0.0.1:0"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    int err = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    for (auto& entry : env) putenv(entry.data());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  stdout_fd_ = out[0];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (poll(&fd, 1, 100) > 0) {
      char buffer[4096];
      auto n = read(stdout_fd_, buffer, sizeof buffer);
      if (n <= 0) break;
      output_.append(buffer, static_cast<std::size_t>(n));
    }
    // serve writes its banner in one flush: the URL, the store, and on a first
    // start the admin token followed by a "try: curl" line.
    auto store_line = output_.find("store: ");
    bool banner =
        store_line != std::string::npos && output_.find('\n', store_line) != std::string::npos;
    auto token_hint = output_.find("try: curl");
    bool token_done =
        output_.find("admin token") == std::string::npos ||
        (token_hint != std::string::npos && output_.find('\n', token_hint) != std::string::npos);
    if (banner && token_done) {
      url_ = after(output_, "listening on ");
      port_ = static_cast<unsigned short>(std::atoi(url_.substr(url_.rfind(':') + 1).c_str()));
      admin_token_ = after(output_, "keep it safe): ");
      return;
    }
  }
  ADD_FAILURE() << "patchbay serve did not start; stdout:\n" << output_ << "\nlog:\n" << log();
  kill();
}

ServerProcess::~ServerProcess() {
  if (running()) stop();
  if (stdout_fd_ >= 0) close(stdout_fd_);
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

std::string ServerProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int ServerProcess::stop() {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(stdout_fd_, buffer, sizeof buffer)) > 0) {
    output_.append(buffer, static_cast<std::size_t>(n));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace patchbay::test
