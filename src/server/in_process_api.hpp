#pragma once
// The REST API as an mcp::Api without HTTP: what the MCP tools call when they
// run inside patchbay.
//
// - InProcessApi: one caller's view of a running ApiServer (serve's /mcp: the
//   token of the MCP request decides what each tool may do).
// - LocalApi: a whole API stack over a data directory, without listening, for
//   `patchbay mcp --data-dir`. Whoever can read the data directory and its key
//   owns the installation, so its calls are made as an admin ("mcp (local)").
//   A server may run on the same store meanwhile (SQLite WAL, or PostgreSQL).

#include <memory>

#include "core/logger.hpp"
#include "mcp/api.hpp"
#include "server/api.hpp"

namespace patchbay::server {

class ApiServer;
struct DataOptions;

class InProcessApi : public mcp::Api {
 public:
  InProcessApi(ApiServer& api, Principal caller) : api_(api), caller_(std::move(caller)) {}

  core::Result<mcp::ApiReply> call(std::string_view method, std::string_view target,
                                   const boost::json::value& body) override;

 private:
  ApiServer& api_;
  Principal caller_;
};

class LocalApi : public mcp::Api {
 public:
  // Opens the store and the keyring (as `patchbay serve` would) and stores the
  // built-in types a new store lacks.
  static core::Result<std::unique_ptr<LocalApi>> open(const DataOptions& data,
                                                      core::Logger& logger);
  ~LocalApi() override;

  core::Result<mcp::ApiReply> call(std::string_view method, std::string_view target,
                                   const boost::json::value& body) override;

 private:
  struct Stack;
  explicit LocalApi(std::unique_ptr<Stack> stack);
  std::unique_ptr<Stack> stack_;
};

}  // namespace patchbay::server
