-- map_blocks_example.lua — your own per-chunk code on every worker: a
-- heat-diffusion step on a 2-D field with map_overlap (each chunk gets a
-- one-element halo from its neighbours, fetched peer to peer), then a
-- map_blocks that standardises each chunk, and a reduction of the result.
-- The Lua functions run on the worker holding each chunk, on local arrays.
--
-- Run: mpirun -np 3 tessera run jobs/map_blocks_example.lua [-- small]
local ts = require "tessera"

local n = ... == "small" and 200 or 4000
local field = ts.random.random({n, n}, {chunks = {n // 4, n // 4}, seed = 3})

-- u + alpha * laplacian(u), periodic at the edges. The function gets each
-- chunk with its halo and returns the chunk without it.
local alpha = 0.1
local function diffuse(u)
    local inner = u:slice("1:-1, 1:-1")
    local lap = u:slice("2:, 1:-1") + u:slice(":-2, 1:-1") + u:slice("1:-1, 2:") + u:slice("1:-1, :-2") - 4 * inner
    return inner + alpha * lap
end
local step = field
for _ = 1, 3 do
    step = step:map_overlap(diffuse, {depth = 1, boundary = "periodic"})
end

-- each chunk standardised by its own mean and deviation, with its block
-- index added (map_blocks passes it after the chunks)
local standard = step:map_blocks(function(b, idx)
    return (b - b:mean()) / b:std() + idx[1]
end)

local rows = standard:mean{axis = 1}
local v = rows:compute()
print(string.format("%d x %d field, 3 diffusion steps: mean %.6f (was %.6f), per-block means: %.3f ... %.3f",
                    n, n, step:mean():compute():item(), field:mean():compute():item(), v[0], v[n - 1]))
