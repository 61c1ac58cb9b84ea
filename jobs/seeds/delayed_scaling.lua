-- delayed_scaling.lua — seed 001 "Scaling with Dask", its first part:
-- plain functions (square, add, square_root) that sleep to stand for work,
-- made lazy with ts.delayed, first one chain (3^2 + 4^2 -> 5.0), then 30
-- independent chains computed together on all the workers. With a sleep of
-- s seconds the 120 tasks take 120 s on one worker; on W workers the ideal
-- is max(120 s / W, 3 s) (three tasks in a row per chain).
--
-- Run: mpirun -np 5 tessera run jobs/seeds/delayed_scaling.lua [-- small | sleep=S]
--      "small": no sleep (the CI check); sleep=S: S seconds per task (default 1).
local ts = require "tessera"

local delay = 1.0
for _, a in ipairs({...}) do
    if a == "small" then delay = 0 end
    delay = tonumber(a:match("^sleep=(.+)$") or "") or delay
end

-- def square(x):
--     time.sleep(1)
--     return x ** 2
local function square(x)
    ts.sleep(delay)
    return x ^ 2
end

-- def add(x, y):
--     time.sleep(1)
--     return x + y
local function add(x, y)
    ts.sleep(delay)
    return x + y
end

-- def square_root(x):
--     time.sleep(1)
--     return x ** (1 / 2)
local function square_root(x)
    ts.sleep(delay)
    return x ^ (1 / 2)
end

-- delayed_square = dask.delayed(square)
-- delayed_add = dask.delayed(add)
-- delayed_square_root = dask.delayed(square_root)
local delayed_square = ts.delayed(square)
local delayed_add = ts.delayed(add)
local delayed_square_root = ts.delayed(square_root)

-- x = delayed_square(3); y = delayed_square(4); z = delayed_add(x, y)
-- r = delayed_square_root(z)
-- r.compute()
local x = delayed_square(3)
local y = delayed_square(4)
local z = delayed_add(x, y)
local r = delayed_square_root(z)
print(r)
local t0 = ts.wtime()
print(string.format("r = %s in %.2f s", r:compute(), ts.wtime() - t0))

-- results = []
-- for value in range(30):
--     x = delayed_square(value); y = delayed_square(value)
--     z = delayed_add(x, y); r = delayed_square_root(z)
--     results.append(r)
-- result = dask.compute(results)
local results = {}
for value = 0, 29 do
    local xs = delayed_square(value)
    local ys = delayed_square(value)
    local zs = delayed_add(xs, ys)
    results[#results + 1] = delayed_square_root(zs)
end
t0 = ts.wtime()
local result = ts.compute(results)
local secs = ts.wtime() - t0
local sum = 0
for _, v in ipairs(result) do
    sum = sum + v
end
local workers, threads = ts.nworkers(), ts.nthreads()
print(string.format("30 chains: sum of the results %.6f in %.2f s on %d worker(s) x %d thread(s) (ideal %.2f s)",
                    sum, secs, workers, threads, math.max(120 * delay / (workers * threads), 3 * delay)))
