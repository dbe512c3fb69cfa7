#pragma once
// Shared by the oas tests that run drafts: a draft made runnable the way the
// server makes a created connector runnable, and a FakeUpstream that records
// every request it is sent.

#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/connector_definition.hpp"
#include "dispatch/dispatch.hpp"
#include "oas/oas.hpp"
#include "script/script.hpp"
#include "support/fake_upstream.hpp"

namespace patchbay::oas {

class RunnableDraft {
 public:
  explicit RunnableDraft(const core::Result<Draft>& draft) {
    EXPECT_TRUE(draft.has_value()) << (draft ? "" : draft.error().message);
    if (!draft) return;
    auto def = core::parse_connector_definition(boost::json::value(draft->definition));
    EXPECT_TRUE(def.has_value()) << (def ? "" : def.error().message);
    if (!def) return;
    definition_ = std::move(*def);
    script::attach_script_handlers(definition_);
  }

  core::ConnectorResult run(const std::string& command, boost::json::object params,
                            boost::json::object connection) const {
    core::ConnectorContext context;
    context.config = std::move(params);
    context.config["command"] = command;
    context.connector_config = std::move(connection);
    return dispatch::execute_definition(definition_, context);
  }

  const core::ConnectorDefinition& definition() const { return definition_; }

 private:
  core::ConnectorDefinition definition_;
};

// Records every request; answers {"ok": true} unless told otherwise.
class Recorder {
 public:
  Recorder() {
    upstream_.set_handler([this](const test::FakeUpstream::Request& request) {
      std::lock_guard lock(mutex_);
      if (handler_) return handler_(request);
      return test::FakeUpstream::Reply::json(200, R"({"ok": true})");
    });
  }
  void answer(test::FakeUpstream::Handler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }
  std::string url(std::string_view path = "") const { return upstream_.url(path); }
  test::FakeUpstream::Request last() const {
    auto all = upstream_.requests();
    EXPECT_FALSE(all.empty());
    return all.empty() ? test::FakeUpstream::Request{} : all.back();
  }
  std::size_t count() const { return upstream_.requests().size(); }
  std::vector<test::FakeUpstream::Request> requests() const { return upstream_.requests(); }

 private:
  test::FakeUpstream upstream_;
  std::mutex mutex_;
  test::FakeUpstream::Handler handler_;
};

}  // namespace patchbay::oas
