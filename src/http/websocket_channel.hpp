#pragma once
// WebSocketChannel: the message channel both ends of patchbay's WebSocket
// connections run once the handshake is done: the server's sessions
// (server/http_server_websocket.cpp) and the agent's client
// (agent/websocket_client.cpp). Header-only, a template over the transport
// (beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>); the including
// file brings the teardown for its stream (<boost/beast/ssl.hpp>).
//
// What it guarantees: text messages only (a binary one closes with 1003); a
// message over the limit closes with 1009; a peer that leaves more than
// max_queued_bytes unsent (it stopped reading) is dropped; one read always pending while open,
// so Beast answers pings and runs the heartbeat (a ping after half the idle time
// with nothing received, the end when nothing at all arrives within it); sends
// go out in order, one write at a time; a close goes out after the messages
// queued before it; the owner hears of the end exactly once, with a reason.
//
// Threads: everything runs on the stream's executor (a strand, or the only
// thread of its io_context); the owner calls from there only.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace patchbay::http {

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

template <class Stream>
class WebSocketChannel {
 public:
  using WebSocket = boost::beast::websocket::stream<Stream>;

  // How the two ends are named in the reasons given to on_channel_closed:
  // {"server", "client"} on the server, {"client", "server"} in the agent.
  struct Names {
    std::string self;
    std::string peer;
  };

  struct Limits {
    std::size_t max_message_bytes;
    std::chrono::seconds idle_timeout;
    // How long the peer may take to answer our close frame.
    std::chrono::seconds close_timeout;
    // Unsent bytes past this (at least one message of max_message_bytes) end the
    // channel: a peer that stops reading, while its pings keep the heartbeat
    // alive, must not grow our memory without bound.
    std::size_t max_queued_bytes = std::size_t{64} << 20;
  };

  WebSocketChannel(Names names, Limits limits) : names_(std::move(names)), limits_(limits) {}
  virtual ~WebSocketChannel() = default;
  WebSocketChannel(const WebSocketChannel&) = delete;
  WebSocketChannel& operator=(const WebSocketChannel&) = delete;

  // Queues one text message; dropped once a close was asked for or the channel
  // ended. Before open_channel() messages wait.
  void queue(std::string text) {
    if (closing_or_ended() || write_failed_) return;
    queued_bytes_ += text.size();
    const std::size_t limit = std::max(limits_.max_queued_bytes, limits_.max_message_bytes);
    if (queued_bytes_ > limit) {
      // A close frame would wait behind what the peer does not read: drop it.
      end_channel("the " + names_.peer + " reads too slowly: over " + std::to_string(limit) +
                  " bytes waiting to be sent");
      boost::system::error_code ignored;
      if (ws_) boost::beast::get_lowest_layer(*ws_).socket().close(ignored);
      return;
    }
    outbox_.push_back(std::move(text));
    write_next();
  }

  // Sends the queued messages, then a close frame; on_channel_closed follows
  // with `why`, by default "closed by the <self>: <code> <reason>". An
  // unsendable code goes out as 1011, a long reason is cut. Asked before
  // open_channel(), it happens right after. Only the first close counts.
  void close_channel(std::uint16_t code, std::string reason, std::string why = {}) {
    if (closing_or_ended() || pending_close_) return;
    if (!sendable_close_code(code)) code = boost::beast::websocket::close_code::internal_error;
    auto text = close_reason(std::move(reason));
    pending_close_.emplace(static_cast<boost::beast::websocket::close_code>(code),
                           boost::beast::string_view(text));
    local_why_ = why.empty() ? "closed by the " + names_.self + ": " + describe(*pending_close_)
                             : std::move(why);
    write_next();
  }

  // The end without a close frame (the transport is gone or being given up);
  // on_channel_closed(why) unless the channel ended already.
  void end_channel(std::string why) {
    if (phase_ == Phase::Ended) return;
    phase_ = Phase::Ended;
    outbox_.clear();
    queued_bytes_ = 0;
    on_channel_closed(std::move(why));
  }

  bool channel_ended() const { return phase_ == Phase::Ended; }

 protected:
  // Called on the stream's executor, one at a time.
  virtual void on_channel_message(std::string text) = 0;
  // Exactly once, when the channel ends for any reason.
  virtual void on_channel_closed(std::string why) = 0;
  // The owning object, kept alive by pending operations.
  virtual std::shared_ptr<WebSocketChannel> channel_owner() = 0;

