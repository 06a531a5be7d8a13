-- wrk script: POST a JSON body read from a file, count non-2xx responses.
--   wrk -t2 -c32 -d15s --latency -s bench/load/post.lua URL -- path/to/body.json
--   (or set BODY_FILE=path/to/body.json instead of the argument)
-- done() prints "non-2xx: N" (with a per-status breakdown) and one machine-readable line:
--   WRK_RESULT {"requests":..,"duration_s":..,"rps":..,"p50_ms":..,"p90_ms":..,"p99_ms":..,"max_ms":..,
--               "non2xx":..,"socket_errors":..}

local threads = {}

-- DELAY_MS=n: each connection waits n ms before its next request (wrk's delay() hook), which paces
-- the load: c connections at DELAY_MS=d send a little under c * 1000 / d requests/s.
local pace_ms = tonumber(os.getenv("DELAY_MS") or "")
if pace_ms then
  function delay()
    return pace_ms
  end
end

local function read_file(path)
  local f = assert(io.open(path, "rb"), "cannot open body file " .. tostring(path))
  local s = f:read("*a")
  f:close()
  return s
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1] or os.getenv("BODY_FILE")
  assert(path, "give the body file as wrk arg (-- FILE) or BODY_FILE env")
  wrk.method = "POST"
  wrk.body = read_file(path)
  wrk.headers["Content-Type"] = "application/json"
  non2xx = 0
  statuses = {}
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  local by_status = {}
  for _, t in ipairs(threads) do
    total = total + (t:get("non2xx") or 0)
    local st = t:get("statuses")
    if st then
      for k, v in pairs(st) do by_status[k] = (by_status[k] or 0) + v end
    end
  end
  local parts = {}
  for k, v in pairs(by_status) do table.insert(parts, string.format("%d=%d", k, v)) end
  io.write(string.format("non-2xx: %d %s\n", total, table.concat(parts, " ")))
  local e = summary.errors
  local dur = summary.duration / 1e6
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, dur, summary.requests / dur,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, total, e.connect + e.read + e.write + e.timeout))
end
