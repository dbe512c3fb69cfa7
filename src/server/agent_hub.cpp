#include "server/agent_hub.hpp"

#include <algorithm>
#include <set>

#include "server/http_server.hpp"
#include "store/store.hpp"

namespace patchbay::server {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using agent::CloseCode;

namespace {

void close_with(WebSocketConnection& connection, CloseCode code, std::string reason) {
  if (reason.size() > 123) reason.resize(123);  // the most a close frame carries
  connection.close(static_cast<std::uint16_t>(code), std::move(reason));
}

}  // namespace

struct AgentHub::Pending {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<core::ConnectorResult> result;
  agent::Command command;
  json::object definition;  // for a need_definition
};

struct AgentHub::Agent {
  std::string id;
  std::string name;
  std::vector<std::string> connectors;
  std::string token_name;
  std::string version;
  std::string remote_address;
  std::shared_ptr<Listener> listener;  // null while offline
  std::string connected_at;
  std::string last_seen_at;
  std::string disconnected_at;
  std::string disconnect_reason;
  std::size_t reported_running = 0;
  std::uint64_t commands = 0;
  std::set<std::string> sent_definitions;  // hashes this connection holds
  std::map<std::string, std::shared_ptr<Pending>> pending;  // by command id

  bool claims(std::string_view connector) const {
    return std::find(connectors.begin(), connectors.end(), connector) != connectors.end();
  }
};

class AgentHub::Listener : public WebSocketListener,
                           public std::enable_shared_from_this<Listener> {
 public:
  Listener(AgentHub& hub, std::shared_ptr<WebSocketConnection> socket)
      : connection(std::move(socket)), opened(Clock::now()), hub_(hub) {}
  void on_message(std::string text) override { hub_.on_message(shared_from_this(), std::move(text)); }
  void on_close(std::string why) override { hub_.on_close(shared_from_this(), why); }

  const std::shared_ptr<WebSocketConnection> connection;
  const Clock::time_point opened;
  // Guarded by the hub's mutex.
  std::string agent_id;  // set once registered
  bool registering = false;
  bool closed = false;

 private:
  AgentHub& hub_;
};

AgentHub::AgentHub(Authenticate authenticate, core::Logger& logger, AgentHubOptions options)
    : authenticate_(std::move(authenticate)), logger_(logger), options_(std::move(options)) {
  control_ = std::thread([this] { control_loop(); });
}

AgentHub::~AgentHub() { stop(); }

std::shared_ptr<WebSocketListener> AgentHub::accept(
    std::shared_ptr<WebSocketConnection> connection) {
  auto listener = std::make_shared<Listener>(*this, std::move(connection));
  std::lock_guard lock(mutex_);
  if (stopped_) return nullptr;
  std::erase_if(unregistered_, [](const auto& weak) { return weak.expired(); });
  unregistered_.push_back(listener);
  return listener;
}

void AgentHub::on_message(const std::shared_ptr<Listener>& listener, std::string text) {
  std::unique_lock lock(mutex_);
  if (listener->agent_id.empty()) {
    if (listener->registering) {
      close_with(*listener->connection, CloseCode::InvalidMessage,
                 "wait for 'registered' before sending more");
      return;
    }
    auto registration = agent::parse_registration(text);
    if (!registration) {
      logger_.warn("agent registration refused",
                   {{"remote", listener->connection->remote_address()},
                    {"error", registration.error().message}});
      close_with(*listener->connection, CloseCode::InvalidMessage, registration.error().message);
      return;
    }
    listener->registering = true;
    lock.unlock();
    post([this, listener, reg = std::move(*registration)]() mutable {
      register_agent(listener, std::move(reg));
    });
    return;
  }
  auto found = agents_.find(listener->agent_id);
  if (found == agents_.end() || found->second->listener != listener) return;  // replaced
  auto& agent = *found->second;
  agent.last_seen_at = store::now_rfc3339();
  auto message = agent::parse_message(text);
  if (!message) {
    logger_.warn("unreadable message from agent",
                 {{"agentId", agent.id}, {"error", message.error().message}});
    return;
  }
  auto type = message->at("type").as_string();
  if (type == "response") {
    on_response(agent, *message);
  } else if (type == "need_definition") {
    if (const auto* id = message->if_contains("id"); id && id->is_string()) {
      resend_definition(agent, std::string(id->get_string()));
    }
  } else if (type == "status") {
    if (const auto* running = message->if_contains("running"); running && running->is_int64()) {
      agent.reported_running = static_cast<std::size_t>(std::max<std::int64_t>(0, running->get_int64()));
    }
  } else {
    logger_.debug("ignoring agent message of unknown type", {{"agentId", agent.id}, {"type", type}});
  }
}

void AgentHub::register_agent(const std::shared_ptr<Listener>& listener,
                              agent::Registration registration) {
  auto principal = authenticate_(registration.api_token);
  auto& connection = *listener->connection;
  if (!principal) {
    logger_.warn("agent registration refused: invalid token",
                 {{"agentId", registration.agent_id}, {"remote", connection.remote_address()}});
    close_with(connection, CloseCode::InvalidToken, "invalid agent token: " + principal.error().message);
    return;
  }
  if (principal->role != store::Role::Agent) {
    logger_.warn("agent registration refused: not an agent token",
                 {{"agentId", registration.agent_id}, {"token", principal->name}});
    close_with(connection, CloseCode::NotAnAgentToken,
               "token '" + principal->name + "' has role '" +
                   std::string(store::to_string(principal->role)) +
                   "'; agents need one with role agent");
    return;
  }
  std::lock_guard lock(mutex_);
  if (listener->closed || stopped_) return;
  auto& slot = agents_[registration.agent_id];
  if (!slot) slot = std::make_shared<Agent>();
  auto& agent = *slot;
  if (agent.listener && agent.listener != listener) {
    // The newest connection wins: the old one is usually an agent that restarted
    // before its dead connection was noticed.
    fail_pending(agent, "agent '" + agent.id + "' reconnected while running the command");
    close_with(*agent.listener->connection, CloseCode::Replaced,
               "replaced by a new connection of the same agent");
    agent.listener->agent_id.clear();
  }
  agent.id = registration.agent_id;
  agent.name = std::move(registration.agent_name);
  agent.connectors = std::move(registration.connector_names);
  agent.token_name = principal->name;
  agent.version = std::move(registration.version);
  agent.remote_address = connection.remote_address();
  agent.listener = listener;
  agent.connected_at = agent.last_seen_at = store::now_rfc3339();
  agent.disconnected_at.clear();
  agent.disconnect_reason.clear();
  agent.sent_definitions.clear();
  agent.reported_running = 0;
  listener->agent_id = agent.id;
  listener->registering = false;
  any_agents_ = true;
  connection.send(agent::registered_message(agent.id, options_.server_version));
  logger_.info("agent registered", {{"agentId", agent.id},
                                    {"agentName", agent.name},
                                    {"connectors", agent.connectors.size()},
                                    {"remote", agent.remote_address}});
}

void AgentHub::on_close(const std::shared_ptr<Listener>& listener, const std::string& why) {
  std::lock_guard lock(mutex_);
  listener->closed = true;
  if (listener->agent_id.empty()) return;
  auto found = agents_.find(listener->agent_id);
  if (found == agents_.end() || found->second->listener != listener) return;
  auto& agent = *found->second;
  agent.listener.reset();
  agent.disconnected_at = store::now_rfc3339();
  agent.disconnect_reason = why;
  fail_pending(agent, "agent '" + agent.id + "' disconnected while running the command (" + why + ")");
  logger_.warn("agent disconnected", {{"agentId", agent.id}, {"why", why}});
}

void AgentHub::fail_pending(Agent& agent, const std::string& why) {
  for (auto& [id, pending] : agent.pending) {
    std::lock_guard lock(pending->mutex);
    if (!pending->result) pending->result = core::failure_result(why, json::object{{"agentId", agent.id}});
    pending->done.notify_all();
  }
  agent.pending.clear();
}

void AgentHub::on_response(Agent& agent, const json::object& message) {
  const auto* id = message.if_contains("id");
  if (id == nullptr || !id->is_string()) return;
  auto found = agent.pending.find(std::string(id->get_string()));
  if (found == agent.pending.end()) {
    logger_.debug("late answer from agent (its command already timed out)",
                  {{"agentId", agent.id}, {"id", *id}});
    return;
  }
  auto pending = found->second;
  agent.pending.erase(found);
  const auto* result = message.if_contains("result");
  // The agent's answer is held to the same slot rules as any other result.
  auto normalized = core::outcome_to_result(
      core::CommandOutcome(result ? *result : json::value(nullptr)));
  std::lock_guard lock(pending->mutex);
  pending->result = std::move(normalized);
  pending->done.notify_all();
}

void AgentHub::resend_definition(Agent& agent, const std::string& id) {
  auto found = agent.pending.find(id);
  if (found == agent.pending.end() || !agent.listener) return;
  auto command = found->second->command;
  command.definition = found->second->definition;
  agent.sent_definitions.insert(command.definition_hash);
  agent.listener->connection->send(agent::command_message(command));
}

std::optional<std::string> AgentHub::route(std::string_view bound_agent,
                                           std::string_view connector_name) const {
  if (!bound_agent.empty()) return std::string(bound_agent);
  if (!any_agents_) return std::nullopt;
  std::lock_guard lock(mutex_);
  const Agent* offline_claimant = nullptr;
  for (const auto& [id, agent] : agents_) {
    if (!agent->claims(connector_name)) continue;
    if (agent->listener) return id;
    if (offline_claimant == nullptr) offline_claimant = agent.get();
  }
  if (offline_claimant != nullptr) return offline_claimant->id;
  return std::nullopt;
}

core::ConnectorResult AgentHub::execute(const std::string& agent_id, agent::Command command,
                                        const json::object& definition) {
  auto pending = std::make_shared<Pending>();
  auto timeout = std::chrono::milliseconds(command.timeout_ms) + options_.round_trip_grace;
  {
    std::lock_guard lock(mutex_);
    auto found = agents_.find(agent_id);
    if (found == agents_.end()) {
      return core::failure_result("agent '" + agent_id +
                                      "' is not connected: it has not registered since this "
                                      "server started",
                                  json::object{{"agentId", agent_id}});
    }
    auto& agent = *found->second;
    if (!agent.listener) {
      return core::failure_result("agent '" + agent_id + "' is offline since " +
                                      agent.disconnected_at + " (" + agent.disconnect_reason + ")",
                                  json::object{{"agentId", agent_id}});
    }
    if (agent.pending.size() >= options_.max_in_flight) {
      return core::failure_result("agent '" + agent_id + "' already has " +
                                      std::to_string(agent.pending.size()) +
                                      " commands in flight; try again later",
                                  json::object{{"agentId", agent_id}});
    }
    command.id = "cmd-" + std::to_string(++next_command_);
    if (agent.sent_definitions.insert(command.definition_hash).second) {
      command.definition = definition;
    }
    pending->command = command;
    pending->command.definition.reset();
    pending->definition = definition;
    agent.pending[command.id] = pending;
    ++agent.commands;
    agent.listener->connection->send(agent::command_message(command));
  }
  std::unique_lock wait(pending->mutex);
  if (pending->done.wait_for(wait, timeout, [&] { return pending->result.has_value(); })) {
    return std::move(*pending->result);
  }
  wait.unlock();
  std::lock_guard lock(mutex_);
  if (auto found = agents_.find(agent_id); found != agents_.end()) {
    found->second->pending.erase(command.id);
  }
  std::lock_guard again(pending->mutex);
  if (pending->result) return std::move(*pending->result);  // answered just now
  return core::failure_result(
      "agent '" + agent_id + "' did not answer within " + std::to_string(timeout.count()) + " ms",
      json::object{{"agentId", agent_id}, {"reason", "timeout"}});
}

json::array AgentHub::list() const {
  std::lock_guard lock(mutex_);
  json::array out;
  for (const auto& [id, agent] : agents_) {
    json::array connectors;
    for (const auto& name : agent->connectors) connectors.emplace_back(name);
    json::object view{{"agentId", agent->id},
                      {"agentName", agent->name},
                      {"status", agent->listener ? "online" : "offline"},
                      {"connectorNames", std::move(connectors)},
                      {"connectedAt", agent->connected_at},
                      {"lastSeenAt", agent->last_seen_at},
                      {"remoteAddress", agent->remote_address},
                      {"version", agent->version},
                      {"token", agent->token_name},
                      {"inFlight", agent->pending.size()},
                      {"running", agent->reported_running},
                      {"commands", agent->commands}};
    if (!agent->listener) {
      view["disconnectedAt"] = agent->disconnected_at;
      view["disconnectReason"] = agent->disconnect_reason;
    }
    out.push_back(std::move(view));
  }
  return out;
}

core::Result<void> AgentHub::forget(std::string_view agent_id) {
  std::lock_guard lock(mutex_);
  auto found = agents_.find(agent_id);
  if (found == agents_.end()) {
    return core::Error{core::ErrorCode::NotFound,
                       "agent '" + std::string(agent_id) + "' is not known", {}};
  }
  if (found->second->listener) {
    return core::Error{core::ErrorCode::Conflict,
                       "agent '" + std::string(agent_id) +
                           "' is online; stop it before forgetting it",
                       {}};
  }
  agents_.erase(found);
  logger_.info("agent forgotten", {{"agentId", agent_id}});
  return {};
}

void AgentHub::post(std::function<void()> task) {
  std::lock_guard lock(tasks_mutex_);
  tasks_.push_back(std::move(task));
  tasks_changed_.notify_one();
}

void AgentHub::control_loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(tasks_mutex_);
      tasks_changed_.wait_for(lock, std::chrono::milliseconds(250),
                              [this] { return tasks_stopping_ || !tasks_.empty(); });
      if (tasks_stopping_) return;
      if (!tasks_.empty()) {
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
    }
    if (task) {
      try {
        task();
      } catch (const std::exception& error) {
        logger_.error("agent registration failed", {{"error", error.what()}});
      }
    }
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    std::erase_if(unregistered_, [&](const std::weak_ptr<Listener>& weak) {
      auto listener = weak.lock();
      if (!listener || listener->closed || !listener->agent_id.empty()) return true;
      if (listener->registering || now - listener->opened < options_.registration_timeout) {
        return false;
      }
      close_with(*listener->connection, CloseCode::RegistrationTimeout,
                 "no registration message within " +
                     std::to_string(options_.registration_timeout.count()) + " ms");
      return true;
    });
  }
}

void AgentHub::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      stopped_ = true;
      for (auto& [id, agent] : agents_) {
        fail_pending(*agent, "the server is stopping");
        if (agent->listener) agent->listener->connection->close(1001, "server stopping");
      }
    }
  }
  {
    std::lock_guard lock(tasks_mutex_);
    tasks_stopping_ = true;
    tasks_changed_.notify_all();
  }
  if (control_.joinable()) control_.join();
}

}  // namespace patchbay::server
