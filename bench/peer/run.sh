#!/usr/bin/env bash
# Runs the script benchmark and its peer, alternating, in ROUNDS rounds: each
# round runs bench/script_bench, then the same script in QuickJS
# (quickjs-emscripten under Node) in one process, then in two processes timed
# side by side. Prints every round's figures with the ratios, and their medians:
# this machine's speed moves between runs, so one round proves little.
# Needs node and npm; installs the peer's npm packages into bench/peer/node_modules
# (not committed). Usage: bench/peer/run.sh [EXECUTIONS (5000)] [ROUNDS (3)]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
executions="${1:-5000}"
rounds="${2:-3}"
command -v node >/dev/null || { echo "run.sh: node is required for the peer" >&2; exit 1; }
[ -x "$root/build/bench/script_bench" ] || { echo "run.sh: build first (make build)" >&2; exit 1; }
if [ ! -d "$here/node_modules/quickjs-emscripten" ]; then
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
fi
results="$(mktemp /tmp/script-bench-XXXXXX)"
trap 'rm -f "$results"' EXIT

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  "$root/build/bench/script_bench" "$executions" | tee /dev/stderr | grep '^{' >>"$results"
  node "$here/quickjs_bench.mjs" "$executions" >>"$results"
  # Both peer processes warm up, then start timing at the same moment.
  start_at=$(( $(date +%s%3N) + 4000 ))
  PEER_START_AT=$start_at node "$here/quickjs_bench.mjs" "$executions" >"$results.a" &
  PEER_START_AT=$start_at node "$here/quickjs_bench.mjs" "$executions" >"$results.b"
  wait
  cat "$results.a" "$results.b" >>"$results"
  rm -f "$results.a" "$results.b"
done
echo "script_bench vs QuickJS, $executions executions per thread or process, $rounds rounds"
node "$here/summarize.mjs" "$results"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
