#pragma once
// Invariant checks for bugs, never for conditions input or the environment can
// cause. PATCHBAY_CHECK is always on: it prints where and why, then aborts.
// PATCHBAY_ASSERT compiles away in release builds.

namespace patchbay::core {
[[noreturn]] void check_failed(const char* condition, const char* message, const char* file,
                               int line);
}  // namespace patchbay::core

#define PATCHBAY_CHECK(condition, message)                                       \
  do {                                                                           \
    if (!(condition)) {                                                          \
      ::patchbay::core::check_failed(#condition, (message), __FILE__, __LINE__); \
    }                                                                            \
  } while (false)

#ifdef NDEBUG
#define PATCHBAY_ASSERT(condition, message) \
  do {                                      \
  } while (false)
#else
#define PATCHBAY_ASSERT(condition, message) PATCHBAY_CHECK(condition, message)
#endif
