#pragma once
// The generated connector script: one function per command, each a line that
// hands its operation's descriptor (method, path, where each param travels, body
// encoding, security) to a shared runtime written once, in JavaScript, for the
// floh.* API. Descriptors keep the script small (GitHub's 1,200 operations fit in
// a few hundred KiB) and easy to read and edit.

#include <string>
#include <vector>

#include "oas/model.hpp"

namespace patchbay::oas {

// `test_operation` (may be null) backs the `test` command.
std::string generate_script(const Model& model, const std::vector<const Operation*>& operations,
                            const Operation* test_operation);

}  // namespace patchbay::oas
