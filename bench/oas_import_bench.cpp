// OpenAPI import cost on real descriptions: oas::import_text end to end (parse,
// model, draft definition with its generated script), timed alone and together
// with reading the file, median and min over --repeat runs, and the peak resident
// memory. Each file is measured in its own child process so the peak is that
// file's alone and one file cannot disturb the next.
//
// stdout: a TSV header, then one line per file as soon as it is done (columns in
// kColumns; `status` is "ok" or why there are no figures). stderr: progress, then a
// table for people. Exits 1 if any file failed.
// Rerun: build/bench/oas_import_bench [--repeat N] [--timeout SECONDS] FILE...
// With the peer (swagger-parser's dereference() under Node): bench/oas/run.sh

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oas/oas.hpp"

namespace {

namespace oas = patchbay::oas;
using Clock = std::chrono::steady_clock;

constexpr int kDefaultRepeat = 5;
// Graph beta takes seconds per run; this only stops a run that has gone wrong.
constexpr unsigned kDefaultTimeoutSeconds = 600;

constexpr std::string_view kColumns =
    "file\tstatus\tbytes\toperations\tcommands\twarnings\tscript_bytes\trepeat\t"
    "import_median_ms\timport_min_ms\ttotal_median_ms\ttotal_min_ms\tpeak_rss_mib\t"
    "total_first_ms";
constexpr auto kColumnCount =
    static_cast<std::size_t>(std::count(kColumns.begin(), kColumns.end(), '\t')) + 1;

struct Measurement {
  std::string file;
  std::string status = "ok";
  std::size_t bytes = 0;
  std::size_t operations = 0;
  std::size_t commands = 0;
  std::size_t warnings = 0;
  std::size_t script_bytes = 0;
  int repeat = 0;
  double import_median_ms = 0;  // oas::import_text alone
  double import_min_ms = 0;
  double total_median_ms = 0;  // reading the file + oas::import_text
  double total_min_ms = 0;
  double peak_rss_mib = 0;
  // The first run, in a process that has not imported anything yet: what a
  // one-shot `patchbay oas import` pays, page faults on fresh memory included.
  double total_first_ms = 0;
};

struct Options {
  int repeat = kDefaultRepeat;
  unsigned timeout_seconds = kDefaultTimeoutSeconds;
  std::vector<std::string> files;
};

double milliseconds(Clock::duration elapsed) {
  return std::chrono::duration<double, std::milli>(elapsed).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  std::string text(size, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(size))) return std::nullopt;
  return text;
}

// VmHWM, the high-water mark of this process's resident set. In a forked child it
// starts from the parent's, which holds no description: the bench's own baseline.
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024;
}

std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\t' || c == '\n'; }, ' ');
  return text;
}

std::size_t command_count(const boost::json::object& definition) {
  const auto* schema = definition.if_contains("configSchema");
  if (schema == nullptr || !schema->is_object()) return 0;
  const auto* commands = schema->as_object().if_contains("commands");
  return commands != nullptr && commands->is_object() ? commands->as_object().size() : 0;
}

Measurement measure(const std::string& path, int repeat) {
  Measurement result;
  result.file = path;
  result.repeat = repeat;
  std::vector<double> import_ms;
  std::vector<double> total_ms;
  for (int run = 0; run < repeat; ++run) {
    auto started = Clock::now();
    auto text = read_file(path);
    if (!text) {
      result.status = "cannot read the file";
      return result;
    }
    auto read = Clock::now();
    auto draft = oas::import_text(*text);
    auto imported = Clock::now();
    if (!draft) {
      result.status = one_line("import failed: " + draft.error().message);
      return result;
    }
    import_ms.push_back(milliseconds(imported - read));
    total_ms.push_back(milliseconds(imported - started));
    result.bytes = text->size();
    result.operations = draft->operations;
    result.commands = command_count(draft->definition);
    result.warnings = draft->warnings.size();
    const auto* script = draft->definition.if_contains("scriptSource");
    result.script_bytes = script != nullptr && script->is_string() ? script->as_string().size() : 0;
  }
  result.import_median_ms = median(import_ms);
  result.import_min_ms = *std::min_element(import_ms.begin(), import_ms.end());
  result.total_median_ms = median(total_ms);
  result.total_min_ms = *std::min_element(total_ms.begin(), total_ms.end());
  result.peak_rss_mib = peak_rss_mib();
  result.total_first_ms = total_ms.front();
  return result;
}

std::string to_tsv(const Measurement& m) {
  char figures[256];
  std::snprintf(figures, sizeof figures, "%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%.2f", m.import_median_ms,
                m.import_min_ms, m.total_median_ms, m.total_min_ms, m.peak_rss_mib,
                m.total_first_ms);
  std::ostringstream line;
  line << m.file << '\t' << m.status << '\t' << m.bytes << '\t' << m.operations << '\t'
       << m.commands << '\t' << m.warnings << '\t' << m.script_bytes << '\t' << m.repeat << '\t'
       << figures;
  return line.str();
}

