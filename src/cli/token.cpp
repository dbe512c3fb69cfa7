// patchbay token create --name N --role viewer|operator|admin|agent
// patchbay token list [--json]
// patchbay token revoke ID|NAME
// They open the same store as `serve` (--data-dir / --db) and work while it runs;
// a revoked token stops working on a running server within its 2 s token cache.

#include <iomanip>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/data_options.hpp"
#include "cli/subcommands.hpp"
#include "core/json.hpp"
#include "server/serve.hpp"
#include "server/tokens.hpp"

namespace patchbay::cli {
namespace {

struct TokenOptions {
  server::DataOptions data;
  std::string name;
  std::string role = "viewer";
  std::string target;
  bool json = false;
};

// The token change is done either way; a missing audit line is worth a warning,
// not a failed command.
void audit(store::Store& store, store::AuditEntry entry) {
  if (auto written = store.append_audit(entry); !written) {
    std::cerr << "patchbay token: warning: not written to the audit log: "
              << written.error().message << "\n";
  }
}

int fail(std::string_view message) {
  std::cerr << "patchbay token: " << message << "\n";
  return kExitFailure;
}

int create(const TokenOptions& options) {
  auto role = store::parse_role(options.role);
  if (!role) {
    std::cerr << "patchbay token: --role must be viewer, operator, admin or agent\n";
    return kExitUsage;
  }
  auto store = server::open_data_store(options.data);
  if (!store) return fail(store.error().message);
  auto issued = server::issue_token(**store, options.name, *role);
  if (!issued) return fail(issued.error().message);
  audit(**store, {.actor = "cli",
                  .action = "token.create",
                  .target = options.name,
                  .details = {{"role", options.role}}});
  std::cout << issued->token << "\n";
  std::cerr << "token '" << options.name << "' (" << options.role
            << ") created; it is shown only this once\n";
  return kExitOk;
}

int list(const TokenOptions& options) {
  auto store = server::open_data_store(options.data);
  if (!store) return fail(store.error().message);
  auto tokens = (*store)->list_tokens();
  if (!tokens) return fail(tokens.error().message);
  if (options.json) {
    boost::json::array out;
    for (const auto& t : *tokens) {
      out.push_back({{"id", t.id},
                     {"name", t.name},
                     {"role", store::to_string(t.role)},
                     {"createdAt", t.created_at},
                     {"revokedAt", t.revoked_at ? boost::json::value(*t.revoked_at)
                                                : boost::json::value(nullptr)}});
    }
    std::cout << core::json_pretty(out) << "\n";
    return kExitOk;
  }
  std::cout << std::left << std::setw(20) << "ID" << std::setw(24) << "NAME" << std::setw(10)
            << "ROLE"
            << "STATUS\n";
  for (const auto& t : *tokens) {
    std::cout << std::setw(20) << t.id << std::setw(24) << t.name << std::setw(10)
              << store::to_string(t.role)
              << (t.revoked_at ? "revoked " + *t.revoked_at : "active since " + t.created_at)
              << "\n";
  }
  return kExitOk;
}

int revoke(const TokenOptions& options) {
  auto store = server::open_data_store(options.data);
  if (!store) return fail(store.error().message);
  if (auto revoked = (*store)->revoke_token(options.target); !revoked) {
    return fail(revoked.error().message);
  }
  audit(**store, {.actor = "cli", .action = "token.revoke", .target = options.target});
  std::cout << "revoked " << options.target << "\n";
  return kExitOk;
}

}  // namespace

Action add_token(CLI::App& app) {
  auto options = std::make_shared<TokenOptions>();
  auto* cmd = app.add_subcommand("token", "Create, list and revoke API tokens");
  cmd->require_subcommand(1);
  auto* create_cmd = cmd->add_subcommand("create", "Create a token and print it (once)");
  add_data_options(*create_cmd, options->data);
  create_cmd->add_option("--name", options->name, "Unique name, shown in the audit log")
      ->required();
  create_cmd->add_option("--role", options->role, "viewer, operator, admin, or agent (for patchbay agent only)")
      ->capture_default_str();
  auto* list_cmd = cmd->add_subcommand("list", "List tokens (never their values)");
  add_data_options(*list_cmd, options->data);
  list_cmd->add_flag("--json", options->json, "Print JSON");
  auto* revoke_cmd = cmd->add_subcommand("revoke", "Revoke a token by id or name");
  add_data_options(*revoke_cmd, options->data);
  revoke_cmd->add_option("token", options->target, "Token id or name")->required();
  return [options, create_cmd, list_cmd](core::Logger&) {
    if (create_cmd->parsed()) return create(*options);
    if (list_cmd->parsed()) return list(*options);
    return revoke(*options);
  };
}

}  // namespace patchbay::cli
