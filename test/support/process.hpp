#pragma once
// Runs a program as a user would, for tests of the real binary.

#include <cstdio>
#include <string>
#include <vector>

#include <sys/wait.h>

#include "support/files.hpp"

namespace patchbay::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs `args` (no shell interpretation of their contents) with `input` on its
// standard input, and waits for it.
inline ProcessResult run_process(const std::vector<std::string>& args, const std::string& input = {}) {
  TempDir dir;
  std::string command;
  for (const auto& arg : args) command += shell_quote(arg) + " ";
  std::string stdin_path = "/dev/null";
  if (!input.empty()) {
    stdin_path = (dir.path() / "stdin").string();
    write_text(stdin_path, input);
  }
  command += "2>" + shell_quote((dir.path() / "stderr").string()) + " <" + shell_quote(stdin_path);
  ProcessResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = read_text(dir.path() / "stderr");
  return result;
}

}  // namespace patchbay::test
