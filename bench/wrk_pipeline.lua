-- bench/wrk_pipeline.lua - wrk script: each write carries DEPTH (env,
-- default 16) GET / requests on one keep-alive connection (HTTP/1.1
-- pipelining). wrk counts each response, so a connection keeps DEPTH
-- requests in flight and the load generator spends far less per request:
-- the server, not wrk, is then the limit. Used by bench/bench_io.sh.
local depth = tonumber(os.getenv("DEPTH") or "16")
init = function(args)
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil, "/") end
  req = table.concat(r)
end
request = function() return req end
