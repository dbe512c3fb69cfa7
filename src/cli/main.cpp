// patchbay: the one binary. Subcommands (one file each in src/cli/):
//
//   version    print the version
//   types      list the registered connector types and their commands
//   exec       run one command of a built-in connector and print its result
//   scaffold   write a new built-in connector and register it
//   keygen     make a master key for secrets at rest
//   serve      run the server (REST API)
//   token      create, list and revoke API tokens
//   rotate-key re-encrypt every stored secret under a new master key
//   oas        import an OpenAPI description as a draft connector (oas import)
//
// Exit codes: 0 success, 1 a failure result or refused operation, 2 usage error.

#include <exception>
#include <iostream>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/console_logger.hpp"
#include "cli/subcommands.hpp"

int main(int argc, char** argv) {
  using namespace patchbay::cli;
  CLI::App app{"patchbay: define, generate, version, test and run connectors"};
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--log-level", global.log_level,
                 "trace, debug, info, warn, error or off (default: info for serve, else warn)")
      ->envname("PATCHBAY_LOG_LEVEL");
  app.add_flag("--log-json", global.log_json, "Write log lines as JSON")
      ->envname("PATCHBAY_LOG_JSON");

  std::vector<std::pair<CLI::App*, Action>> subcommands;
  for (auto add : {add_version, add_types, add_exec, add_scaffold, add_keygen, add_serve, add_token,
                   add_rotate_key, add_oas, add_agent, add_mcp}) {
    std::size_t before = app.get_subcommands({}).size();
    Action action = add(app);
    subcommands.emplace_back(app.get_subcommands({})[before], std::move(action));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (global.log_level.empty()) {
    global.log_level = app.get_subcommand("serve")->parsed() ? "info" : "warn";
  }
  auto level = parse_log_level(global.log_level);
  if (!level) {
    std::cerr << "patchbay: " << level.error().message << "\n";
    return kExitUsage;
  }
  ConsoleLogger logger(*level, global.log_json ? LogFormat::Json : LogFormat::Text);
  try {
    for (auto& [command, action] : subcommands) {
      if (command->parsed()) return action(logger);
    }
  } catch (const std::exception& error) {
    std::cerr << "patchbay: internal error: " << error.what() << "\n";
    return kExitFailure;
  }
  return kExitUsage;
}
