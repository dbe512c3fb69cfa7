#include "support/child_process.hpp"

#include <csignal>
#include <fstream>
#include <random>
#include <sstream>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace patchbay::test {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::vector<std::string> env) {
  std::random_device seed;
  log_path_ = std::filesystem::temp_directory_path() /
              ("patchbay-child-log-" + std::to_string(seed()) + ".txt");
  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe() failed";
    return;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    int err = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    for (auto& entry : env) putenv(entry.data());
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    execv(argv[0].c_str(), args.data());
    _exit(127);
  }
  close(out[1]);
  stdout_fd_ = out[0];
}

ChildProcess::~ChildProcess() {
  if (running()) {
    // A graceful stop first; a program that ignores it is killed.
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      usleep(50'000);
    }
    if (running()) kill();
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

bool ChildProcess::wait_for_output(const std::function<bool(const std::string&)>& done,
                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(output_)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || stdout_fd_ < 0) return false;
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(std::min<long>(left.count(), 100))) > 0) {
      char buffer[4096];
      auto n = read(stdout_fd_, buffer, sizeof buffer);
      if (n <= 0) return done(output_);
      output_.append(buffer, static_cast<std::size_t>(n));
    }
  }
  return true;
}

std::string ChildProcess::wait_for_word_after(const std::string& marker,
                                              std::chrono::milliseconds timeout) {
  auto complete = [&marker](const std::string& text) {
    auto at = text.find(marker);
    return at != std::string::npos && text.find('\n', at) != std::string::npos;
  };
  if (!wait_for_output(complete, timeout)) return {};
  auto start = output_.find(marker) + marker.size();
  auto end = output_.find_first_of(" \n", start);
  return output_.substr(start, end - start);
}

std::string ChildProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int ChildProcess::stop(int signal) {
  if (!running()) return -1;
  ::kill(pid_, signal);
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

void ChildProcess::signal(int signal) const {
  if (running()) ::kill(pid_, signal);
}

}  // namespace patchbay::test
