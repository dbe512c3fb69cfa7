#pragma once
// The example's domain: an in-memory stock list, standing in for the upstream
// API a real connector would call, and the four commands that expose it.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "protocol.hpp"

namespace patchbay::example {

inline constexpr std::size_t kMaxItems = 10'000;  // memory stays bounded
inline constexpr std::size_t kMaxNameBytes = 200;

struct Item {
  std::string id;  // "item-1", "item-2", ... in creation order
  std::string name;
  std::int64_t quantity = 0;
};

json::object to_json(const Item& item);

// Thread-safety: every member may be called from any thread.
class Inventory {
 public:
  Inventory();  // starts with two items, so a first listItems shows something

  std::vector<Item> list(std::size_t limit) const;
  std::optional<Item> get(std::string_view id) const;
  // Conflict when kMaxItems are stored.
  core::Result<Item> create(std::string name, std::int64_t quantity);
  // NotFound for an unknown id; Conflict when the quantity would drop below zero.
  core::Result<Item> adjust(std::string_view id, std::int64_t delta);

 private:
  // The index of an id in items_, if it names a stored item. Needs mutex_.
  std::optional<std::size_t> find(std::string_view id) const;

  mutable std::mutex mutex_;
  std::vector<Item> items_;  // guarded by mutex_; item-N is items_[N - 1]
};

// listItems, getItem, createItem, adjustStock. They keep a reference to `inventory`.
std::vector<Command> inventory_commands(Inventory& inventory);

}  // namespace patchbay::example
