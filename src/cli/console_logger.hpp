#pragma once
// The CLI's logger: one line per entry on stderr, as text ("warn  message {fields}")
// or as JSON lines. Thread-safe (spdlog's mutex-guarded sink).

#include <memory>
#include <string_view>

#include "core/logger.hpp"
#include "core/result.hpp"

namespace spdlog {
class logger;
}

namespace patchbay::cli {

enum class LogFormat { Text, Json };

class ConsoleLogger final : public core::Logger {
 public:
  ConsoleLogger(core::LogLevel level, LogFormat format);
  ~ConsoleLogger() override;

  void log(core::LogLevel level, std::string_view message,
           const boost::json::object& fields) override;
  bool enabled(core::LogLevel level) const override;

 private:
  core::LogLevel level_;
  LogFormat format_;
  std::shared_ptr<spdlog::logger> sink_;
};

// "trace", "debug", "info", "warn", "error" or "off".
core::Result<core::LogLevel> parse_log_level(std::string_view text);

}  // namespace patchbay::cli
