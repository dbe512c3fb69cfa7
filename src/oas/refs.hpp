#pragma once
// Follows $refs: local ones ("#/components/schemas/Pet") in the description,
// external ones ("common.yaml#/Id") through ImportOptions::load_external, each
// external document loaded once. Chains are followed hop by hop with cycle
// detection; nothing is dereferenced in place.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "oas/document.hpp"
#include "oas/oas.hpp"

namespace patchbay::oas {

// A value and the document it lives in (0: the description; then external ones,
// which relative refs inside them are resolved against).
struct Located {
  const boost::json::value* value = nullptr;
  std::size_t document = 0;

  explicit operator bool() const { return value != nullptr; }
};

class Resolver {
 public:
  // `root` and `options` must outlive the resolver.
  Resolver(const boost::json::value& root, const ImportOptions& options);

  // `node` with its $ref chain followed to a value that is not a reference. A
  // broken, circular, too long or (without a loader) external chain gives an empty
  // Located and `problem` saying which ref and why. A node that is not a reference
  // is returned as it is.
  Located follow(Located node, std::string& problem);

  // The value a JSON pointer ("#/components/schemas/Pet" or "/components/...")
  // names in `document`, or nullptr.
  const boost::json::value* at(std::size_t document, std::string_view pointer) const;

 private:
  struct External {
    std::string name;  // as passed to the loader
    Document document;
  };

  // The document an external ref's file part names, loading it on first use.
  std::size_t external(std::size_t from, std::string_view file, std::string& problem);
  const boost::json::value& root_of(std::size_t document) const;

  const boost::json::value& root_;
  const ImportOptions& options_;
  std::vector<std::unique_ptr<External>> externals_;
  std::map<std::string, std::size_t, std::less<>> external_index_;
};

// Decodes one JSON pointer segment ("a~1b" -> "a/b", "%7Bid%7D" -> "{id}").
std::string decode_pointer_segment(std::string_view segment);
// Encodes a key as a JSON pointer segment ("/pets/{id}" -> "~1pets~1{id}").
std::string encode_pointer_segment(std::string_view key);

}  // namespace patchbay::oas
