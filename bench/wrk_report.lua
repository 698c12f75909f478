-- wrk script for bench/pages.py: counts every response that is not a 200 (a redirect to
-- /login is a failure here, not a fast page) and prints one JSON line when the run ends.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
    not_200 = not_200 + 1
  end
end

function done(summary, latency, requests)
  local total_not_200 = 0
  for _, thread in ipairs(threads) do
    total_not_200 = total_not_200 + thread:get("not_200")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_REPORT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"max_us": %d, "not_200": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency.max, total_not_200, errors.connect, errors.read, errors.write, errors.timeout))
end
