-- Count responses by status class (2xx, 3xx, 4xx, 5xx) and print the totals after the report.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = { 0, 0, 0, 0, 0 }
end

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class >= 1 and class <= 5 then
    counts[class] = counts[class] + 1
  end
end

function done(summary, latency, requests)
  for class = 1, 5 do
    local total = 0
    for _, thread in ipairs(threads) do
      total = total + thread:get("counts")[class]
    end
    io.write(string.format("status %dxx: %d\n", class, total))
  end
end