  // After the WebSocket handshake on ws_: heartbeat and limits on, then the
  // read loop and the queued messages (or a close asked for meanwhile).
  void open_channel() {
    if (phase_ != Phase::Pending) return;
    boost::beast::websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = limits_.close_timeout;
    timeout.idle_timeout = limits_.idle_timeout;
    timeout.keep_alive_pings = true;
    ws_->set_option(timeout);
    ws_->read_message_max(limits_.max_message_bytes);
    ws_->text(true);
    phase_ = Phase::Open;
    read();
    write_next();
  }

  std::optional<WebSocket> ws_;  // the derived class creates it and does the handshake

 private:
  enum class Phase { Pending, Open, Closing, Ended };

  // "1000 bye", "1001" (no reason).
  static std::string describe(const boost::beast::websocket::close_reason& reason) {
    std::string text = std::to_string(reason.code);
    if (!reason.reason.empty()) text += " " + std::string(reason.reason.c_str());
    return text;
  }

  bool closing_or_ended() const { return phase_ == Phase::Closing || phase_ == Phase::Ended; }

  void read() {
    ws_->async_read(buffer_, [self = channel_owner()](boost::beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(boost::beast::error_code ec) {
    if (phase_ == Phase::Ended) return;
    if (ec) return end_channel(describe_failure(ec));
    if (!ws_->got_text()) {
      buffer_.clear();
      // No further reads: the close handshake reads the peer's answer.
      return close_channel(boost::beast::websocket::close_code::unknown_data, "text messages only",
                           "closed by the " + names_.self + ": the " + names_.peer +
                               " sent a binary message (1003)");
    }
    on_channel_message(boost::beast::buffers_to_string(buffer_.data()));
    buffer_.clear();
    read();
  }

  std::string describe_failure(boost::beast::error_code ec) const {
    namespace websocket = boost::beast::websocket;
    // Our close frame went out and the peer's answer ended the read: we closed.
    if (phase_ == Phase::Closing) return local_why_;
    // The peer's close frame is the reason even when the teardown after it failed.
    if (ec == websocket::error::closed || ws_->reason().code != websocket::close_code::none) {
      return "closed by the " + names_.peer + ": " + describe(ws_->reason());
    }
    if (ec == websocket::error::message_too_big) {
      return "closed by the " + names_.self + ": a message over the limit of " +
             std::to_string(limits_.max_message_bytes) + " bytes (1009)";
    }
    if (ec == boost::beast::error::timeout) {
      return "heartbeat timeout: nothing received from the " + names_.peer + " for " +
             std::to_string(limits_.idle_timeout.count()) + " s";
    }
    return "network error: " + ec.message();
  }

  // Queued messages first, then the close frame; one operation at a time.
  void write_next() {
    if (phase_ != Phase::Open || writing_ || write_failed_) return;
    if (!outbox_.empty()) {
      writing_ = true;
      ws_->async_write(boost::asio::buffer(outbox_.front()),
                       [self = channel_owner()](boost::beast::error_code ec, std::size_t) {
                         self->on_write(ec);
                       });
    } else if (pending_close_) {
      writing_ = true;
      phase_ = Phase::Closing;
      ws_->async_close(*pending_close_, [self = channel_owner()](boost::beast::error_code) {
        self->end_channel(self->local_why_);
      });
    }
  }

  void on_write(boost::beast::error_code ec) {
    writing_ = false;
    if (phase_ == Phase::Ended) return;
    if (!ec) {
      queued_bytes_ -= outbox_.front().size();
      outbox_.pop_front();
      return write_next();
    }
    // The pending read fails too and says why (a close frame from the peer often
    // makes the write fail first); only when we stopped reading to close do we end here.
    outbox_.clear();
    queued_bytes_ = 0;
    write_failed_ = true;
    if (pending_close_) end_channel("network error: " + ec.message());
  }

  const Names names_;
  const Limits limits_;
  Phase phase_ = Phase::Pending;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  std::size_t queued_bytes_ = 0;  // the outbox's message bytes
  bool writing_ = false;  // an async_write or async_close is in flight
  bool write_failed_ = false;
  std::optional<boost::beast::websocket::close_reason> pending_close_;
  std::string local_why_;  // the reason on_channel_closed gets when we close
};

}  // namespace patchbay::http
