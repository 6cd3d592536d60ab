-- wrk script: GET each (path, cookie) pair given after "--" in turn, and report latency
-- percentiles and every response outside 2xx (wrk itself counts only 4xx/5xx).
local requests_ready = {}
local next_index = 0
non2xx = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for i = 1, #args, 2 do
    local headers = {["User-Agent"] = "schoolpeers-bench/1"}
    if args[i + 1] ~= "-" then
      headers["Cookie"] = args[i + 1]
    end
    table.insert(requests_ready, wrk.format("GET", args[i], headers))
  end
end

function request()
  next_index = next_index % #requests_ready + 1
  return requests_ready[next_index]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), bad, e.connect + e.read + e.write + e.timeout))
end
