#pragma once
// RemoteApi: the REST API of a running `patchbay serve`, over HTTP(S), for
// `patchbay mcp --server URL --token T`. This is patchbay's own control
// connection, not connector traffic: it goes where the operator points it
// (loopback included) without the outbound SSRF policy, follows no redirects
// (they would carry the token elsewhere), ignores proxy variables, and verifies
// TLS certificates (the system store, or --ca-file).
//
// Thread-safety: call() may be called concurrently; each call takes a
// connection from a small keep-alive pool.

#include <chrono>
#include <memory>
#include <string>

#include "mcp/api.hpp"

namespace patchbay::mcp {

struct RemoteApiOptions {
  // http(s)://host[:port][/prefix]; the API's paths are appended.
  std::string base_url;
  std::string token;
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10'000};
  // Executions may run long (a connector's own limit is at most 300 s).
  std::chrono::milliseconds timeout{330'000};
  std::size_t max_response_bytes = 256 * 1024 * 1024;
};

class RemoteApi : public Api {
 public:
  // InvalidArgument for a base URL that is not http(s) or carries credentials,
  // a query or a fragment.
  static core::Result<std::unique_ptr<RemoteApi>> open(RemoteApiOptions options);
  ~RemoteApi() override;

  core::Result<ApiReply> call(std::string_view method, std::string_view target,
                              const boost::json::value& body) override;

 private:
  explicit RemoteApi(RemoteApiOptions options);
  struct Pool;
  RemoteApiOptions options_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace patchbay::mcp
