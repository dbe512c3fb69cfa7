#include "mcp/stdio.hpp"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/json/serialize.hpp>

#include "core/json.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/session.hpp"

namespace patchbay::mcp {
namespace {

namespace json = boost::json;

// Writes whole lines; once the client has gone, every later write is dropped.
class LineWriter {
 public:
  explicit LineWriter(int fd) : fd_(fd) {}

  void write(const json::value& message) {
    std::string line = json::serialize(message);
    line += '\n';
    std::lock_guard lock(mutex_);
    std::size_t written = 0;
    while (!broken_ && written < line.size()) {
      ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        broken_ = true;
        break;
      }
      written += static_cast<std::size_t>(n);
    }
  }

  bool broken() const {
    std::lock_guard lock(mutex_);
    return broken_;
  }

 private:
  int fd_;
  mutable std::mutex mutex_;
  bool broken_ = false;
};

// A few threads for tool calls, with a short queue: when it is full the reader
// waits, which is the backpressure a client that floods us gets.
class CallPool {
 public:
  explicit CallPool(std::size_t threads) : limit_(threads * 4) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }
  ~CallPool() { finish(); }

  void submit(std::function<void()> task) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return queue_.size() < limit_; });
    queue_.push_back(std::move(task));
    ready_.notify_one();
  }

  // Runs what is queued, then joins.
  void finish() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      space_.notify_one();
      task();
    }
  }

  std::size_t limit_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable space_;
  std::deque<std::function<void()>> queue_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

int run_stdio(Session& session, Api& api, const StdioOptions& options, core::Logger& logger) {
  LineWriter writer(options.out_fd);
  CallPool calls(options.concurrent_calls == 0 ? 1 : options.concurrent_calls);

  auto dispatch = [&](std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    auto parsed = core::parse_json(line, kMaxMessageDepth);
    if (!parsed) {
      writer.write(jsonrpc::error(nullptr, jsonrpc::kParseError,
                                  "parse error: " + parsed.error().message));
      return;
    }
    if (is_request(*parsed, "tools/call")) {
      auto message = std::make_shared<json::value>(std::move(*parsed));
      calls.submit([&session, &api, &writer, message] {
        if (auto reply = session.handle(*message, api)) writer.write(*reply);
      });
      return;
    }
    if (auto reply = session.handle(*parsed, api)) writer.write(*reply);
  };

  std::string line;
  bool oversize = false;  // skipping the rest of a line over the limit
  std::vector<char> buffer(64 * 1024);
  int exit_code = 0;
  while (!writer.broken()) {
    ssize_t n = ::read(options.in_fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      logger.error("cannot read standard input", {{"errno", errno}});
      exit_code = 1;
      break;
    }
    if (n == 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    while (!chunk.empty()) {
      auto newline = chunk.find('\n');
      std::string_view part = chunk.substr(0, newline);
      if (!oversize) {
        if (line.size() + part.size() > options.max_message_bytes) {
          oversize = true;
          line.clear();
          line.shrink_to_fit();
          writer.write(jsonrpc::error(
              nullptr, jsonrpc::kInvalidRequest,
              "message over " + std::to_string(options.max_message_bytes) + " bytes; skipped"));
          logger.warn("MCP message over the size limit skipped",
                      {{"limit", options.max_message_bytes}});
        } else {
          line.append(part);
        }
      }
      if (newline == std::string_view::npos) break;
      if (!oversize) dispatch(line);
      line.clear();
      oversize = false;
      chunk.remove_prefix(newline + 1);
    }
  }
  if (!oversize && !writer.broken()) dispatch(line);  // a last message without its newline
  calls.finish();
  return exit_code;
}

}  // namespace patchbay::mcp
