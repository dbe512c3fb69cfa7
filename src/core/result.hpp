#pragma once
// Result<T>: a value or an Error, shaped like C++23 std::expected<T, Error> so it
// can become that later. Fallible operations return it instead of throwing
// (STYLE.md, "Errors: outcomes, errors, bugs").

#include <optional>
#include <utility>
#include <variant>

#include "core/check.hpp"
#include "core/error.hpp"

namespace patchbay::core {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // Precondition: has_value(). Reading the value of an error is a bug.
  T& value() & { return checked_value(); }
  const T& value() const& { return const_cast<Result*>(this)->checked_value(); }
  T&& value() && { return std::move(checked_value()); }
  T* operator->() { return &checked_value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return checked_value(); }
  const T& operator*() const& { return value(); }

  // Precondition: !has_value().
  const Error& error() const {
    PATCHBAY_CHECK(!has_value(), "Result::error() called on a value");
    return std::get<1>(state_);
  }

 private:
  T& checked_value() {
    PATCHBAY_CHECK(has_value(), "Result::value() called on an error");
    return std::get<0>(state_);
  }

  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const Error& error() const {
    PATCHBAY_CHECK(error_.has_value(), "Result<void>::error() called on success");
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace patchbay::core
