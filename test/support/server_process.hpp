#pragma once
// ServerProcess: the real `patchbay serve` binary in a child process, on a free
// loopback port, for API tests. It waits until the server prints its URL (and,
// on a first start, the admin token), keeps stderr (the server's log) in a file
// for the test to read, and stops the server when destroyed.

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace patchbay::test {

class ServerProcess {
 public:
  // Starts `binary serve --listen 127.0.0.1:0 <args>` (unless args name another
  // --listen) with `env` ("K=V") added to the environment. Fails the current test (and leaves running() false) when it
  // does not come up within 30 s.
  ServerProcess(const std::string& binary, std::vector<std::string> args,
                std::vector<std::string> env = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool running() const { return process_ && process_->running(); }
  unsigned short port() const { return port_; }
  const std::string& url() const { return url_; }
  // The admin token a first start printed, or "".
  const std::string& admin_token() const { return admin_token_; }
  // Everything the server printed on stdout so far.
  const std::string& output() const { return process_->output(); }
  // The server's log (stderr) so far.
  std::string log() const { return process_->log(); }

  // SIGTERM and wait; returns the exit code (-1 when killed by a signal).
  int stop() { return process_->stop(); }
  // SIGKILL and wait, like a crash.
  void kill() { process_->kill(); }

 private:
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_ = 0;
  std::string url_;
  std::string admin_token_;
};

}  // namespace patchbay::test
