#pragma once
// The logger every connector, dispatcher and handler writes to. Implementations
// decide where lines go (the CLI's console logger, a test's recording logger).
// Implementations must be safe to call from several threads at once.

#include <string_view>

#include <boost/json/object.hpp>

namespace patchbay::core {

enum class LogLevel { Trace, Debug, Info, Warn, Error, Off };

std::string_view to_string(LogLevel level);

class Logger {
 public:
  virtual ~Logger() = default;

  // Writes one structured line: a short message plus machine-readable fields.
  virtual void log(LogLevel level, std::string_view message, const boost::json::object& fields) = 0;
  // False when lines of `level` would be dropped, so callers can skip building fields.
  virtual bool enabled(LogLevel level) const { return level != LogLevel::Off; }

  void trace(std::string_view message, const boost::json::object& fields = {}) {
    log(LogLevel::Trace, message, fields);
  }
  void debug(std::string_view message, const boost::json::object& fields = {}) {
    log(LogLevel::Debug, message, fields);
  }
  void info(std::string_view message, const boost::json::object& fields = {}) {
    log(LogLevel::Info, message, fields);
  }
  void warn(std::string_view message, const boost::json::object& fields = {}) {
    log(LogLevel::Warn, message, fields);
  }
  void error(std::string_view message, const boost::json::object& fields = {}) {
    log(LogLevel::Error, message, fields);
  }
};

// A logger that drops everything. Lives for the whole program.
Logger& null_logger();

}  // namespace patchbay::core
