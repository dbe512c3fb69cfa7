#pragma once
// Checks that a request comes from patchbay: every request carries
//
//   X-Patchbay-Timestamp: <unix seconds>
//   X-Patchbay-Signature: v1=<64 lowercase hex>
//
// where the hex is HMAC-SHA256, keyed with the signing secret, over
// "<timestamp>.<raw request body>" (the body is empty for GET). The timestamp
// bounds replays to kMaxClockSkew either side of this machine's clock.
//
// Thread-safety: a pure function; call it from any thread.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace patchbay::example {

inline constexpr std::chrono::seconds kMaxClockSkew{300};

// Why a request failed the check, in a phrase for the 401 body
// ("signature does not match"), or nullopt when it passed. `now` is injected
// so the check can be tested without waiting.
std::optional<std::string> check_signature(std::string_view secret, std::string_view timestamp,
                                           std::string_view signature, std::string_view body,
                                           std::chrono::system_clock::time_point now);

}  // namespace patchbay::example
