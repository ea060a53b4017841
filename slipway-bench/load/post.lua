-- wrk script: POSTs the JSON file named by the BODY environment variable on every request, and
-- prints one machine-readable RESULT line when the run ends (parsed by run-load.sh).
local path = os.getenv("BODY")
local f = assert(io.open(path, "rb"), "BODY must name a readable file")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d rps=%.1f non2xx=%d connect=%d read=%d write=%d timeout=%d"
      .. " p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, summary.requests / secs, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
