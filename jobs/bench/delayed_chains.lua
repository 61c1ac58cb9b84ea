-- delayed_chains.lua — benchmark job for delayed scheduling: the 'Scaling
-- with Dask' seed's 30 chains of square, square, add, square_root, each
-- task sleeping `ms` milliseconds (default 1000), computed once. Prints the
-- wall time of ts.compute and the ideal max(120 * sleep / workers, 3 * sleep).
--
-- Run: mpirun -np 5 tessera run --quiet jobs/bench/delayed_chains.lua [-- ms=1000]
local ts = require "tessera"
local B = dofile(arg[0]:match("^(.-)[^/]*$") .. "benchlib.lua")
local opt = B.options({ms = 1000}, ...)
local delay = opt.ms / 1000

local function square(x)
    ts.sleep(delay)
    return x ^ 2
end
local function add(x, y)
    ts.sleep(delay)
    return x + y
end
local function square_root(x)
    ts.sleep(delay)
    return x ^ (1 / 2)
end
local dsq, dadd, droot = ts.delayed(square), ts.delayed(add), ts.delayed(square_root)

ts.compute({ts.delayed(function(v) return v end)(0)}) -- start-up (runner states) out of the timing
local results = {}
for v = 0, 29 do
    results[#results + 1] = droot(dadd(dsq(v), dsq(v)))
end
local w0, c0 = ts.wtime(), os.clock()
local r = ts.compute(results)
local wall, cpu = ts.wtime() - w0, os.clock() - c0
local sum = 0
for _, v in ipairs(r) do
    sum = sum + v
end
local workers = ts.nworkers() * ts.nthreads() -- task threads in all
print(string.format("BENCH name=delayed_chains ntasks=120 workers=%d sleep_s=%g wall_s=%.6f ideal_s=%.6f cpu0_s=%.6f result=%.17g",
                    workers, delay, wall, math.max(120 * delay / workers, 3 * delay), cpu, sum))
