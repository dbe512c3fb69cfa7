#pragma once
// FakeUpstream: a real HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for
// tests of everything that makes outbound calls. Replies are scripted per
// method and path (or by a handler); every request is recorded.
//
// Thread-safety: configure it (on/set_handler) before sending requests; requests()
// may be read from any thread. The destructor stops the server and joins its thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace patchbay::test {

class FakeUpstream {
 public:
  struct Request {
    std::string method;
    std::string target;                          // path and query, as sent
    std::string path;                            // without the query
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    std::string header(const std::string& name) const;
  };

  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Waits this long before answering, to exercise timeouts.
    std::chrono::milliseconds delay{0};
    // Closes the connection instead of answering, like a server that crashed.
    bool reset = false;

    static Reply json(int status, std::string body);
    static Reply text(int status, std::string body);
  };

  using Handler = std::function<Reply(const Request&)>;

  // Listens on 127.0.0.1 and a free port.
  FakeUpstream();
  // Listens on `address` (any 127.x.y.z works on Linux) and `port` (0 = a free one).
  FakeUpstream(const std::string& address, std::uint16_t port);
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  // Scripts the reply to `method` + `path` (query ignored). Unscripted requests get 404.
  void on(std::string method, std::string path, Reply reply);
  // Answers every request with `handler` instead of the script.
  void set_handler(Handler handler);

  std::uint16_t port() const;
  // "http://<address>:<port>" + path.
  std::string url(std::string_view path = "") const;
  std::vector<Request> requests() const;

  struct State;  // the server's internals, shared with its coroutines

 private:
  std::unique_ptr<State> state_;
};

}  // namespace patchbay::test
