#pragma once
// ChildProcess: a real program in a child process for tests (the patchbay
// server, an agent, the example external service). Its stdout is read through a
// pipe as the test waits for lines; its stderr (the program's log) goes to a
// file the test can read. The destructor stops it (SIGTERM, then SIGKILL).

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace patchbay::test {

class ChildProcess {
 public:
  // Starts argv[0] with `argv`; `env` entries ("K=V") are added to the environment.
  ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Reads stdout until `done(output so far)` holds; false when the program exits
  // or `timeout` passes first.
  bool wait_for_output(const std::function<bool(const std::string&)>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The text after the first `marker` in stdout, up to a space or newline, once a
  // full line holding it has arrived ("" on timeout).
  std::string wait_for_word_after(const std::string& marker,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
  const std::string& output() const { return output_; }
  // The program's stderr so far.
  std::string log() const;

  // Sends `signal` and waits; the exit code, or -1 when a signal ended it.
  int stop(int signal = 15);
  // SIGKILL and wait, like a crash.
  void kill() { stop(9); }
  // Sends a signal without waiting (SIGSTOP, SIGCONT).
  void signal(int signal) const;

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string output_;
  std::filesystem::path log_path_;
};

}  // namespace patchbay::test
