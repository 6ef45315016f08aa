-- wrk script of the gateway bench: POSTs one JSON body per request and checks every answer.
-- Usage: wrk ... -s chat.lua URL -- BODY_FILE EXPECT AUTHORIZATION UNIQUE RUN
--   BODY_FILE      a JSON body; the text "{{N}}" in it becomes a number unique to the request when UNIQUE=1
--   RUN            a prefix of those numbers, new for every wrk run (so no run repeats an earlier one)
--   EXPECT         a string every good answer body contains (e.g. "source":"model")
--   AUTHORIZATION  the Authorization header value, or @FILE: one value a line, taken in turn (many users)
-- done() prints one line: GATEWAY_RESULT {json}, latencies in microseconds.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  template = file:read("*a")
  file:close()
  expect = args[2]
  unique = args[4] == "1"
  run = args[5] or "0"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  tokens = {}
  if args[3]:sub(1, 1) == "@" then
    for line in io.lines(args[3]:sub(2)) do
      table.insert(tokens, line)
    end
  else
    tokens[1] = args[3]
  end
  good = 0
  bad = 0
  sample = ""
end

function request()
  counter = counter + 1
  local body = template
  if unique then
    -- letters, not digits: digits can read as a phone number, which the service masks before caching
    local marker = (run .. "-" .. id .. "-" .. counter):gsub("%d", function(d) return string.char(97 + tonumber(d)) end)
    body = template:gsub("{{N}}", marker)
  end
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = tokens[(id + counter) % #tokens + 1],
  }
  return wrk.format(nil, nil, headers, body)
end

function response(status, headers, body)
  if status == 200 and body:find(expect, 1, true) then
    good = good + 1
  else
    bad = bad + 1
    if sample == "" then
      sample = status .. " " .. body:sub(1, 160)
    end
  end
end

function done(summary, latency, requests)
  local good_total, bad_total, sample_any = 0, 0, ""
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    if sample_any == "" then
      sample_any = thread:get("sample")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'GATEWAY_RESULT {"requests":%d,"duration_us":%d,"good":%d,"bad":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%f,"sample_bad":%q}\n',
    summary.requests, summary.duration, good_total, bad_total, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, sample_any))
end
