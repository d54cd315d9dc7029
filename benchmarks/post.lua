-- wrk script: POST a JSON body.
--   SC_BENCH_BODY_FILE  read the body from this file (any size; benchmarks/run.py uses this)
--   SC_BENCH_BODY       else the body itself (default: a 1x4 ndarray)
--   SC_BENCH_JSON=1     at the end print one line "SC_BENCH_RESULT {json}" with the request count,
--                       duration, errors and latency percentiles (microseconds) for run.py
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local path = os.getenv("SC_BENCH_BODY_FILE")
if path and path ~= "" then
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
else
  wrk.body = os.getenv("SC_BENCH_BODY") or '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}'
end

if os.getenv("SC_BENCH_JSON") == "1" then
  function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
      'SC_BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
  end
end
