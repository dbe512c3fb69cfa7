#pragma once
// A command's options from a TOML file: each top-level key names a long option
// ("listen", "data-dir" or "data_dir") and gives its value. The command line and
// PATCHBAY_* variables win over the file; unknown keys and values that do not fit
// the option are errors naming the key.

#include <string>

#include "core/result.hpp"

namespace CLI {
class App;
}

namespace patchbay::cli {

core::Result<void> apply_config_file(CLI::App& command, const std::string& path);

}  // namespace patchbay::cli
