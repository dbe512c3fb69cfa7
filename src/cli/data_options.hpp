#pragma once
// --data-dir / --db, shared by serve, token and rotate-key so they all find the
// same store (also as PATCHBAY_DATA_DIR / PATCHBAY_DB).

#include <string>

namespace CLI {
class App;
}

namespace patchbay::server {
struct DataOptions;
}

namespace patchbay::cli {

void add_data_options(CLI::App& command, server::DataOptions& options);

}  // namespace patchbay::cli
