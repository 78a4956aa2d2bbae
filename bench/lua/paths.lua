-- Cycle through the request paths listed in a file, one a line:
--   wrk -tT ... -s paths.lua URL -- FILE T
-- Thread i of T starts at the i-th T-th of the list, so the threads ask for different pages.
local count = 0

function setup(thread)
  thread:set("index", count)
  count = count + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  position = math.floor(#paths * index / (tonumber(args[2]) or 1))
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end
