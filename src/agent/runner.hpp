#pragma once
// CommandRunner: how an agent runs the commands the server sends, through the
// same dispatcher the server uses (dispatch::execute_definition): built-in
// handlers from this binary's registry, script and oas connectors in the
// SpiderMonkey sandbox, external connectors through the protocol 2.0 client.
// Every outbound call goes through this process's HTTP client, so the agent's
// own allow-list decides what it may reach.
//
// Commands run on a fixed pool of threads; several run at once, and each answer
// carries the id of its command, so answers may come back in any order. Runnable
// definitions are kept by hash (the most recent kMaxDefinitions); a command naming
// a hash the runner no longer has is answered with need_definition.
//
// Thread-safety: submit() may be called from any thread; replies are made on
// pool threads.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "agent/protocol.hpp"
#include "core/connector_definition.hpp"
#include "core/logger.hpp"

namespace patchbay::agent {

class CommandRunner {
 public:
  static constexpr std::size_t kMaxDefinitions = 256;
  static constexpr std::size_t kMaxQueued = 1024;

  // Sends one message back to the server.
  using Reply = std::function<void(std::string message)>;

  CommandRunner(std::size_t threads, core::Logger& logger);
  // Finishes the commands already running; queued ones are dropped.
  ~CommandRunner();
  CommandRunner(const CommandRunner&) = delete;
  CommandRunner& operator=(const CommandRunner&) = delete;

  // Queues the command; its answer (response or need_definition) goes to `reply`.
  // A full queue answers at once with a failure saying the agent is busy.
  void submit(Command command, Reply reply);

  // Commands queued or running.
  std::size_t pending() const;

 private:
  struct Job {
    Command command;
    Reply reply;
  };
  void work();
  void run(Job& job);
  // The runnable definition for a command: cached, built from the definition it
  // carries, or null when neither (the caller asks for the definition).
  core::Result<std::shared_ptr<const core::ConnectorDefinition>> runnable(const Command& command);

  core::Logger& logger_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  // Cache: key (hash, plus the signing secret for external connectors) -> definition,
  // with recency order for eviction.
  std::unordered_map<std::string, std::pair<std::shared_ptr<const core::ConnectorDefinition>,
                                            std::list<std::string>::iterator>>
      definitions_;
  std::list<std::string> recency_;
  std::vector<std::thread> threads_;
};

}  // namespace patchbay::agent
