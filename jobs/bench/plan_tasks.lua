-- plan_tasks.lua — benchmark job for rank 0's cost per task: a graph of
-- 1,000,000 chunk tasks ((x * x:slice("::-1, ::-1")):mean() of a random
-- (10000, 10000) array in (10, 10) chunks) is planned with describe() —
-- the same planning a compute does, nothing run — and then computed. It
-- prints the planning wall time and rank 0's peak-memory growth (VmHWM)
-- over building, planning and computing, per task, besides benchlib's line.
--
-- Run: mpirun -np 3 tessera run --quiet jobs/bench/plan_tasks.lua [-- n=10000 c=10]
local ts = require "tessera"
local B = dofile(arg[0]:match("^(.-)[^/]*$") .. "benchlib.lua")
local opt = B.options({n = 10000, c = 10}, ...)

-- Rank 0's peak resident set so far, in bytes (Linux).
local function peak_nbytes()
    for line in io.lines("/proc/self/status") do
        local kb = line:match("^VmHWM:%s+(%d+)")
        if kb then return tonumber(kb) * 1024 end
    end
    error("no VmHWM in /proc/self/status")
end

ts.ones(2):sum():compute()
local hwm0 = peak_nbytes()
local x = ts.random.random({opt.n, opt.n}, {chunks = {opt.c, opt.c}})
local y = (x * x:slice("::-1, ::-1")):mean()
local p0 = ts.wtime()
local plan = y:describe()
local plan_s = ts.wtime() - p0
local w0, c0 = ts.wtime(), os.clock()
local v = y:compute()
local wall, cpu = ts.wtime() - w0, os.clock() - c0
local grown = peak_nbytes() - hwm0
assert(plan:find("tasks"), "describe() printed no plan")
print(string.format("BENCH name=plan_tasks nelems=%d ntasks=%d reps=1 wall_s=%.6f cpu0_s=%.6f result=%.17g "
                    .. "plan_s=%.6f rank0_grown_nbytes=%d", x.size, x.npartitions, wall, cpu, v:item(), plan_s, grown))
