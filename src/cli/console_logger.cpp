#include "cli/console_logger.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace patchbay::cli {
namespace {

spdlog::level::level_enum to_spdlog(core::LogLevel level) {
  switch (level) {
    case core::LogLevel::Trace:
      return spdlog::level::trace;
    case core::LogLevel::Debug:
      return spdlog::level::debug;
    case core::LogLevel::Info:
      return spdlog::level::info;
    case core::LogLevel::Warn:
      return spdlog::level::warn;
    case core::LogLevel::Error:
      return spdlog::level::err;
    case core::LogLevel::Off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

ConsoleLogger::ConsoleLogger(core::LogLevel level, LogFormat format)
    : level_(level),
      format_(format),
      sink_(std::make_shared<spdlog::logger>("patchbay",
                                             std::make_shared<spdlog::sinks::stderr_sink_mt>())) {
  sink_->set_level(to_spdlog(level));
  // JSON lines carry their own timestamp and level; text lines get spdlog's prefix.
  sink_->set_pattern(format == LogFormat::Json ? "%v" : "%Y-%m-%dT%H:%M:%S.%e %-5l %v");
}

ConsoleLogger::~ConsoleLogger() = default;

bool ConsoleLogger::enabled(core::LogLevel level) const {
  return level != core::LogLevel::Off && static_cast<int>(level) >= static_cast<int>(level_);
}

void ConsoleLogger::log(core::LogLevel level, std::string_view message,
                        const boost::json::object& fields) {
  if (!enabled(level)) return;
  if (format_ == LogFormat::Json) {
    boost::json::object line = fields;
    line["level"] = core::to_string(level);
    line["message"] = message;
    line["time"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    sink_->log(to_spdlog(level), boost::json::serialize(line));
    return;
  }
  if (fields.empty()) {
    sink_->log(to_spdlog(level), message);
  } else {
    sink_->log(to_spdlog(level), "{} {}", message, boost::json::serialize(fields));
  }
}

core::Result<core::LogLevel> parse_log_level(std::string_view text) {
  for (auto level : {core::LogLevel::Trace, core::LogLevel::Debug, core::LogLevel::Info,
                     core::LogLevel::Warn, core::LogLevel::Error, core::LogLevel::Off}) {
    if (core::to_string(level) == text) return level;
  }
  return core::Error{
      core::ErrorCode::InvalidArgument,
      "unknown log level '" + std::string(text) + "'; use trace, debug, info, warn, error or off",
      {}};
}

}  // namespace patchbay::cli
