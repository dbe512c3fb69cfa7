#!/usr/bin/env bash
# A bounded libFuzzer search, as `make test` runs it (test/CMakeLists.txt) and as
# a person runs a longer one (fuzz/README.md). Two steps:
#
#   run_bounded.sh build BUILD_DIR TARGET...
#     Configures BUILD_DIR once as a clang PATCHBAY_FUZZ=ON build of this source
#     tree (ccache when installed) and builds only TARGET and what it links: a fuzz
#     target pulls in its libraries, never the whole project.
#
#   run_bounded.sh run FUZZER SEED_DIR WORK_DIR SECONDS [LIBFUZZER_FLAG...]
#     Runs FUZZER for SECONDS over WORK_DIR/corpus (the seeds copied in; inputs it
#     finds accumulate there), writing any crash, leak or timeout reproducer to
#     WORK_DIR/artifacts. Exits non-zero, naming the reproducer, when libFuzzer
#     finds one. Nothing is written to SEED_DIR.
set -euo pipefail

usage() {
  sed -n '2,15p' "$0" >&2
  exit 2
}

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

build() {
  local build_dir="$1"
  shift
  [[ $# -gt 0 ]] || usage
  if ! command -v clang++ >/dev/null; then
    echo "run_bounded: clang++ is missing (scripts/deps.txt lists clang; run scripts/setup)" >&2
    exit 1
  fi
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    local launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    # -O1 -g and no NDEBUG: fast enough to search, with PATCHBAY_ASSERT on and
    # readable stacks. Tests are on only because the fuzz targets live in test/.
    CXX=clang++ cmake -S "$source_dir" -B "$build_dir" -G Ninja \
      -DPATCHBAY_FUZZ=ON -DPATCHBAY_BUILD_TESTS=ON \
      -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -g" "${launcher[@]}"
  fi
  cmake --build "$build_dir" -j 2 --target "$@"
}

run() {
  [[ $# -ge 4 ]] || usage
  local fuzzer="$1" seeds="$2" work="$3" seconds="$4"
  shift 4
  [[ -x "$fuzzer" ]] || { echo "run_bounded: no fuzzer at $fuzzer (build it first)" >&2; exit 1; }
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -R -f "$seeds"/. "$work/corpus/"
  local log="$work/last-run.log"
  # UBSan only prints by default; a report must fail the run like an ASan one.
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
  echo "run_bounded: $fuzzer for ${seconds}s over $work/corpus"
  local status=0
  "$fuzzer" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" \
    >"$log" 2>&1 || status=$?
  # The search's progress lines are many; its end says what happened.
  grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse|RELOAD)' "$log" | tail -n 80 || true
  if [[ $status -ne 0 ]]; then
    echo "run_bounded: libFuzzer failed (exit $status); the whole log is $log" >&2
    local reproducers
    reproducers="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")"
    for reproducer in $reproducers; do
      echo "run_bounded: reproducer $reproducer" >&2
      echo "  replay:   $fuzzer $reproducer" >&2
      echo "  minimize: $fuzzer -minimize_crash=1 -runs=10000 $reproducer" >&2
    done
    echo "run_bounded: keep the (minimized) reproducer in $seeds as crash-<sha1> with the fix" >&2
    exit 1
  fi
}

case "${1:-}" in
  build) shift; [[ $# -ge 2 ]] || usage; build "$@" ;;
  run) shift; run "$@" ;;
  *) usage ;;
esac
