#include "agent/agent.hpp"

#include <condition_variable>
#include <mutex>
#include <ostream>
#include <random>
#include <thread>

#include "agent/protocol.hpp"
#include "agent/runner.hpp"
#include "agent/websocket_client.hpp"

namespace patchbay::agent {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kClosedByServer = "closed by the server: ";

// What one connection's callbacks tell the loop.
struct Connection {
  std::mutex mutex;
  std::condition_variable changed;
  bool registered = false;
  bool closed = false;
  std::string why;
  // The client, for replies made on runner threads after the loop let go of it.
  std::weak_ptr<WebSocketClient> client;
};

// The close code in an on_close reason from the server, or 0.
std::uint16_t server_close_code(std::string_view why) {
  if (!why.starts_with(kClosedByServer)) return 0;
  why.remove_prefix(kClosedByServer.size());
  std::uint16_t code = 0;
  for (char c : why) {
    if (c < '0' || c > '9') break;
    code = static_cast<std::uint16_t>(code * 10 + (c - '0'));
  }
  return code;
}

void on_message(const std::shared_ptr<Connection>& connection, CommandRunner& runner,
                core::Logger& logger, std::string text) {
  auto message = parse_message(text);
  if (!message) {
    logger.warn("ignoring a message from the server", {{"error", message.error().message}});
    return;
  }
  auto type = message->at("type").as_string();
  if (type == "registered") {
    std::lock_guard lock(connection->mutex);
    connection->registered = true;
    connection->changed.notify_all();
  } else if (type == "command") {
    auto command = parse_command(*message);
    if (!command) {
      logger.warn("ignoring a command the agent cannot read",
                  {{"error", command.error().message}});
      return;
    }
    std::weak_ptr<WebSocketClient> client = connection->client;
    runner.submit(std::move(*command), [client](std::string reply) {
      // After a reconnect the answer is dropped: the server already failed the
      // command when the old connection went away.
      if (auto live = client.lock()) live->send(std::move(reply));
    });
  } else {
    logger.debug("ignoring a message of unknown type", {{"type", type}});
  }
}

// Waits `delay` unless `stop` is set first.
void pause(milliseconds delay, const std::atomic<bool>& stop) {
  auto until = Clock::now() + delay;
  while (!stop && Clock::now() < until) std::this_thread::sleep_for(milliseconds(50));
}

}  // namespace

int run_agent(const AgentOptions& options, core::Logger& logger, std::ostream& out,
              const std::atomic<bool>& stop) {
  CommandRunner runner(options.concurrency, logger);
  Registration registration{.agent_id = options.id,
                            .agent_name = options.name,
                            .connector_names = options.connectors,
                            .api_token = options.token,
                            .version = PATCHBAY_VERSION};
  std::minstd_rand jitter{std::random_device{}()};
  auto backoff = options.initial_backoff;
  auto wait_before_retry = [&](std::string_view what, const std::string& why) {
    std::uniform_real_distribution<double> spread(0.5, 1.0);
    auto delay = milliseconds(static_cast<long long>(static_cast<double>(backoff.count()) *
                                                     spread(jitter)));
    logger.warn(what, {{"server", options.server_url}, {"why", why}, {"retryInMs", delay.count()}});
    pause(delay, stop);
    backoff = std::min(options.max_backoff, backoff * 2);
  };

  while (!stop) {
    auto connection = std::make_shared<Connection>();
    auto client = std::make_shared<WebSocketClient>(
        WebSocketClientOptions{.url = options.server_url,
                               .ca_file = options.ca_file,
                               .idle_timeout = options.idle_timeout},
        WebSocketClient::Callbacks{
            .on_message =
                [connection, &runner, &logger](std::string text) {
                  on_message(connection, runner, logger, std::move(text));
                },
            .on_close =
                [connection](std::string why) {
                  std::lock_guard lock(connection->mutex);
                  connection->closed = true;
                  connection->why = std::move(why);
                  connection->changed.notify_all();
                }});
    connection->client = client;
    if (auto connected = client->connect(); !connected) {
      if (connected.error().code == core::ErrorCode::InvalidArgument) {
        logger.error("cannot connect to the server", {{"error", connected.error().message}});
        return kAgentRefused;
      }
      wait_before_retry("cannot reach the server, trying again", connected.error().message);
      continue;
    }
    client->send(registration_message(registration));

    bool announced = false;
    auto next_status = Clock::now() + options.status_interval;
    std::unique_lock lock(connection->mutex);
    while (!connection->closed && !stop) {
      connection->changed.wait_for(lock, milliseconds(100));
      if (connection->registered && !announced) {
        announced = true;
        backoff = options.initial_backoff;
        out << "registered with " << options.server_url << " as " << options.id << " ("
            << options.connectors.size() << " connectors)" << std::endl;
        logger.info("registered", {{"server", options.server_url}, {"agentId", options.id}});
      }
      if (announced && Clock::now() >= next_status) {
        next_status = Clock::now() + options.status_interval;
        client->send(status_message(runner.pending()));
      }
    }
    if (stop) {
      lock.unlock();
      client->close(1000, "agent stopping");
      break;
    }
    std::string why = connection->why;
    lock.unlock();
    if (auto code = server_close_code(why); is_refusal(code)) {
      logger.error("the server refused this agent", {{"why", why}});
      out << "refused by the server: " << why << std::endl;
      return kAgentRefused;
    }
    wait_before_retry("connection to the server lost, reconnecting", why);
  }
  return kAgentStopped;
}

}  // namespace patchbay::agent
