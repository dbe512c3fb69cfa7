#pragma once
// Reads a description (Swagger 2.0 or OpenAPI 3.x) into the importer's Model:
// version, info, base URL, security schemes and one Operation per path x method,
// with params from path, query, header, cookie and the request body.

#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "oas/model.hpp"
#include "oas/refs.hpp"

namespace patchbay::oas {

// InvalidArgument when the document is not an OpenAPI description of a supported
// version; everything else the importer cannot use becomes a warning.
core::Result<Model> read_model(const boost::json::value& root, Resolver& resolver);

}  // namespace patchbay::oas
