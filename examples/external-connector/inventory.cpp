#include "inventory.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace patchbay::example {
namespace {

constexpr std::string_view kIdPrefix = "item-";
constexpr std::int64_t kMaxQuantity = 1'000'000'000;

// A failed inventory operation as a protocol failure, with the status code the
// upstream API would have answered, so workflows can branch on it.
HttpResponse fail_with(const core::Error& error) {
  int status = error.code == core::ErrorCode::NotFound ? 404 : 409;
  return fail(error.message, {{"statusCode", status}});
}

HttpResponse list_items(const Inventory& inventory, const Call& call) {
  json::array items;
  for (const Item& item :
       inventory.list(static_cast<std::size_t>(call.params.at("limit").as_int64()))) {
    items.push_back(to_json(item));
  }
  auto count = static_cast<std::int64_t>(items.size());
  return succeed(json::object{{"items", std::move(items)}}, {{"itemCount", count}});
}

HttpResponse get_item(const Inventory& inventory, const Call& call) {
  std::string_view id = call.params.at("id").as_string();
  auto item = inventory.get(id);
  if (!item) {
    return fail_with({core::ErrorCode::NotFound, "no item with id '" + std::string(id) + "'"});
  }
  return succeed(to_json(*item));
}

HttpResponse create_item(Inventory& inventory, const Call& call) {
  std::string name(call.params.at("name").as_string());
  if (name.size() > kMaxNameBytes) {
    return fail("name: must be at most " + std::to_string(kMaxNameBytes) + " bytes",
                {{"statusCode", 400}});
  }
  auto item = inventory.create(std::move(name), call.params.at("quantity").as_int64());
  if (!item) return fail_with(item.error());
  return succeed(to_json(*item), {{"itemId", item->id}});
}

HttpResponse adjust_stock(Inventory& inventory, const Call& call) {
  auto item =
      inventory.adjust(call.params.at("id").as_string(), call.params.at("delta").as_int64());
  if (!item) return fail_with(item.error());
  return succeed(to_json(*item), {{"quantity", item->quantity}});
}

}  // namespace

json::object to_json(const Item& item) {
  return {{"id", item.id}, {"name", item.name}, {"quantity", item.quantity}};
}

Inventory::Inventory() {
  items_.push_back({"item-1", "Widget", 10});
  items_.push_back({"item-2", "Gadget", 3});
}

std::vector<Item> Inventory::list(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  return {items_.begin(),
          items_.begin() + static_cast<std::ptrdiff_t>(std::min(limit, items_.size()))};
}

std::optional<Item> Inventory::get(std::string_view id) const {
  std::lock_guard lock(mutex_);
  auto index = find(id);
  if (!index) return std::nullopt;
  return items_[*index];
}

core::Result<Item> Inventory::create(std::string name, std::int64_t quantity) {
  std::lock_guard lock(mutex_);
  if (items_.size() >= kMaxItems) {
    return core::Error{core::ErrorCode::Conflict,
                       "the inventory is full (" + std::to_string(kMaxItems) + " items)"};
  }
  items_.push_back(
      {std::string(kIdPrefix) + std::to_string(items_.size() + 1), std::move(name), quantity});
  return items_.back();
}

core::Result<Item> Inventory::adjust(std::string_view id, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  auto index = find(id);
  if (!index) {
    return core::Error{core::ErrorCode::NotFound, "no item with id '" + std::string(id) + "'"};
  }
  Item& item = items_[*index];
  if (item.quantity + delta < 0) {
    return core::Error{core::ErrorCode::Conflict, "not enough stock: " + item.id + " has " +
                                                      std::to_string(item.quantity) +
                                                      ", cannot take " + std::to_string(-delta)};
  }
  if (item.quantity + delta > kMaxQuantity) {
    return core::Error{core::ErrorCode::Conflict,
                       "quantity would exceed " + std::to_string(kMaxQuantity)};
  }
  item.quantity += delta;
  return item;
}

std::optional<std::size_t> Inventory::find(std::string_view id) const {
  if (!id.starts_with(kIdPrefix)) return std::nullopt;
  std::string_view digits = id.substr(kIdPrefix.size());
  std::size_t number = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (number == 0 || number > items_.size() || items_[number - 1].id != id) return std::nullopt;
  return number - 1;
}

std::vector<Command> inventory_commands(Inventory& inventory) {
  using Type = Field::Type;
  Field id{
      .name = "id", .type = Type::String, .description = "Item id, like item-1", .required = true};
  return {
      {.name = "listItems",
       .description = "List items in creation order.",
       .params = {{.name = "limit",
                   .type = Type::Integer,
                   .description = "How many items at most",
                   .default_value = 50,
                   .minimum = 1,
                   .maximum = 500}},
       .outputs = {"items"},
       .run = [&inventory](const Call& call) { return list_items(inventory, call); }},
      {.name = "getItem",
       .description = "Fetch one item; fails with statusCode 404 for an unknown id.",
       .params = {id},
       .outputs = {"id", "name", "quantity"},
       .run = [&inventory](const Call& call) { return get_item(inventory, call); }},
      {.name = "createItem",
       .description = "Add an item; its id is returned in the itemId variable.",
       .params =
           {{.name = "name", .type = Type::String, .description = "Display name", .required = true},
            {.name = "quantity",
             .type = Type::Integer,
             .description = "Initial stock",
             .default_value = 0,
             .minimum = 0,
             .maximum = kMaxQuantity}},
       .outputs = {"id", "name", "quantity"},
       .run = [&inventory](const Call& call) { return create_item(inventory, call); }},
      {.name = "adjustStock",
       .description = "Add delta (negative to take) to an item's quantity; fails with "
                      "statusCode 409 when stock would drop below zero.",
       .params = {id,
                  {.name = "delta",
                   .type = Type::Integer,
                   .description = "Change in quantity",
                   .required = true,
                   .minimum = -kMaxQuantity,
                   .maximum = kMaxQuantity}},
       .outputs = {"id", "name", "quantity"},
       .run = [&inventory](const Call& call) { return adjust_stock(inventory, call); }},
  };
}

}  // namespace patchbay::example
