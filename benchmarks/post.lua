-- wrk script: POST the payload in $SC_BENCH_BODY (default: a 1x4 ndarray) as JSON.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("SC_BENCH_BODY") or '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}'
