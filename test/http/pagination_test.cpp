#include "http/pagination.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "core/json.hpp"
#include "http/loopback_client.hpp"
#include "support/fake_upstream.hpp"

namespace patchbay::http {
namespace {

using test::FakeUpstream;

using testing::loopback_client;

std::string query_value(const std::string& target, const std::string& name) {
  auto at = target.find(name + "=");
  if (at == std::string::npos) return {};
  auto start = at + name.size() + 1;
  return target.substr(start, target.find('&', start) - start);
}

// 25 items served 10 per page in the shape each strategy expects.
std::string items_json(int from, int to) {
  std::string out = "[";
  for (int i = from; i < to; ++i) out += (i > from ? "," : "") + std::to_string(i);
  return out + "]";
}

TEST(PaginationTest, FollowsCursors) {
  FakeUpstream upstream;
  upstream.set_handler([](const FakeUpstream::Request& r) {
    std::string cursor = query_value(r.target, "cursor");
    int from = cursor.empty() ? 0 : std::stoi(cursor);
    int to = std::min(from + 10, 25);
    std::string next = to < 25 ? "\"" + std::to_string(to) + "\"" : "null";
    return FakeUpstream::Reply::json(
        200, R"({"data": )" + items_json(from, to) + R"(, "meta": {"next": )" + next + "}}");
  });
  auto result = paginate(
      loopback_client(), upstream.url("/items"), {},
      Pagination{
          .strategy = PageStrategy::Cursor, .items_path = "data", .cursor_path = "meta.next"});
  EXPECT_EQ(result.items.size(), 25u);
  EXPECT_EQ(result.pages, 3u);
  EXPECT_FALSE(result.truncated);
  EXPECT_FALSE(result.failed_page.has_value());
  EXPECT_EQ(result.items.back(), 24);
}

TEST(PaginationTest, AdvancesOffsets) {
  FakeUpstream upstream;
  upstream.set_handler([](const FakeUpstream::Request& r) {
    int offset = std::stoi(query_value(r.target, "offset"));
    int limit = std::stoi(query_value(r.target, "limit"));
    return FakeUpstream::Reply::json(200, items_json(offset, std::min(offset + limit, 25)));
  });
  auto result = paginate(loopback_client(), upstream.url("/items"), {},
                         Pagination{.strategy = PageStrategy::Offset, .page_size = 10});
  EXPECT_EQ(result.items.size(), 25u);
  EXPECT_EQ(result.pages, 3u);
  auto requests = upstream.requests();
  EXPECT_EQ(query_value(requests[2].target, "offset"), "20");
}

TEST(PaginationTest, CountsPages) {
  FakeUpstream upstream;
  upstream.set_handler([](const FakeUpstream::Request& r) {
    int page = std::stoi(query_value(r.target, "page"));
    int from = (page - 1) * 10;
    return FakeUpstream::Reply::json(
        200, R"({"results": )" + items_json(from, std::min(from + 10, 25)) + "}");
  });
  auto result = paginate(
      loopback_client(), upstream.url("/items"), {},
      Pagination{.strategy = PageStrategy::Page, .items_path = "results", .page_size = 10});
  EXPECT_EQ(result.items.size(), 25u);
  EXPECT_EQ(result.pages, 3u);
}

TEST(PaginationTest, FollowsLinkHeadersIncludingRelativeOnes) {
  FakeUpstream upstream;
  upstream.set_handler([&](const FakeUpstream::Request& r) {
    std::string page = query_value(r.target, "p");
    int n = page.empty() ? 1 : std::stoi(page);
    FakeUpstream::Reply reply = FakeUpstream::Reply::json(200, items_json(n * 10, n * 10 + 10));
    if (n == 1)
      reply.headers.emplace_back("Link", "<" + upstream.url("/items?p=2") + R"(>; rel="next")");
    if (n == 2)
      reply.headers.emplace_back("Link", R"(</items?p=1>; rel="prev", </items?p=3>; rel="next")");
    return reply;
  });
  auto result = paginate(loopback_client(), upstream.url("/items"), {},
                         Pagination{.strategy = PageStrategy::LinkHeader});
  EXPECT_EQ(result.pages, 3u);
  EXPECT_EQ(result.items.size(), 30u);
}

TEST(PaginationTest, StopsAtTheCapsAndSaysSo) {
  FakeUpstream upstream;
  upstream.set_handler([](const FakeUpstream::Request& r) {
    std::string cursor = query_value(r.target, "cursor");
    int n = cursor.empty() ? 0 : std::stoi(cursor);
    return FakeUpstream::Reply::json(200, R"({"items": )" + items_json(n, n + 10) +
                                              R"(, "next_cursor": ")" + std::to_string(n + 10) +
                                              "\"}");
  });
  auto by_pages = paginate(loopback_client(), upstream.url("/endless"), {},
                           Pagination{.items_path = "items", .max_pages = 4});
  EXPECT_EQ(by_pages.pages, 4u);
  EXPECT_TRUE(by_pages.truncated);
  auto by_items = paginate(loopback_client(), upstream.url("/endless"), {},
                           Pagination{.items_path = "items", .max_items = 15});
  EXPECT_EQ(by_items.items.size(), 15u);
  EXPECT_TRUE(by_items.truncated);
}

TEST(PaginationTest, AFailedPageEndsTheWalkKeepingItsResponse) {
  FakeUpstream upstream;
  upstream.set_handler([](const FakeUpstream::Request& r) {
    if (!query_value(r.target, "cursor").empty()) {
      return FakeUpstream::Reply::json(403, R"({"error": "forbidden"})");
    }
    return FakeUpstream::Reply::json(200, R"({"items": [1, 2], "next_cursor": "x"})");
  });
  auto result =
      paginate(loopback_client(), upstream.url("/items"), {}, Pagination{.items_path = "items"});
  EXPECT_EQ(result.items.size(), 2u);
  ASSERT_TRUE(result.failed_page.has_value());
  EXPECT_EQ(result.failed_page->status, 403);
}

TEST(PaginationTest, ReadsLinkHeaders) {
  EXPECT_EQ(
      next_link(
          R"(<https://a.example/x?page=2>; rel="next", <https://a.example/x?page=9>; rel="last")"),
      "https://a.example/x?page=2");
  EXPECT_EQ(next_link(R"(<https://a.example/x?page=1>; rel="prev")"), std::nullopt);
  EXPECT_EQ(next_link(""), std::nullopt);
}

}  // namespace
}  // namespace patchbay::http
