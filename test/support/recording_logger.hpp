#pragma once
// RecordingLogger: keeps every line so a test can assert what was logged.
// Thread-safe.

#include <mutex>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/logger.hpp"

namespace patchbay::test {

class RecordingLogger final : public core::Logger {
 public:
  struct Line {
    core::LogLevel level;
    std::string message;
    boost::json::object fields;
  };

  void log(core::LogLevel level, std::string_view message,
           const boost::json::object& fields) override {
    std::lock_guard lock(mutex_);
    lines_.push_back({level, std::string(message), fields});
  }

  std::vector<Line> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  std::vector<Line> at_level(core::LogLevel level) const {
    std::vector<Line> out;
    for (auto& line : lines()) {
      if (line.level == level) out.push_back(line);
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Line> lines_;
};

}  // namespace patchbay::test
