// patchbay agent --server wss://host/api/connectors/agents/ws --token T --id ID
// --name NAME --connectors a,b [--allow 10.0.0.0/8] [--allow-ports 443,8443]
// [--ca-file ca.pem] [--concurrency 16]: the on-premise agent (agent/agent.hpp).
// --allow is this process's outbound allow-list (PATCHBAY_HTTP_ALLOW): what the
// agent may reach that the server cannot.

#include "agent/agent.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/config_file.hpp"
#include "cli/subcommands.hpp"
#include "core/connector_definition.hpp"
#include "http/ssrf_policy.hpp"

namespace patchbay::cli {
namespace {

std::atomic<bool> stop_requested{false};

extern "C" void request_stop(int) { stop_requested = true; }

}  // namespace

Action add_agent(CLI::App& app) {
  auto options = std::make_shared<agent::AgentOptions>();
  auto allow = std::make_shared<std::string>();
  auto allow_ports = std::make_shared<std::string>();
  auto config = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "agent", "Run an on-premise agent: run connector commands for a server, inside your network");
  cmd->add_option("--config", *config, "Read options from this TOML file (keys as the long options)")
      ->envname("PATCHBAY_AGENT_CONFIG");
  cmd->add_option("--server", options->server_url,
                  "The server's agent endpoint: wss://HOST/api/connectors/agents/ws (ws:// "
                  "without TLS)")
      ->envname("PATCHBAY_AGENT_SERVER");
  cmd->add_option("--token", options->token,
                  "An agent token (patchbay token create --role agent); prefer the environment "
                  "variable, command lines are visible to other users")
      ->envname("PATCHBAY_AGENT_TOKEN");
  cmd->add_option("--id", options->id, "This agent's id, unique per server (agent-prod-01)")
      ->envname("PATCHBAY_AGENT_ID");
  cmd->add_option("--name", options->name, "A name for people (\"Production Agent\")")
      ->envname("PATCHBAY_AGENT_NAME");
  cmd->add_option("--connectors", options->connectors,
                  "Connectors this agent runs, by name, comma-separated")
      ->envname("PATCHBAY_AGENT_CONNECTORS")
      ->delimiter(',');
  cmd->add_option("--allow", *allow,
                  "Private addresses this agent may reach: CIDRs, addresses, host names, "
                  "*.domain, comma-separated (default: PATCHBAY_HTTP_ALLOW)");
  cmd->add_option("--allow-ports", *allow_ports,
                  "Limit allow-listed destinations to these ports, comma-separated "
                  "(default: PATCHBAY_HTTP_ALLOW_PORTS)");
  cmd->add_option("--ca-file", options->ca_file,
                  "PEM CA bundle to trust for wss:// besides the system store")
      ->envname("PATCHBAY_AGENT_CA_FILE")
      ->check(CLI::ExistingFile);
  cmd->add_option("--concurrency", options->concurrency, "Commands run at once")
      ->envname("PATCHBAY_AGENT_CONCURRENCY")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  return [options, allow, allow_ports, config, cmd](core::Logger& logger) {
    if (!config->empty()) {
      if (auto applied = apply_config_file(*cmd, *config); !applied) {
        std::cerr << "patchbay agent: " << applied.error().message << "\n";
        return kExitUsage;
      }
    }
    // Checked here, not by the parser: the config file may be what supplies them.
    for (const auto& [flag, value] : {std::pair{"--server", &options->server_url},
                                      std::pair{"--token", &options->token},
                                      std::pair{"--id", &options->id}}) {
      if (value->empty()) {
        std::cerr << "patchbay agent: " << flag
                  << " is required (on the command line, in the environment or in --config)\n";
        return kExitUsage;
      }
    }
    if (!core::is_agent_id(options->id)) {
      std::cerr << "patchbay agent: --id must be 1-64 characters of letters, digits, '.', '_' "
                   "or '-'\n";
      return kExitUsage;
    }
    if (options->name.empty()) options->name = options->id;
    // The outbound client reads its policy from the environment on first use:
    // set it before anything runs, and check it now rather than on the first call.
    if (!allow->empty()) setenv(http::kAllowEnv, allow->c_str(), 1);
    if (!allow_ports->empty()) setenv(http::kAllowPortsEnv, allow_ports->c_str(), 1);
    if (auto policy = http::SsrfPolicy::from_environment(); !policy) {
      std::cerr << "patchbay agent: " << policy.error().message << "\n";
      return kExitUsage;
    }
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    int code = agent::run_agent(*options, logger, std::cout, stop_requested);
    return code == agent::kAgentStopped ? kExitOk : code;
  };
}

}  // namespace patchbay::cli
