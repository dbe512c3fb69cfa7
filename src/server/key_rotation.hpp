#pragma once
// rotate_master_key: re-seals every secret connection value under a new master
// key, so a key that may have leaked stops mattering.
//
// With key files (the default) the steps are ordered so that a crash at any
// point loses nothing: (1) the new key is written to master.key.next before
// anything is sealed with it (an interrupted rotation resumes with that key),
// (2) every connector is re-sealed, each in its own revision-checked update,
// (3) master.key becomes master.key.previous and master.key.next becomes
// master.key. load_keyring() opens with all three, so a server started at any
// point reads every value. A running server keeps the keys it started with:
// restart it after a rotation.
//
// With PATCHBAY_MASTER_KEY the key lives outside the data dir: the caller passes
// the new key (from `patchbay keygen`) and sets the variable to it afterwards.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "secrets/secrets.hpp"
#include "store/store.hpp"

namespace patchbay::server {

struct RotationReport {
  std::string old_key_id;
  std::string new_key_id;
  std::size_t connectors = 0;  // connectors with at least one secret value
  std::size_t values = 0;      // secret values re-sealed
};

core::Result<RotationReport> rotate_master_key(store::Store& store,
                                               const std::filesystem::path& data_dir,
                                               std::optional<secrets::MasterKey> new_key);

}  // namespace patchbay::server
