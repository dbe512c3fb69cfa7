-- wrk script: sends the request given in the environment and prints one summary
-- line: requests/s, p50/p99 in ms, and every kind of error wrk counts (socket
-- errors, timeouts, non-2xx answers). Failed results inside 200s are counted by
-- run.sh from the server's /metrics.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.body = os.getenv("BENCH_BODY")
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
if wrk.body then wrk.headers["Content-Type"] = "application/json" end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors, summary.requests))
end
