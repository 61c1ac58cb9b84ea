-- delayed_overhead.lua — benchmark job for the cost of a delayed task: n
-- independent calls of a trivial Lua function (it returns its argument),
-- built and computed; repeated until `mins` seconds passed. Prints the time
-- per task of building the calls, of ts.compute, and both (end to end).
--
-- Run: mpirun -np 3 tessera run --quiet jobs/bench/delayed_overhead.lua [-- n=20000 mins=2]
local ts = require "tessera"
local B = dofile(arg[0]:match("^(.-)[^/]*$") .. "benchlib.lua")
local opt = B.options({n = 20000, mins = 2}, ...)

local function ident(x)
    return x
end
local d = ts.delayed(ident)
ts.compute({d(0)}) -- start-up (runner states) out of the timing
local build, wall, reps, w0 = 0, 0, 0, ts.wtime()
repeat
    collectgarbage()
    local t0 = ts.wtime()
    local tasks = {}
    for i = 1, opt.n do
        tasks[i] = d(i)
    end
    local t1 = ts.wtime()
    local r = ts.compute(tasks)
    local t2 = ts.wtime()
    assert(r[opt.n] == opt.n, "wrong result")
    build, wall, reps = build + (t1 - t0), wall + (t2 - t1), reps + 1
until ts.wtime() - w0 >= opt.mins
print(string.format("BENCH name=delayed_overhead ntasks=%d workers=%d reps=%d build_s=%.6f wall_s=%.6f",
                    opt.n, ts.nworkers(), reps, build / reps, wall / reps))
