#include "server/in_process_api.hpp"

#include <optional>

#include <boost/json/serialize.hpp>

#include "secrets/secrets.hpp"
#include "server/api_server.hpp"
#include "server/connector_service.hpp"
#include "server/execution_recorder.hpp"
#include "server/metrics.hpp"
#include "server/serve.hpp"
#include "server/tokens.hpp"
#include "server/worker_pool.hpp"

#ifndef PATCHBAY_VERSION
#define PATCHBAY_VERSION "0.0.0"
#endif

namespace patchbay::server {

core::Result<mcp::ApiReply> InProcessApi::call(std::string_view method, std::string_view target,
                                               const boost::json::value& body) {
  auto response = api_.call(caller_, method, target,
                            body.is_null() ? std::string() : boost::json::serialize(body));
  mcp::ApiReply reply{.status = response.status, .body = std::move(response.body)};
  if (reply.body.is_null() && !response.text.empty()) reply.body = response.text;
  return reply;
}

// Members in construction order; destroyed in reverse, the API first.
struct LocalApi::Stack {
  std::unique_ptr<store::Store> store;
  std::optional<secrets::Keyring> keyring;
  Metrics metrics;
  std::unique_ptr<ExecutionRecorder> recorder;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<ConnectorService> connectors;
  // ApiServer needs a pool; in-process calls run on the caller's thread.
  WorkerPool workers{1, 1};
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<InProcessApi> caller;
};

core::Result<std::unique_ptr<LocalApi>> LocalApi::open(const DataOptions& data,
                                                       core::Logger& logger) {
  auto store = open_data_store(data);
  if (!store) return store.error();
  auto keyring = secrets::load_keyring(data.data_dir);
  if (!keyring) return keyring.error();

  auto stack = std::make_unique<Stack>();
  stack->store = std::move(*store);
  stack->keyring.emplace(std::move(*keyring));
  stack->recorder = std::make_unique<ExecutionRecorder>(*stack->store);
  stack->auth = std::make_unique<Authenticator>(*stack->store);
  stack->connectors = std::make_unique<ConnectorService>(*stack->store, *stack->keyring,
                                                         *stack->recorder, stack->metrics, logger);
  if (auto seeded = stack->connectors->seed(false); !seeded) return seeded.error();
  stack->api = std::make_unique<ApiServer>(ApiDependencies{.connectors = *stack->connectors,
                                                           .store = *stack->store,
                                                           .auth = *stack->auth,
                                                           .metrics = stack->metrics,
                                                           .workers = stack->workers,
                                                           .logger = logger,
                                                           .version = PATCHBAY_VERSION});
  stack->caller = std::make_unique<InProcessApi>(
      *stack->api, Principal{.token_id = "local", .name = "mcp (local)", .role = store::Role::Admin});
  return std::unique_ptr<LocalApi>(new LocalApi(std::move(stack)));
}

LocalApi::LocalApi(std::unique_ptr<Stack> stack) : stack_(std::move(stack)) {}

LocalApi::~LocalApi() = default;

core::Result<mcp::ApiReply> LocalApi::call(std::string_view method, std::string_view target,
                                           const boost::json::value& body) {
  return stack_->caller->call(method, target, body);
}

}  // namespace patchbay::server
