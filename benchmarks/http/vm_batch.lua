-- 100 lines per request to VictoriaMetrics /write, the same samples as post_batch.lua.
local name = os.getenv("NAME") or "batch"
local lines = {}
for i = 1, 100 do
  lines[i] = "bench,run=" .. name .. " value=" .. i
end
wrk.method = "POST"
wrk.body = table.concat(lines, "\n")
