#include "server/key_rotation.hpp"

#include <cstdlib>

#include <fcntl.h>
#include <unistd.h>

#include "server/service_support.hpp"

namespace patchbay::server {
namespace {

constexpr int kUpdateAttempts = 5;

core::Error unavailable(std::string message) {
  return core::Error{core::ErrorCode::Unavailable, std::move(message), {}};
}

// Re-seals one connector's secret values under `next`; returns how many.
core::Result<std::size_t> reseal(store::Store& store, const secrets::Keyring& both,
                                 const secrets::Keyring& next, std::string id) {
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto record = store.get_connector(id);
    if (!record) return record.error();
    auto def = support::stored_definition(*record);
    if (!def) return def.error();
    auto fields = support::sealed_fields(*def);
    std::size_t count = 0;
    for (const auto& field : fields) {
      const auto* value = record->config.if_contains(field.name);
      if (field.secret && value && value->is_string() && secrets::is_sealed(value->get_string()) &&
          next.needs_rotation(value->get_string())) {
        ++count;
      }
    }
    if (count == 0) return std::size_t{0};
    auto config = record->config;
    if (auto opened = secrets::open_config(both, record->id, fields, config); !opened) {
      return opened.error();
    }
    secrets::seal_config(next, record->id, fields, config);
    record->config = std::move(config);
    auto updated = store.update_connector(*record);
    if (updated) return count;
    // Someone changed it meanwhile: read it again.
    if (updated.error().code != core::ErrorCode::Conflict) return updated.error();
  }
  return unavailable("connector " + id + " kept changing during the rotation; run it again");
}

core::Result<void> sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return unavailable("cannot open " + dir.string());
  ::fsync(fd);
  ::close(fd);
  return {};
}

}  // namespace

core::Result<RotationReport> rotate_master_key(store::Store& store,
                                               const std::filesystem::path& data_dir,
                                               std::optional<secrets::MasterKey> new_key) {
  const char* env = std::getenv(secrets::kMasterKeyEnv);
  bool env_mode = env != nullptr && *env != '\0';
  auto current = secrets::load_or_create_master_key(data_dir);
  if (!current) return current.error();
  auto next_path = data_dir / secrets::kNextKeyFileName;
  if (env_mode && !new_key) {
    return core::Error{core::ErrorCode::InvalidArgument,
                       std::string(secrets::kMasterKeyEnv) +
                           " holds the key: pass the new one with --new-key (make it with "
                           "`patchbay keygen`)",
                       {}};
  }
  if (!env_mode) {
    if (new_key) {
      return core::Error{core::ErrorCode::InvalidArgument,
                         "--new-key is for keys kept in " + std::string(secrets::kMasterKeyEnv) +
                             "; with key files the new key is generated",
                         {}};
    }
    auto next = std::filesystem::exists(next_path) ? secrets::read_key_file(next_path)
                                                   : secrets::write_new_key_file(next_path);
    if (!next) return next.error();
    new_key = std::move(*next);
  }
  if (new_key->id() == current->id()) {
    return core::Error{core::ErrorCode::InvalidArgument, "the new key is the current key", {}};
  }

  RotationReport report{.old_key_id = current->id(), .new_key_id = new_key->id()};
  std::vector<secrets::MasterKey> opening{*current};
  auto previous_path = data_dir / secrets::kPreviousKeyFileName;
  if (std::filesystem::exists(previous_path)) {
    if (auto previous = secrets::read_key_file(previous_path)) opening.push_back(*previous);
  }
  secrets::Keyring both(*new_key, opening);
  secrets::Keyring next(*new_key);
  auto connectors = store.list_connectors();
  if (!connectors) return connectors.error();
  for (const auto& connector : *connectors) {
    auto count = reseal(store, both, next, connector.id);
    if (!count) return count.error();
    if (*count > 0) {
      ++report.connectors;
      report.values += *count;
    }
  }

  if (!env_mode) {
    std::error_code ec;
    std::filesystem::rename(data_dir / secrets::kKeyFileName, previous_path, ec);
    if (!ec) std::filesystem::rename(next_path, data_dir / secrets::kKeyFileName, ec);
    if (ec)
      return unavailable("re-sealed everything but could not swap the key files: " + ec.message());
    if (auto synced = sync_directory(data_dir); !synced) return synced.error();
  }
  return report;
}

}  // namespace patchbay::server
