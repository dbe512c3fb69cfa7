#!/usr/bin/env bash
# Load benchmark of POST /api/connectors/:id/execute against its peers, all on
# loopback in one run:
#   delay   - the delay built-in with delayMs=0 (server, auth, dispatch, record)
#   http    - the http built-in fetching 1 KB of JSON from a local nginx
#   script  - a script connector's echo command (fresh JS realm per execution)
#   node    - peer: a minimal node:http reverse proxy to the same nginx
#   nginx   - peer: nginx's own proxy_pass to the same upstream (the floor)
# Every patchbay request carries a bearer token and writes its execution record.
#
# Usage: bench/server/run.sh [SECONDS_PER_RUN (10)] [CONNECTIONS ("16 64")]
# Needs a build (make build) and wrk, nginx-light, node (scripts/setup installs
# the Debian packages).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
patchbay="$root/build/src/cli/patchbay"
seconds="${1:-10}"
connections="${2:-16 64}"
work="$(mktemp -d /tmp/patchbay-bench-XXXXXX)"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

wait_for() {  # URL
  for _ in $(seq 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "run.sh: $1 did not come up" >&2
  exit 1
}

for tool in wrk nginx node curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (scripts/setup)" >&2; exit 1; }
done
[ -x "$patchbay" ] || { echo "run.sh: build first (make build)" >&2; exit 1; }

upstream_port="$(free_port)"
nginx_proxy_port="$(free_port)"
node_port="$(free_port)"
patchbay_port="$(free_port)"

# 1 KB of JSON, the upstream's answer.
json='{"data":['
for i in $(seq 1 14); do
  json+="{\"id\":$i,\"email\":\"person$i@example.com\",\"name\":\"Person $i\"},"
done
json="${json%,}],\"total\":14}"

mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream json_upstream { server 127.0.0.1:$upstream_port; keepalive 128; }
  server {
    listen 127.0.0.1:$upstream_port;
    location = /json { default_type application/json; return 200 '$json'; }
  }
  server {
    listen 127.0.0.1:$nginx_proxy_port;
    location / {
      proxy_pass http://json_upstream/json;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
node "$here/node_proxy.mjs" "$node_port" "$upstream_port" >/dev/null &
pids+=($!)
PATCHBAY_HTTP_ALLOW=127.0.0.1/32 "$patchbay" --log-level warn serve \
  --listen "127.0.0.1:$patchbay_port" --data-dir "$work/data" >"$work/serve.out" &
pids+=($!)
wait_for "http://127.0.0.1:$upstream_port/json"
wait_for "http://127.0.0.1:$node_port/"
wait_for "http://127.0.0.1:$patchbay_port/api/health"
token="$(grep -o 'pb_[A-Za-z0-9_-]*' "$work/serve.out" | head -1)"
base="http://127.0.0.1:$patchbay_port"

create() {
  local status
  status="$(curl -s -o "$work/create.json" -w '%{http_code}' -X POST "$base/api/connectors" \
    -H "Authorization: Bearer $token" -d "$1")"
  [ "$status" = 201 ] || { echo "run.sh: creating a connector failed: $(cat "$work/create.json")" >&2; exit 1; }
}
create '{"name": "wait", "type": "delay", "executionModel": "built_in"}'
create '{"name": "fetch", "type": "http", "executionModel": "built_in"}'
create '{"name": "echo", "executionModel": "script",
         "configSchema": {"commands": {"echo": {"params": ["message"]}}},
         "scriptSource": "function echo() { return {success: true, payload: {message: floh.params.message}}; }"}'

bodies=(
  'delay|POST|/api/connectors/wait/execute|{"command": "wait", "params": {"delayMs": 0}}'
  "http|POST|/api/connectors/fetch/execute|{\"params\": {\"method\": \"GET\", \"url\": \"http://127.0.0.1:$upstream_port/json\"}}"
  'script|POST|/api/connectors/echo/execute|{"command": "echo", "params": {"message": "hello"}}'
)

# Warm up (connection pools, script stencils), then measure.
for entry in "${bodies[@]}"; do
  IFS='|' read -r name method path body <<<"$entry"
  BENCH_METHOD=$method BENCH_BODY=$body BENCH_TOKEN=$token \
    wrk -t2 -c16 -d2s -s "$here/report.lua" "$base$path" >/dev/null
done

echo "| target | connections | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|"
for c in $connections; do
  for entry in "${bodies[@]}" "node|GET|NODE|" "nginx|GET|NGINX|"; do
    IFS='|' read -r name method path body <<<"$entry"
    url="$base$path"
    token_for=$token
    [ "$path" = NODE ] && url="http://127.0.0.1:$node_port/" && token_for=""
    [ "$path" = NGINX ] && url="http://127.0.0.1:$nginx_proxy_port/" && token_for=""
    line="$(BENCH_METHOD=$method BENCH_BODY=$body BENCH_TOKEN=$token_for \
      wrk -t2 -c"$c" -d"${seconds}s" --latency -s "$here/report.lua" "$url" | grep '^RESULT')"
    rps="$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$line")"
    p50="$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")"
    p99="$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")"
    errors="$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$line")"
    echo "| $name | $c | $rps | $p50 | $p99 | $errors |"
  done
done

# Failed results inside 200 answers, and records written, from the server itself.
metrics="$(curl -s "$base/metrics" -H "Authorization: Bearer $token")"
count() { awk -v pattern="$1" '$0 ~ pattern {s += $2} END {print s + 0}' <<<"$metrics"; }
failures="$(count '^patchbay_executions_total[{].*outcome="failure"')"
successes="$(count '^patchbay_executions_total[{].*outcome="success"')"
batches="$(count '^patchbay_execution_record_batches_total')"
echo
echo "executions: $successes succeeded, $failures failed; execution records written in $batches group commits"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
