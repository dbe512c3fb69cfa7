#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"

namespace patchbay::cli {

Action add_version(CLI::App& app) {
  app.add_subcommand("version", "Print the patchbay version");
  return [](core::Logger&) {
    std::cout << "patchbay " << PATCHBAY_VERSION << "\n";
    return kExitOk;
  };
}

}  // namespace patchbay::cli
