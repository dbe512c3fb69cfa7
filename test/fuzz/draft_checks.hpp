#pragma once
// Checks both draft-making fuzz targets (oas_import, describe) make of a draft.

#include <boost/json/object.hpp>

#include "core/check.hpp"
#include "oas/oas.hpp"

namespace patchbay::fuzz {

// oas::to_json is the definition unchanged plus every warning.
inline void check_to_json(const oas::Draft& draft) {
  boost::json::object out = oas::to_json(draft);
  const auto* warnings = out.if_contains("warnings");
  PATCHBAY_CHECK(
      warnings && warnings->is_array() && warnings->get_array().size() == draft.warnings.size(),
      "to_json must carry every warning");
  out.erase("warnings");
  PATCHBAY_CHECK(out == draft.definition, "to_json must not change the definition");
}

}  // namespace patchbay::fuzz
