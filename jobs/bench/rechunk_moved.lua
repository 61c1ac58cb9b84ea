-- rechunk_moved.lua — benchmark job: a rechunk of computed data that must
-- cross workers. y = x:sum{axis = 0} is materialised in 40 column blocks
-- spread over the workers; r = y:rechunk{rows}:slice("::-1"):sum() needs a
-- piece of every column block for every row block, so (W-1)/W of y crosses.
-- base = y:slice("::-1"):sum() computes the same y and sums it the same
-- way where it lies, moving nothing.
--
-- The two computes alternate `reps` times (at least `mins` seconds in all).
-- Prints one BENCH line: wall_s and base_s (the fastest of each), added_s
-- (the median over the pairs of with - without; it can come out negative,
-- as the rechunked layout sums faster) and the rechunked bytes (y's size).
-- jobs/bench/run.py reads each compute's bytes moved and the time spent
-- moving them from --metrics.
--
-- Run: mpirun -np 3 tessera run --quiet --metrics m.json jobs/bench/rechunk_moved.lua [-- n=8000 reps=5]
local ts = require "tessera"
local B = dofile(arg[0]:match("^(.-)[^/]*$") .. "benchlib.lua")
local opt = B.options({n = 4000, mins = 1, reps = 3}, ...)
local n = opt.n
local x = ts.ones({2, n, n}, {chunks = {2, n, n // 40}})
local y = x:sum{axis = 0}
local r = y:rechunk({n // 40, n}):slice("::-1"):sum()
local base = y:slice("::-1"):sum()

ts.ones(2):sum():compute()
local best, best_base, added, v, reps = math.huge, math.huge, {}, nil, 0
local w0 = ts.wtime()
repeat
    local t0 = ts.wtime()
    v = r:compute()
    local t1 = ts.wtime()
    local vb = base:compute()
    local t2 = ts.wtime()
    assert(v:item() == vb:item(), "the rechunked sum differs from the sum")
    best, best_base = math.min(best, t1 - t0), math.min(best_base, t2 - t1)
    reps = reps + 1
    added[reps] = (t1 - t0) - (t2 - t1)
until (reps >= opt.reps and ts.wtime() - w0 >= opt.mins) or reps >= 50
table.sort(added)
local median = reps % 2 == 1 and added[(reps + 1) // 2] or (added[reps // 2] + added[reps // 2 + 1]) / 2
print(string.format("BENCH name=rechunk_moved nelems=%d ntasks=%d reps=%d wall_s=%.6f base_s=%.6f added_s=%.6f "
                    .. "nbytes=%d cpu0_s=0 result=%.17g",
                    y.size, y.npartitions, reps, best, best_base, median, y.nbytes, v:item()))
