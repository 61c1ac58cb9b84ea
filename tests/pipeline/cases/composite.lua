-- composite.lua — pipelines that combine operations: irregular and many-small
-- chunk grids, arrays with different chunkings in one expression, reductions
-- of reductions, arrays combined with their own reductions, 0-d results, and
-- the seed tutorials' workflows at small sizes. Oracle: composite.py.
local ts = require "tessera"
local argv = (arg and arg[1]) and arg or {...}
local H = dofile(argv[2])
H.init(argv, ts)

local R = ts.random

-- Many small chunks: 1000 elements in chunks of 7 (143 chunks).
local a = ts.arange(1000, {chunks = 7})
local l = ts.linspace(-1, 1, 1000, {chunks = 7})
H.check("many_sum", function() return a:sum() end)
H.check("many_mean", function() return a:mean() end)
H.check("many_sq_sum", function() return (a * a):sum() end)
H.check("many_std", function() return l:std() end)
H.check("many_mod_max", function() return (a % 7):max() end)
H.check("many_elementwise", function() return ts.sin(l) * a - l ^ 2 end)
H.check("many_mixed_chunks", function() return a + ts.arange(1000, {chunks = {{1, 998, 1}}}) * 2 end)
H.check("grid_2d_small_chunks", function() return ts.ones({60, 50}, {chunks = {7, 3}}):sum{axis = 1} end)

-- Irregular explicit chunks meeting other chunkings.
local irr = H.input("irr", function() return R.random({10, 9}, {seed = 31, chunks = {{1, 4, 5}, {2, 2, 5}}}) end)
local reg = H.input("reg", function() return R.normal(0, 1, {10, 9}, {seed = 32, chunks = {3, 3}}) end)
H.check("irr_plus_reg", function() return irr + reg end)
H.check("irr_times_row", function() return irr * ts.linspace(1, 2, 9, {chunks = 4}) end)
H.check("irr_reg_sum0", function() return (irr - reg):sum{axis = 0} end)
H.check("irr_reg_where", function() return ts.where(irr:gt(0.5), reg, irr) end)

-- Arrays combined with reductions of themselves.
local x = H.input("x", function() return R.random({40, 30}, {seed = 33, chunks = {7, 11}}) end)
H.check("center_ax0", function() return x - x:mean{axis = 0} end)
H.check("zscore_ax1", function() return (x - x:mean{axis = 1, keepdims = true}) / x:std{axis = 1, keepdims = true} end)
H.check("normalize_total", function() return x / x:sum() end)
H.check("minmax_scale", function() return (x - x:min()) / (x:max() - x:min()) end)
H.check("sum_of_sums", function() return x:sum{axis = 0}:max() end)
H.check("std_of_means", function() return x:mean{axis = 1}:std() end)
H.check("mean_of_maxes_keep", function() return ts.mean(x:max{axis = 0, keepdims = true}, {axis = 1}) end)
H.check("argmax_of_sums", function() return x:sum{axis = 1}:argmax() end)
H.check("scalar_from_reduce", function() return x:sum() * 2 + 1 end)
H.check("sqrt_of_var", function() return ts.sqrt(x:var{ddof = 1}) end)
H.check("reduce_then_compare", function() return x:mean{axis = 0}:gt(x:mean()) end)
H.check("any_of_compare", function() return (x:gt(0.99)):any{axis = 1} end)
H.check("count_true", function() return (x:lt(0.25)):sum() end)
H.check("sum_0d_of_0d", function() return x:sum():sum() end)
H.check("x_minus_colmean_sq_mean", function() return ((x - x:mean{axis = 0}) ^ 2):mean{axis = 0} end)
H.check("shared_subexpr", function()
    local y = ts.exp(x) - 1
    return (y * y):sum{axis = 1} + y:sum{axis = 1}
end)

-- 0-d results of every kind.
H.check("zero_d_int", function() return ts.arange(10):sum() end)
H.check("zero_d_bool", function() return ts.arange(10):gt(8):any() end)
H.check("zero_d_float32", function() return ts.ones(4, {dtype = "float32"}):mean() end)
H.check("zero_d_argmin", function() return ts.arange(10, -10, -3):argmin() end)

-- Chains whose nodes compute into their input's strip (each read once):
-- integer to float, a generator and its math, a value used twice by one
-- node, and where over chains. x's generator again, fused this time.
H.check("inplace_int_chain", function() return ts.sqrt(a * 2 + 1) - l end)
H.check("inplace_random_chain", function()
    return (R.random({40, 30}, {seed = 33, chunks = {7, 11}}) * 2 + 1) / 3
end)
H.check("inplace_square", function()
    local e = ts.exp(l)
    return e * e + 1
end)
H.check("inplace_where", function() return ts.where((a % 3):eq(0), ts.sin(l) * 2, l - 1) end)

-- Seed workflows, small.
H.check("seed_cos2_mean_ax1", function()
    local o = ts.ones({200, 400}, {chunks = {50, 100}})
    return (ts.cos(o) ^ 2):mean{axis = 1}
end)
H.check("seed_blocked_sum", function() return ts.ones(10, {chunks = 5}):sum() end)
H.check("seed_ones_sum", function() return ts.ones({100, 400}, {chunks = {100, 100}}):sum() end)
local r3 = H.input("r3", function() return R.random({60, 20, 20}, {seed = 34, chunks = {30, 10, 20}}) end)
H.check("seed_random3d_sum", function() return r3:sum() end)
local nm = H.input("nm", function() return R.normal(10, 0.1, {200, 150}, {seed = 35, chunks = {20, 30}}) end)
H.check("seed_normal_mean_ax0", function() return nm:mean{axis = 0} end)
H.check("seed_normal_mean_all", function() return nm:mean() end)

H.finish()
