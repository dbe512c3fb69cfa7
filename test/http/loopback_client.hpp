#pragma once
// The client the http tests send through: the SSRF policy allow-lists the loopback
// range, exactly as an operator would to reach an internal service.

#include "http/client.hpp"

namespace patchbay::http::testing {

inline const Client& loopback_client() {
  static const Client client(ClientConfig{*SsrfPolicy::parse("127.0.0.0/8"), nullptr});
  return client;
}

}  // namespace patchbay::http::testing
