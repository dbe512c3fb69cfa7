#pragma once
// WebSocketClient: the `patchbay agent` process's control connection to its
// server, ws:// or wss://, text messages only. It connects once per connect()
// call, keeps the connection alive with pings when idle and gives up when the
// server has been silent for idle_timeout; reconnecting is the caller's
// business (call connect() again after on_close).
//
// Threads: connect() blocks the caller; each connection has its own I/O thread,
// on which both callbacks run, one at a time. send() and close() may be called
// from any thread, the callbacks included. The destructor closes (code 1000)
// and joins that thread, so no callback runs after it returns.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.hpp"

namespace patchbay::agent {

struct WebSocketClientOptions {
  std::string url;  // ws://host:port/path or wss://host:port/path
  // PEM CA bundle trusted for wss, in addition to the system store; empty: system store only.
  std::string ca_file;
  // Resolving, connecting and both handshakes together; also the time the
  // closing handshake may take.
  std::chrono::seconds connect_timeout{10};
  // Pings when idle, gives up when the peer is silent this long.
  std::chrono::seconds idle_timeout{30};
  // A larger message from the server closes the connection with 1009.
  std::size_t max_message_bytes = 64 * 1024 * 1024;
};

class WebSocketClient {
 public:
  struct Callbacks {
    std::function<void(std::string)> on_message;
    // Exactly once after each successful connect(), when the connection is gone
    // for any reason: "closed by the server: 1001 server stopping", "closed by
    // the client: 1000", "heartbeat timeout: ...", "network error: ...".
    std::function<void(std::string why)> on_close;
  };

  WebSocketClient(WebSocketClientOptions options, Callbacks callbacks);
  ~WebSocketClient();  // closes and joins
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Resolves, connects, TLS handshake (verify peer + host name) and WebSocket handshake; blocks
  // until done or failed (Unavailable with a message naming the URL and the cause, such as "the
  // server answered 404 Not Found" or "certificate verify failed"; InvalidArgument for a bad URL
  // or CA file). Starts its own I/O thread; callbacks run on it. A failed connect() calls no
  // callback. Conflict while a connection from an earlier connect() is still open.
  core::Result<void> connect();
  // Queues one text message; thread-safe, ordered, non-blocking. Dropped when
  // not connected or once close() was called.
  void send(std::string text);
  // Sends queued messages, then a close frame (an unsendable code goes out as
  // 1011, the reason is cut to 123 bytes); thread-safe; on_close follows.
  void close(std::uint16_t code = 1000, std::string reason = "");

 private:
  struct Link;  // one connection: its I/O context, thread and stream

  const WebSocketClientOptions options_;
  const Callbacks callbacks_;
  std::mutex mutex_;
  std::shared_ptr<Link> link_;  // guarded by mutex_; the latest connection
};

}  // namespace patchbay::agent
