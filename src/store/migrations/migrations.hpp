#pragma once
// The schema's versioned migrations, shared by every store implementation. Each
// step is one transaction; a database records the highest version applied in
// schema_migrations and gets only the steps above it.

#include <string>
#include <string_view>
#include <vector>

namespace patchbay::store {

enum class Dialect { Sqlite, Postgres };

struct Migration {
  int version;
  std::string_view description;
  // The step's statements in each dialect, rendered from one shared text.
  std::string sqlite;
  std::string postgres;
};

const std::vector<Migration>& migrations();

}  // namespace patchbay::store