// The inverse of to_tsv, for the line a child sends back.
std::optional<Measurement> from_tsv(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
  if (fields.size() != kColumnCount) return std::nullopt;
  Measurement m;
  m.file = fields[0];
  m.status = fields[1];
  m.bytes = std::strtoull(fields[2].c_str(), nullptr, 10);
  m.operations = std::strtoull(fields[3].c_str(), nullptr, 10);
  m.commands = std::strtoull(fields[4].c_str(), nullptr, 10);
  m.warnings = std::strtoull(fields[5].c_str(), nullptr, 10);
  m.script_bytes = std::strtoull(fields[6].c_str(), nullptr, 10);
  m.repeat = std::atoi(fields[7].c_str());
  m.import_median_ms = std::strtod(fields[8].c_str(), nullptr);
  m.import_min_ms = std::strtod(fields[9].c_str(), nullptr);
  m.total_median_ms = std::strtod(fields[10].c_str(), nullptr);
  m.total_min_ms = std::strtod(fields[11].c_str(), nullptr);
  m.peak_rss_mib = std::strtod(fields[12].c_str(), nullptr);
  m.total_first_ms = std::strtod(fields[13].c_str(), nullptr);
  return m;
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      return out;
    }
  }
}

// Runs measure() in a forked child; the child sends its TSV line through a pipe.
Measurement measure_in_child(const std::string& path, const Options& options) {
  Measurement failed;
  failed.file = path;
  failed.repeat = options.repeat;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    failed.status = "pipe failed";
    return failed;
  }
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    failed.status = "fork failed";
    return failed;
  }
  if (child == 0) {
    ::close(pipe_fds[0]);
    // SIGALRM's default action ends the child; the parent reports the timeout.
    ::alarm(options.timeout_seconds);
    std::string line = to_tsv(measure(path, options.repeat)) + "\n";
    bool sent = ::write(pipe_fds[1], line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::_exit(sent ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string line = read_all(pipe_fds[0]);
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    failed.status = WTERMSIG(status) == SIGALRM
                        ? "timed out after " + std::to_string(options.timeout_seconds) + " s"
                        : "child killed by signal " + std::to_string(WTERMSIG(status));
    return failed;
  }
  if (!line.empty() && line.back() == '\n') line.pop_back();
  auto parsed = from_tsv(line);
  if (!parsed) {
    failed.status =
        "child sent no result (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
    return failed;
  }
  return *parsed;
}

void print_table(const std::vector<Measurement>& results) {
  std::fprintf(stderr, "\n%-45s %8s %6s %10s %10s %10s %10s %11s %9s\n", "file", "MB", "ops",
               "import med", "import min", "total med", "total min", "total first", "peak MiB");
  for (const auto& m : results) {
    std::string name = std::filesystem::path(m.file).filename().string();
    if (m.status != "ok") {
      std::fprintf(stderr, "%-45.45s %s\n", name.c_str(), m.status.c_str());
      continue;
    }
    std::fprintf(stderr, "%-45.45s %8.2f %6zu %8.2fms %8.2fms %8.2fms %8.2fms %9.2fms %9.1f\n",
                 name.c_str(), static_cast<double>(m.bytes) / 1e6, m.operations, m.import_median_ms,
                 m.import_min_ms, m.total_median_ms, m.total_min_ms, m.total_first_ms,
                 m.peak_rss_mib);
  }
  std::fprintf(stderr,
               "(import = oas::import_text; total = reading the file + import; "
               "median and min of %d runs; first = the process's first run)\n",
               results.empty() ? 0 : results.front().repeat);
}

std::optional<long> positive_number(std::string_view text) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

std::optional<Options> parse_arguments(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "--repeat" || arg == "--timeout") && i + 1 < argc) {
      auto value = positive_number(argv[++i]);
      if (!value) return std::nullopt;
      if (arg == "--repeat") options.repeat = static_cast<int>(*value);
      if (arg == "--timeout") options.timeout_seconds = static_cast<unsigned>(*value);
    } else if (arg.starts_with("-")) {
      return std::nullopt;
    } else {
      options.files.emplace_back(arg);
    }
  }
  if (options.files.empty()) return std::nullopt;
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_arguments(argc, argv);
  if (!options) {
    std::fprintf(stderr, "usage: %s [--repeat N (%d)] [--timeout SECONDS (%u)] FILE...\n", argv[0],
                 kDefaultRepeat, kDefaultTimeoutSeconds);
    return 2;
  }
  std::printf("%s\n", std::string(kColumns).c_str());
  std::vector<Measurement> results;
  bool all_ok = true;
  for (std::size_t i = 0; i < options->files.size(); ++i) {
    const auto& file = options->files[i];
    std::fprintf(stderr, "[%zu/%zu] %s ...\n", i + 1, options->files.size(), file.c_str());
    auto started = Clock::now();
    results.push_back(measure_in_child(file, *options));
    const auto& m = results.back();
    all_ok = all_ok && m.status == "ok";
    std::fprintf(stderr, "        %s in %.1f s\n", m.status.c_str(),
                 milliseconds(Clock::now() - started) / 1000);
    std::printf("%s\n", to_tsv(m).c_str());
    std::fflush(stdout);
  }
  print_table(results);
  return all_ok ? 0 : 1;
}
