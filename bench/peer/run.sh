#!/usr/bin/env bash
# Runs the script benchmark and its peer in one go: bench/script_bench, then the
# same script in QuickJS (quickjs-emscripten under Node) with 1 and 2 processes.
# Needs node and npm; installs the peer's npm packages into bench/peer/node_modules
# (not committed). Usage: bench/peer/run.sh [executions]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
executions="${1:-5000}"
command -v node >/dev/null || { echo "run.sh: node is required for the peer" >&2; exit 1; }
if [ ! -d "$here/node_modules/quickjs-emscripten" ]; then
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
fi
"$root/build/bench/script_bench" "$executions"
echo "peer, 1 process:"
node "$here/quickjs_bench.mjs" "$executions"
echo "peer, 2 processes at once:"
node "$here/quickjs_bench.mjs" "$executions" & node "$here/quickjs_bench.mjs" "$executions"; wait
