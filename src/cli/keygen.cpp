// patchbay keygen [--out FILE]: makes a new master key for encrypting secrets at
// rest. With --out it writes a key file (mode 0600, never over an existing one);
// without, it prints the key for PATCHBAY_MASTER_KEY.

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/subcommands.hpp"
#include "secrets/secrets.hpp"

namespace patchbay::cli {

Action add_keygen(CLI::App& app) {
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("keygen", "Make a new master key for secrets at rest");
  cmd->add_option("--out", *out, "Write it to this key file (mode 0600) instead of printing it");
  return [out](core::Logger&) {
    if (out->empty()) {
      std::cout << secrets::MasterKey::generate().to_text() << "\n";
      return kExitOk;
    }
    auto key = secrets::write_new_key_file(*out);
    if (!key) {
      std::cerr << "patchbay keygen: " << key.error().message << "\n";
      return kExitFailure;
    }
    std::cout << "wrote key " << key->id() << " to " << *out << "\n";
    return kExitOk;
  };
}

}  // namespace patchbay::cli
