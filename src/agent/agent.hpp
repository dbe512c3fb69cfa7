#pragma once
// The `patchbay agent` process (seed 001 "On-Premise Agent"): it connects out
// to the server's WebSocket endpoint, registers with an agent token, runs the
// commands the server sends through CommandRunner and answers each one. It
// reconnects with exponential backoff (with jitter, capped) whenever the
// connection drops, and registers again, so a server restart costs a few
// seconds, not an operator. A refusal (bad token, not an agent token, bad
// registration) is a configuration error: the agent stops and says why.
//
// Thread-safety: run_agent() blocks its caller until `stop` is set.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/logger.hpp"

namespace patchbay::agent {

struct AgentOptions {
  std::string server_url;  // ws(s)://host:port/api/connectors/agents/ws
  std::string token;       // an agent token (patchbay token create --role agent)
  std::string id;
  std::string name;
  std::vector<std::string> connectors;
  std::string ca_file;  // extra CA bundle for wss
  std::size_t concurrency = 16;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::seconds idle_timeout{30};
  // How often the agent tells the server it is alive and how busy it is.
  std::chrono::seconds status_interval{10};
};

// Exit codes of run_agent.
inline constexpr int kAgentStopped = 0;   // `stop` was set
inline constexpr int kAgentRefused = 3;   // the server refused the registration

// Runs until `stop` is set or the server refuses the agent. Each registration is
// announced on `out` ("registered with <url> as <id> ...") for operators and tests.
int run_agent(const AgentOptions& options, core::Logger& logger, std::ostream& out,
              const std::atomic<bool>& stop);

}  // namespace patchbay::agent
