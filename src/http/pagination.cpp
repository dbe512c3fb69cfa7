#include "http/pagination.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "core/json.hpp"

namespace patchbay::http {
namespace {

void set_query(RequestOptions& options, const std::string& name, const std::string& value) {
  std::erase_if(options.query, [&](const auto& q) { return q.first == name; });
  options.query.emplace_back(name, value);
}

}  // namespace

const boost::json::value* value_at_path(const boost::json::value& root, std::string_view path) {
  const boost::json::value* current = &root;
  while (!path.empty()) {
    auto dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    const auto* object = current->if_object();
    if (object == nullptr) return nullptr;
    current = object->if_contains(key);
    if (current == nullptr) return nullptr;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return current;
}

std::optional<std::string> next_link(std::string_view header) {
  // <https://api.example.com/items?page=2>; rel="next", <...>; rel="last"
  std::size_t at = 0;
  while (at < header.size()) {
    auto open = header.find('<', at);
    if (open == std::string_view::npos) return std::nullopt;
    auto close = header.find('>', open);
    if (close == std::string_view::npos) return std::nullopt;
    auto end = header.find(",", close);
    std::string_view params =
        header.substr(close + 1, end == std::string_view::npos ? header.npos : end - close - 1);
    for (std::string_view form : {"rel=\"next\"", "rel=next", "rel=\"next "}) {
      if (params.find(form) != std::string_view::npos) {
        return std::string(header.substr(open + 1, close - open - 1));
      }
    }
    if (end == std::string_view::npos) return std::nullopt;
    at = end + 1;
  }
  return std::nullopt;
}

PageResult paginate(const Client& client, std::string_view url, const RequestOptions& options,
                    const Pagination& p, core::Logger& logger) {
  PageResult result;
  RequestOptions page_options = options;
  std::string page_url(url);
  long long page_number = p.first_page;
  std::size_t offset = 0;
  if (p.strategy == PageStrategy::Offset) {
    set_query(page_options, p.limit_param, std::to_string(p.page_size));
    set_query(page_options, p.offset_param, "0");
  } else if (p.strategy == PageStrategy::Page) {
    set_query(page_options, p.page_param, std::to_string(page_number));
  }

  while (true) {
    if (result.pages >= p.max_pages || result.items.size() >= p.max_items) {
      result.truncated = true;
      break;
    }
    Response response = client.request(page_url, page_options, logger);
    ++result.pages;
    const auto* items =
        p.items_path.empty() ? &response.body : value_at_path(response.body, p.items_path);
    if (!response.is_successful || items == nullptr || !items->is_array()) {
      result.failed_page = std::move(response);
      break;
    }
    const auto& page = items->get_array();
    for (const auto& item : page) {
      if (result.items.size() >= p.max_items) {
        result.truncated = true;
        break;
      }
      result.items.push_back(item);
    }
    if (result.truncated) break;
    logger.debug("page fetched", {{"page", result.pages}, {"items", page.size()}});

    switch (p.strategy) {
      case PageStrategy::Cursor: {
        const auto* cursor = value_at_path(response.body, p.cursor_path);
        if (cursor == nullptr || cursor->is_null() ||
            (cursor->is_string() && cursor->get_string().empty()) || page.empty()) {
          return result;
        }
        set_query(page_options, p.cursor_param, core::json_to_display_string(*cursor));
        break;
      }
      case PageStrategy::Offset:
        if (page.size() < p.page_size || page.empty()) return result;
        offset += page.size();
        set_query(page_options, p.offset_param, std::to_string(offset));
        break;
      case PageStrategy::Page:
        if (page.size() < p.page_size || page.empty()) return result;
        set_query(page_options, p.page_param, std::to_string(++page_number));
        break;
      case PageStrategy::LinkHeader: {
        auto link = response.header("link");
        auto next = link ? next_link(*link) : std::nullopt;
        if (!next) return result;
        auto base = boost::urls::parse_absolute_uri(page_url);
        auto reference = boost::urls::parse_uri_reference(*next);
        boost::urls::url resolved;
        if (!base || !reference || !boost::urls::resolve(*base, *reference, resolved)) {
          result.failed_page = std::move(response);
          return result;
        }
        page_url = std::string(resolved.buffer());
        // The next URL carries its own query.
        page_options.query.clear();
        break;
      }
    }
  }
  return result;
}

}  // namespace patchbay::http
