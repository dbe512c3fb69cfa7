#pragma once
// The CLI's subcommands, one file each. Every add_* function registers its
// subcommand on `app` and returns the action main() runs when it was chosen.
// Actions return the process exit code: 0 success, 1 a failure result or a
// refused operation, 2 a usage error.

#include <functional>
#include <string>

#include "core/logger.hpp"

namespace CLI {
class App;
}

namespace patchbay::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Options every subcommand shares.
struct GlobalOptions {
  // Empty: "info" for serve (request lines), "warn" for everything else.
  std::string log_level;
  bool log_json = false;
};

using Action = std::function<int(core::Logger& logger)>;

Action add_version(CLI::App& app);
Action add_types(CLI::App& app);
Action add_exec(CLI::App& app);
Action add_scaffold(CLI::App& app);
Action add_keygen(CLI::App& app);
Action add_serve(CLI::App& app);
Action add_token(CLI::App& app);
Action add_rotate_key(CLI::App& app);
Action add_oas(CLI::App& app);
Action add_agent(CLI::App& app);
Action add_mcp(CLI::App& app);

}  // namespace patchbay::cli
