-- wrk script for bench/warmup: posts one prediction and counts the 2xx answers per second of
-- wall-clock time, per thread; done() prints "second count" lines, merged over the threads.
-- The body and key come from the environment (WARMUP_BODY, WARMUP_KEY).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.body = os.getenv("WARMUP_BODY")
  wrk.headers["Content-Type"] = "application/json"
  local key = os.getenv("WARMUP_KEY")
  if key and key ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. key
  end
  counts = {}
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    local s = os.time()
    counts[s] = (counts[s] or 0) + 1
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for s, n in pairs(c) do
      merged[s] = (merged[s] or 0) + n
    end
  end
  local seconds = {}
  for s in pairs(merged) do
    table.insert(seconds, s)
  end
  table.sort(seconds)
  for _, s in ipairs(seconds) do
    io.write(string.format("second %d %d\n", s, merged[s]))
  end
end
