#pragma once
// Pagination for built-in connectors: fetches page after page of a list endpoint
// through the outbound client and collects the items, with caps on pages and items.
//
//   Pagination p{.strategy = PageStrategy::Cursor, .items_path = "data",
//                .cursor_path = "meta.next_cursor", .cursor_param = "cursor"};
//   PageResult all = paginate(client, url, options, p, logger);
//
// Strategies:
// - Cursor: the response names the next cursor at `cursor_path`; it is sent back as
//   query `cursor_param`; an absent, null or empty cursor ends the list.
// - Offset: query `offset_param` advances by the items received; `limit_param` =
//   `page_size`; a short or empty page ends the list.
// - Page: query `page_param` counts from `first_page`; a short or empty page ends it.
// - LinkHeader: follows the `Link: <...>; rel="next"` URL (RFC 8288) until none.
// Every page is an ordinary request: SSRF policy, retries and rate limits apply.

#include <cstddef>
#include <optional>
#include <string>

#include <boost/json/array.hpp>

#include "http/client.hpp"

namespace patchbay::http {

enum class PageStrategy { Cursor, Offset, Page, LinkHeader };

struct Pagination {
  PageStrategy strategy = PageStrategy::Cursor;
  // Dotted path to the item array in each page's body; "" means the body is the array.
  std::string items_path;
  std::string cursor_path = "next_cursor";
  std::string cursor_param = "cursor";
  std::string offset_param = "offset";
  std::string limit_param = "limit";
  std::string page_param = "page";
  std::size_t page_size = 100;
  long long first_page = 1;
  std::size_t max_pages = 100;
  std::size_t max_items = 10'000;
};

struct PageResult {
  boost::json::array items;
  std::size_t pages = 0;
  // True when a cap stopped the walk while more pages were likely.
  bool truncated = false;
  // The first page that did not answer 2xx ends the walk; the items so far are kept.
  std::optional<Response> failed_page;
};

// Walks the pages. Throws HttpError like request() does. A page that does not
// answer 2xx, or whose items are not an array at `items_path`, ends the walk with
// `failed_page` set to that response.
PageResult paginate(const Client& client, std::string_view url, const RequestOptions& options,
                    const Pagination& pagination, core::Logger& logger = core::null_logger());

// The rel="next" target of a Link header value, if any.
std::optional<std::string> next_link(std::string_view link_header);

// The value at a dotted path ("meta.next"), or null when any step is missing.
const boost::json::value* value_at_path(const boost::json::value& root, std::string_view path);

}  // namespace patchbay::http
