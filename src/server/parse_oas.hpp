#pragma once
// POST /api/connectors/parse-oas: {spec, select?, name?} -> the draft connector
// (oas::to_json). The body is parsed here rather than by ApiServer, with the
// importer's nesting limit (descriptions nest deeper than ordinary requests may)
// into one arena freed with the request.

#include <cstddef>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace patchbay::server {

// InvalidArgument (400) for a body that is not {spec: object|string, select?:
// [string], name?: string} and for every description the importer refuses.
// `max_bytes` bounds a description given as text.
core::Result<boost::json::value> parse_oas(std::string_view body, std::size_t max_bytes);

}  // namespace patchbay::server
