-- wrk script for bench/bench_server.py: POST the class-graph query of a random class per request.
-- Arguments (after `--`): <class count> <body template file, with __KEY__ where the class key goes>.
-- done() prints one machine-readable line: requests, duration, percentiles (microseconds) and errors.

local threads = {}
local prefix, suffix, classes

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  classes = tonumber(args[1])
  local file = assert(io.open(args[2], "r"))
  local template = file:read("*a")
  file:close()
  local at = assert(string.find(template, "__KEY__", 1, true))
  prefix = string.sub(template, 1, at - 1)
  suffix = string.sub(template, at + 7)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  graphql_errors = 0
end

function request()
  return wrk.format(nil, "/graphql", nil, prefix .. tostring(math.random(0, classes - 1)) .. suffix)
end

function response(status, headers, body)
  -- a 200 answer may still carry GraphQL errors: count those too
  if status == 200 and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local gql = 0
  for _, thread in ipairs(threads) do
    gql = gql + thread:get("graphql_errors")
  end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d mean_us=%.0f max_us=%d "
      .. "non2xx=%d connect=%d read=%d write=%d timeout=%d graphql=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, e.status, e.connect, e.read, e.write, e.timeout, gql))
end
