-- One sample per request to VictoriaMetrics /write (Influx line protocol): series bench_value{run=$NAME}.
local name = os.getenv("NAME") or "single"
wrk.method = "POST"
wrk.body = "bench,run=" .. name .. " value=42.5"
