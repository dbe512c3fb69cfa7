// Every description of shared/oas-corpus imports: one command per operation of
// INDEX.tsv minus the reported skips, a definition that parses and validates, a
// script that compiles with a function per command, and the connection fields of
// seed 001's security table for the schemes INDEX.tsv lists.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/connector_definition.hpp"
#include "core/json.hpp"
#include "oas/oas.hpp"
#include "script/script.hpp"
#include "support/files.hpp"

namespace patchbay::oas {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

fs::path corpus_dir() { return fs::path(PATCHBAY_SOURCE_DIR) / ".." / "shared" / "oas-corpus"; }

struct CorpusEntry {
  std::string file;
  std::string spec_version;
  std::size_t operations = 0;
  std::string features;

  bool has(std::string_view feature) const {
    std::string padded = "," + features + ",";
    return padded.find("," + std::string(feature) + ",") != std::string::npos;
  }
};

std::vector<CorpusEntry> corpus() {
  std::vector<CorpusEntry> out;
  std::ifstream index(corpus_dir() / "INDEX.tsv");
  std::string line;
  std::getline(index, line);  // header
  while (std::getline(index, line)) {
    std::vector<std::string> columns;
    std::stringstream split(line);
    std::string column;
    while (std::getline(split, column, '\t')) columns.push_back(column);
    if (columns.size() < 7) continue;
    out.push_back({columns[0], columns[2], std::stoul(columns[4]), columns[6]});
  }
  return out;
}

class CorpusTest : public ::testing::TestWithParam<CorpusEntry> {};

TEST(CorpusIndex, ListsTheWholeCorpus) {
  auto entries = corpus();
  ASSERT_GE(entries.size(), 60u) << "shared/oas-corpus/INDEX.tsv not found under " << corpus_dir();
}

TEST_P(CorpusTest, ImportsWithACommandPerOperation) {
  const CorpusEntry& entry = GetParam();
  std::string text = test::read_text(corpus_dir() / entry.file);
  ASSERT_FALSE(text.empty());
  auto draft = import_text(text);
  ASSERT_TRUE(draft.has_value()) << draft.error().message;
  EXPECT_EQ(draft->operations, entry.operations);
  EXPECT_EQ(draft->spec_version.substr(0, 3), entry.spec_version.substr(0, 3));

  std::size_t skipped = std::count_if(draft->warnings.begin(), draft->warnings.end(),
                                      [](const ImportWarning& w) { return w.kind == WarningKind::Skipped; });
  auto parsed = core::parse_connector_definition(json::value(draft->definition));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_TRUE(core::validate_definition(*parsed).empty());
  EXPECT_EQ(parsed->execution_model, core::ExecutionModel::Oas);
  std::size_t commands = parsed->config_schema.commands.size();
  bool has_test = parsed->config_schema.find_command("test") != nullptr;
  EXPECT_EQ(commands - (has_test ? 1 : 0), entry.operations - skipped);

  // The generated script compiles and defines every command.
  ASSERT_TRUE(script::check_script(parsed->script_source).has_value());
  auto functions = script::script_functions(parsed->script_source);
  ASSERT_TRUE(functions.has_value()) << functions.error().message;
  for (const auto& command : parsed->config_schema.commands) {
    EXPECT_NE(std::find(functions->begin(), functions->end(), command.name), functions->end())
        << command.name;
  }

  // Seed 001's security table, for the schemes the index names.
  auto field_named = [&](std::string_view suffix) {
    for (const auto& field : parsed->config_schema.connection_config) {
      if (field.name.size() >= suffix.size() &&
          field.name.compare(field.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return &field;
      }
    }
    return static_cast<const core::FieldSpec*>(nullptr);
  };
  ASSERT_NE(field_named("baseUrl"), nullptr);
  if (entry.has("http_bearer")) {
    ASSERT_NE(field_named("earerToken"), nullptr);
    EXPECT_TRUE(field_named("earerToken")->secret);
  }
  if (entry.has("http_basic")) {
    EXPECT_NE(field_named("sername"), nullptr);
    ASSERT_NE(field_named("assword"), nullptr);
    EXPECT_TRUE(field_named("assword")->secret);
  }
  if (entry.has("oauth2_client_credentials")) {
    EXPECT_NE(field_named("lientId"), nullptr);
    EXPECT_NE(field_named("lientSecret"), nullptr);
    EXPECT_NE(field_named("okenUrl"), nullptr);
  }
  for (const char* where : {"header", "query", "cookie"}) {
    if (entry.has(std::string("apikey_") + where)) {
      EXPECT_NE(parsed->script_source.find(std::string("\"type\":\"apiKey\",\"in\":\"") + where),
                std::string::npos)
          << where;
    }
  }
  if (entry.has("deprecated_ops")) {
    EXPECT_TRUE(std::any_of(parsed->config_schema.commands.begin(),
                            parsed->config_schema.commands.end(),
                            [](const core::CommandSpec& c) { return c.deprecated; }));
  }
}

INSTANTIATE_TEST_SUITE_P(OasCorpus, CorpusTest, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<CorpusEntry>& entry) {
                           std::string name;
                           for (char c : entry.param.file) {
                             name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
                           }
                           return name;
                         });

// The invalid Swagger 2.0 document of the corpus (its host is an array) imports
// with a warning naming the problem, and its baseUrl must be given.
TEST(CorpusOddities, FoursquareHostArrayIsReported) {
  auto draft = import_text(test::read_text(
      corpus_dir() / "api-spec-converter__foursquare__An_API_version_here.json"));
  ASSERT_TRUE(draft.has_value()) << draft.error().message;
  bool reported = std::any_of(draft->warnings.begin(), draft->warnings.end(), [](const auto& w) {
    return w.pointer == "#/host" && w.message.find("must be a string") != std::string::npos;
  });
  EXPECT_TRUE(reported);
  const auto& base = draft->definition.at("configSchema").at("connectionConfig").at("baseUrl");
  EXPECT_EQ(base.at("required"), true);
}

TEST(CorpusOddities, PathKeysWithFragmentsAndQueriesImport) {
  auto draft = import_text(test::read_text(corpus_dir() / "amazonaws.com__macie__2017-12-19.json"));
  ASSERT_TRUE(draft.has_value());
  const auto& script = draft->definition.at("scriptSource").as_string();
  // "/#X-Amz-Target=..." is sent as "/": a fragment never reaches a server.
  EXPECT_EQ(std::string_view(script).find("\"path\":\"/#"), std::string_view::npos);
  EXPECT_TRUE(std::any_of(draft->warnings.begin(), draft->warnings.end(), [](const auto& w) {
    return w.message.find("fragment") != std::string::npos;
  }));
}

TEST(CorpusOddities, OperationServersBecomeConnectionFields) {
  auto draft = import_text(test::read_text(corpus_dir() / "github.com__api.github.com__23.0.2.json"));
  ASSERT_TRUE(draft.has_value());
  const auto& connection = draft->definition.at("configSchema").at("connectionConfig").as_object();
  EXPECT_EQ(connection.at("baseUrl").at("default"), "https://api.github.com");
  ASSERT_TRUE(connection.contains("uploadsBaseUrl"));
  EXPECT_EQ(connection.at("uploadsBaseUrl").at("default"), "https://uploads.github.com");
  EXPECT_LT(draft->definition.at("scriptSource").as_string().size(), 1024u * 1024u);
}

}  // namespace
}  // namespace patchbay::oas
