// patchbay rotate-key [--data-dir DIR] [--db URL] [--new-key KEY]: re-seals every
// secret connection value under a new master key (see server/key_rotation.hpp).

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/data_options.hpp"
#include "cli/subcommands.hpp"
#include "server/key_rotation.hpp"
#include "server/serve.hpp"

namespace patchbay::cli {

Action add_rotate_key(CLI::App& app) {
  struct Options {
    server::DataOptions data;
    std::string new_key;
  };
  auto options = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("rotate-key", "Re-encrypt every stored secret under a new master key");
  add_data_options(*cmd, options->data);
  cmd->add_option("--new-key", options->new_key,
                  "The new key, when PATCHBAY_MASTER_KEY holds the current one (patchbay keygen)");
  return [options](core::Logger&) {
    std::optional<secrets::MasterKey> new_key;
    if (!options->new_key.empty()) {
      auto parsed = secrets::MasterKey::parse(options->new_key);
      if (!parsed) {
        std::cerr << "patchbay rotate-key: --new-key: " << parsed.error().message << "\n";
        return kExitUsage;
      }
      new_key = std::move(*parsed);
    }
    auto store = server::open_data_store(options->data);
    if (!store) {
      std::cerr << "patchbay rotate-key: " << store.error().message << "\n";
      return kExitFailure;
    }
    auto report = server::rotate_master_key(**store, options->data.data_dir, std::move(new_key));
    if (!report) {
      std::cerr << "patchbay rotate-key: " << report.error().message << "\n";
      return kExitFailure;
    }
    std::cout << "re-sealed " << report->values << " secret value(s) in " << report->connectors
              << " connector(s): key " << report->old_key_id << " -> " << report->new_key_id
              << "\n";
    if (!options->new_key.empty()) {
      std::cout << "now set " << secrets::kMasterKeyEnv
                << " to the new key and restart the server\n";
    } else {
      std::cout << "restart a running server so it seals with the new key\n";
    }
    return kExitOk;
  };
}

}  // namespace patchbay::cli
