-- wrk script: every request is the service's ingest call.
wrk.method = "POST"
wrk.body = '{"name":"cpu","value":42.5}'
wrk.headers["Content-Type"] = "application/json"
