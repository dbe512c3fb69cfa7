#pragma once
// Internal helpers shared by the ConnectorService files: reading stored
// definitions back, the connection fields that decide what is secret, the API
// view of a connector, and error builders.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/connector_definition.hpp"
#include "core/error.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace patchbay::server::support {

// A stored definition, parsed. Internal when the stored JSON no longer parses
// (written by an incompatible version, or edited by hand).
core::Result<core::ConnectorDefinition> stored_definition(const store::ConnectorRecord& record);

// The connection fields that apply to a connector: a built-in instance's come
// from its registered handler, everything else's from its own configSchema.
std::vector<core::FieldSpec> connection_fields(const core::ConnectorDefinition& definition);

// Where an external connector's request-signing secret is kept: in the stored
// config, sealed like a secret field, under a key no connection field can have.
inline constexpr std::string_view kSigningSecretKey = "$signingSecret";

// The spec kSigningSecretKey is sealed and opened with.
core::FieldSpec signing_secret_field();

// Every config key sealed at rest: the secret connection fields, plus an
// external connector's signing secret.
std::vector<core::FieldSpec> sealed_fields(const core::ConnectorDefinition& definition);

// The API's view: the definition's keys plus id, config (secrets masked),
// revision, createdAt and updatedAt; for external connectors signingSecret
// {set: bool} (never the value). `fields` are the sealed_fields().
boost::json::object connector_view(const store::ConnectorRecord& record,
                                   const std::vector<core::FieldSpec>& fields);

// InvalidArgument with one {path, message} problem in its details.
core::Error invalid_field(std::string path, std::string message);
core::Error invalid(std::string message);

// Object members of a request body, with unknown keys reported as errors.
core::Result<const boost::json::object*> body_object(const boost::json::value& body,
                                                     std::string_view what);

}  // namespace patchbay::server::support
