-- localmath.lua — math on local arrays (the blocks map_blocks hands to
-- functions, or computed results): every unary function, the operators and
-- comparisons with NumPy's dtype rules (weak scalars included), where,
-- clip, astype, reductions with axes, keepdims and ddof, argmin/argmax,
-- slices, transposes and reshapes; and the same inside a task on the
-- workers. Oracle: localmath.py.
local ts = require "tessera"
local argv = (arg and arg[1]) and arg or {...}
local H = dofile(argv[2])
H.init(argv, ts)

local R = ts.random
H.input("x", function() return R.uniform(0.1, 2, {4, 6}, {seed = 3}) end)
H.input("n", function() return R.normal(0, 3, {4, 6}, {seed = 4, dtype = "float32"}) end)
H.input("i", function() return R.integers(-6, 7, {4, 6}, {seed = 5}) end)
H.input("j", function() return R.integers(1, 5, {6}, {seed = 6, dtype = "int32"}) end)
local x, n, i, j = ts.compute(R.uniform(0.1, 2, {4, 6}, {seed = 3}), R.normal(0, 3, {4, 6}, {seed = 4, dtype = "float32"}),
                              R.integers(-6, 7, {4, 6}, {seed = 5}), R.integers(1, 5, {6}, {seed = 6, dtype = "int32"}))

for _, f in ipairs({"sqrt", "exp", "log", "log10", "log1p", "expm1", "sin", "cos", "tan", "arcsin", "arccos",
                    "arctan", "sinh", "cosh", "tanh", "abs", "floor", "ceil", "round", "sign", "isnan",
                    "isfinite", "negative"}) do
    H.local_array("u_" .. f, function() return ts[f](x / 2) end)
end
H.local_array("u_abs_f32", function() return ts.abs(n) end)
H.local_array("u_neg_int", function() return -i end)
H.local_array("add", function() return x + n end)
H.local_array("sub_bcast", function() return i - j end)
H.local_array("mul_weak_f32", function() return n * 2.5 end)
H.local_array("int32_plus_1", function() return j + 1 end)
H.local_array("int32_plus_half", function() return j + 0.5 end)
H.local_array("div_int", function() return i / j end)
H.local_array("floordiv", function() return i // j end)
H.local_array("mod", function() return i % j end)
H.local_array("pow", function() return x ^ 2 end)
H.local_array("rpow", function() return 2 ^ j end)
H.local_array("maximum", function() return ts.maximum(x, 1) end)
H.local_array("lt", function() return i:lt(0) end)
H.local_array("ge_arr", function() return n:ge(x) end)
H.local_array("logical_and", function() return ts.logical_and(i:gt(0), x:lt(1)) end)
H.local_array("where", function() return ts.where(i:gt(0), x, n) end)
H.local_array("clip", function() return i:clip(-2, 3) end)
H.local_array("astype", function() return x:astype("int32") end)
H.local_array("sum", function() return i:sum() end)
H.local_array("sum_0", function() return x:sum{axis = 0} end)
H.local_array("mean_1_keep", function() return n:mean{axis = 1, keepdims = true} end)
H.local_array("std_ddof", function() return x:std{axis = 0, ddof = 1} end)
H.local_array("var", function() return ts.var(n) end)
H.local_array("prod_int", function() return j:prod() end)
H.local_array("min_1", function() return i:min{axis = 1} end)
H.local_array("max", function() return n:max() end)
H.local_array("argmin_0", function() return x:argmin{axis = 0} end)
H.local_array("argmax_flat", function() return i:argmax() end)
H.local_array("any_1", function() return i:gt(5):any{axis = 1} end)
H.local_array("all", function() return j:gt(0):all() end)
H.local_array("slice", function() return x:slice("::-1, 1:5:2") end)
H.local_array("slice_int", function() return i:slice("2, ::3") end)
H.local_array("slice_newaxis", function() return j:slice("None, ::-1") end)
H.local_array("T", function() return n.T end)
H.local_array("transpose", function() return x:transpose{1, 0} + 0 end)
H.local_array("reshape", function() return i:reshape{3, -1} end)
H.local_array("chain", function() return ((x - x:mean{axis = 0}) / x:std{axis = 0}):slice(":, ::2"):sum{axis = 1} end)
H.check("in_task", function()
    return R.uniform(0.1, 2, {4, 6}, {seed = 3, chunks = {2, 3}}):map_blocks(function(b)
        return (ts.log(b) * 2 - b:min()):astype("float32")
    end, {dtype = "float32"})
end)
H.value("item_int", function() return i:sum():item() end)
H.value("item_float", function() return x:max():item() end)
H.finish()
