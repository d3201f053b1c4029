-- 100 samples per request (a JSON array), for our server and the bare-Netty ceiling.
local name = os.getenv("NAME") or "bench.batch"
local parts = {}
for i = 1, 100 do
  parts[i] = '{"name":"' .. name .. '","value":' .. i .. '}'
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "[" .. table.concat(parts, ",") .. "]"
