-- One sample per request, JSON, for our server and the bare-Netty ceiling.
-- The metric name comes from $NAME so that each run's samples can be counted back.
local name = os.getenv("NAME") or "bench.single"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"' .. name .. '","value":42.5}'
