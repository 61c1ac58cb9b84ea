-- slice_reverse.lua — benchmark job for a slice with negative steps fused
-- into its consumer: (ones * ones:slice("::-1, ::-1")):mean() on a
-- (200000, 4000) array in (1000, 1000) chunks (6.4 GB, 800 chunks). The
-- reversed operand is generated for exactly the region each task needs, so
-- nothing moves between ranks and the cost is the fused pass itself.
-- Timed by benchlib.
--
-- Run: mpirun -np 3 tessera run --quiet jobs/bench/slice_reverse.lua [-- n=200000 m=4000 c=1000 mins=1]
local ts = require "tessera"
local B = dofile(arg[0]:match("^(.-)[^/]*$") .. "benchlib.lua")
local opt = B.options({n = 200000, m = 4000, c = 1000, mins = 1}, ...)

B.measure("slice_reverse", opt.mins, function()
    local x = ts.ones({opt.n, opt.m}, {chunks = {opt.c, opt.c}})
    return x, (x * x:slice("::-1, ::-1")):mean():compute()
end)
