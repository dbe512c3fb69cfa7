#include "agent/runner.hpp"

#include "connectors/runnable.hpp"
#include "dispatch/dispatch.hpp"

namespace patchbay::agent {

namespace json = boost::json;

CommandRunner::CommandRunner(std::size_t threads, core::Logger& logger) : logger_(logger) {
  threads = std::max<std::size_t>(1, threads);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

CommandRunner::~CommandRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void CommandRunner::submit(Command command, Reply reply) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() < kMaxQueued) {
      queue_.push_back(Job{std::move(command), std::move(reply)});
      wake_.notify_one();
      return;
    }
  }
  reply(response_message(
      command.id, core::failure_result("the agent is busy: " + std::to_string(kMaxQueued) +
                                       " commands are already waiting; try again later")));
}

std::size_t CommandRunner::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

void CommandRunner::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    run(job);
    std::lock_guard lock(mutex_);
    --running_;
  }
}

core::Result<std::shared_ptr<const core::ConnectorDefinition>> CommandRunner::runnable(
    const Command& command) {
  auto key = command.definition_hash + "\n" + command.signing_secret;
  {
    std::lock_guard lock(mutex_);
    if (auto found = definitions_.find(key); found != definitions_.end()) {
      recency_.splice(recency_.begin(), recency_, found->second.second);
      return found->second.first;
    }
  }
  if (!command.definition) return std::shared_ptr<const core::ConnectorDefinition>();
  if (definition_hash(*command.definition) != command.definition_hash) {
    return core::Error{core::ErrorCode::InvalidArgument,
                       "the definition sent does not match its hash", {}};
  }
  auto parsed = core::parse_connector_definition(json::value(*command.definition));
  if (!parsed) return parsed.error();
  auto def = connectors::runnable(std::move(*parsed),
                                  {.signing_secret = command.signing_secret});
  if (!def) return def.error();
  std::lock_guard lock(mutex_);
  recency_.push_front(key);
  definitions_[key] = {*def, recency_.begin()};
  while (definitions_.size() > kMaxDefinitions) {
    definitions_.erase(recency_.back());
    recency_.pop_back();
  }
  return *def;
}

void CommandRunner::run(Job& job) {
  const auto& command = job.command;
  try {
    auto def = runnable(command);
    if (!def) {
      job.reply(response_message(
          command.id, core::failure_result("the agent cannot run connector '" + command.connector +
                                           "': " + def.error().message)));
      return;
    }
    if (!*def) {
      job.reply(need_definition_message(command.id));
      return;
    }
    core::ConnectorContext context;
    context.config = command.params;
    if (!command.command.empty()) context.config["command"] = command.command;
    context.connector_config = command.config;
    context.variables = command.variables;
    context.step_id = command.step_id;
    context.run_id = command.run_id;
    context.mock = command.mock;
    logger_.debug("running command",
                  {{"id", command.id}, {"connector", command.connector}, {"command", command.command}});
    auto result = dispatch::execute_definition(**def, context, logger_);
    job.reply(response_message(command.id, result));
  } catch (const std::exception& error) {
    // The one catch-all of this entry point: whatever went wrong, the server gets
    // an answer instead of waiting for its timeout.
    logger_.error("command failed unexpectedly", {{"id", command.id}, {"error", error.what()}});
    job.reply(response_message(command.id,
                               core::failure_result(std::string("internal agent error: ") +
                                                    error.what())));
  }
}

}  // namespace patchbay::agent
