#include "core/logger.hpp"

namespace patchbay::core {

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
    case LogLevel::Off:
      return "off";
  }
  return "off";
}

namespace {
class NullLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view, const boost::json::object&) override {}
  bool enabled(LogLevel) const override { return false; }
};
}  // namespace

Logger& null_logger() {
  static NullLogger logger;
  return logger;
}

}  // namespace patchbay::core
