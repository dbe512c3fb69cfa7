#pragma once
// AgentHub: the server's side of on-premise agents. It takes the WebSocket
// connections at /api/connectors/agents/ws, registers agents (agent tokens only;
// anything else is closed with a reason code and leaves nothing behind), routes
// commands of the connectors bound to an agent to it, and matches each answer to
// the command waiting for it, several at once per agent.
//
// Routing: a connector runs on an agent when its definition names one
// ("agent": "<agentId>"), or when a registered agent lists its name in
// connectorNames. An agent stays known after it disconnects (status "offline"),
// so its connectors fail with a message saying so instead of running on the
// server. Agents are kept in memory: after a server restart they are known again
// as soon as they reconnect (they retry with backoff).
//
// Liveness: WebSocket pings (HttpServerOptions::websocket_idle_timeout) close
// the connection of an agent that stopped answering; status messages keep
// lastSeenAt current. A command whose agent disconnects fails at once; one
// that gets no answer in its timeout (plus a grace for the round trip) fails
// then. Nothing waits forever.
//
// Thread-safety: every member may be called concurrently. execute() blocks the
// calling (worker) thread until the answer or the timeout.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "agent/protocol.hpp"
#include "core/connector_result.hpp"
#include "core/logger.hpp"
#include "core/result.hpp"
#include "server/api.hpp"

namespace patchbay::server {

class WebSocketConnection;
class WebSocketListener;

struct AgentHubOptions {
  std::string server_version;
  // A connection that has not registered within this time is closed (4408).
  std::chrono::milliseconds registration_timeout{10'000};
  // Added to a command's timeout for the trip to the agent and back.
  std::chrono::milliseconds round_trip_grace{2'000};
  // Commands one agent may have in flight; more fail at once.
  std::size_t max_in_flight = 256;
};

class AgentHub {
 public:
  // Checks an agent's apiToken (an Authenticator in the server). Called on the
  // hub's own thread, never on an I/O thread.
  using Authenticate = std::function<core::Result<Principal>(std::string_view token)>;

  AgentHub(Authenticate authenticate, core::Logger& logger, AgentHubOptions options = {});
  ~AgentHub();  // stop()
  AgentHub(const AgentHub&) = delete;
  AgentHub& operator=(const AgentHub&) = delete;

  // For a new WebSocket connection at the agents endpoint.
  std::shared_ptr<WebSocketListener> accept(std::shared_ptr<WebSocketConnection> connection);

  // The agent a connector runs on, or nullopt when it runs here.
  std::optional<std::string> route(std::string_view bound_agent,
                                   std::string_view connector_name) const;

  // Sends one command to `agent_id` and waits for its answer. `command.id` and
  // `command.definition` are filled in here; `command.definition_hash` must be
  // agent::definition_hash(definition) (callers compute it once per definition).
  core::ConnectorResult execute(const std::string& agent_id, agent::Command command,
                                const boost::json::object& definition);

  // GET /api/agents: every agent known since this server started.
  boost::json::array list() const;
  // DELETE /api/agents/:id: forgets an offline agent, so the connectors it
  // claimed run here again. NotFound for an unknown agent, Conflict while online.
  core::Result<void> forget(std::string_view agent_id);

  // Fails every waiting command and closes every connection (1001).
  void stop();

 private:
  struct Pending;
  struct Agent;
  class Listener;
  friend class Listener;

  void on_message(const std::shared_ptr<Listener>& listener, std::string text);
  void on_close(const std::shared_ptr<Listener>& listener, const std::string& why);
  void register_agent(const std::shared_ptr<Listener>& listener, agent::Registration registration);
  void on_response(Agent& agent, const boost::json::object& message);
  void resend_definition(Agent& agent, const std::string& id);
  void fail_pending(Agent& agent, const std::string& why);
  // The hub's thread: registrations (token checks read the store) and the
  // registration deadline sweep.
  void control_loop();
  void post(std::function<void()> task);

  Authenticate authenticate_;
  core::Logger& logger_;
  AgentHubOptions options_;

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Agent>, std::less<>> agents_;  // by agentId
  std::vector<std::weak_ptr<Listener>> unregistered_;
  std::uint64_t next_command_ = 0;
  std::atomic<bool> any_agents_{false};  // lets route() skip the lock while none registered
  bool stopped_ = false;

  std::mutex tasks_mutex_;
  std::condition_variable tasks_changed_;
  std::deque<std::function<void()>> tasks_;
  bool tasks_stopping_ = false;
  std::thread control_;
};

}  // namespace patchbay::server
