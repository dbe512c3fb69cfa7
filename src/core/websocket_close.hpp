#pragma once
// The close frame a WebSocket end may send (RFC 6455 section 7.4), shared by the
// server (server/) and the agent's client (agent/). No I/O.

#include <cstddef>
#include <cstdint>
#include <string>

namespace patchbay::core {

// The longest close reason: a control frame carries at most 125 bytes, two of
// which are the code.
inline constexpr std::size_t kMaxCloseReasonBytes = 123;

// True for a code an endpoint may put in a close frame: 1000-1003, 1007-1013
// and 3000-4999. 1004-1006 and 1015 are reserved or never sent; 1014 and
// 1016-2999 are unassigned.
inline bool sendable_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013);
}

// `reason` cut to kMaxCloseReasonBytes at a UTF-8 character boundary (the peer
// rejects a reason that is not valid UTF-8).
inline std::string close_reason(std::string reason) {
  if (reason.size() <= kMaxCloseReasonBytes) return reason;
  std::size_t end = kMaxCloseReasonBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of a character.
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80) --end;
  reason.resize(end);
  return reason;
}

}  // namespace patchbay::core
