-- numerics.lua — IEEE and integer corner cases against NumPy 1.24: NaN and
-- infinity through sums, means, min/max, argmin/argmax, scans and
-- comparisons (in the first, a middle and the last chunk, so the combine
-- across chunks is tested too), integer overflow that wraps as NumPy's
-- does (int32 and int64: add, multiply, power, negate, sums, casts),
-- division by zero, and counts beyond 2^31: arrays of 10^12 elements and
-- 1-d chunks of 3 * 10^9 elements (24 GB) that are planned whole but of
-- which only a slice is ever generated. Oracle: numerics.py.
local ts = require "tessera"
local argv = (arg and arg[1]) and arg or {...}
local H = dofile(argv[2])
H.init(argv, ts)

local nan, inf = 0 / 0, math.huge
local i64max, i64min = math.maxinteger, math.mininteger

-- 12 elements in chunks of 5: positions 0, 6 and 11 are in three chunks.
local function with(at, value)
    local x = ts.arange(12, {chunks = 5}):astype("float64")
    return ts.where(ts.arange(12, {chunks = 5}):eq(at), value, x)
end

-- NaN and infinity
for _, at in ipairs{0, 6, 11} do
    local x = with(at, nan)
    H.check("nan" .. at .. "_sum", function() return x:sum() end)
    H.check("nan" .. at .. "_mean", function() return x:mean() end)
    H.check("nan" .. at .. "_max", function() return x:max() end)
    H.check("nan" .. at .. "_min", function() return x:min() end)
    H.check("nan" .. at .. "_argmax", function() return x:argmax() end)
    H.check("nan" .. at .. "_argmin", function() return x:argmin() end)
    H.check("nan" .. at .. "_std", function() return x:std() end)
    H.check("nan" .. at .. "_cumsum", function() return x:cumsum() end)
    H.check("inf" .. at .. "_max", function() return with(at, inf):max() end)
    H.check("inf" .. at .. "_argmax", function() return with(at, inf):argmax() end)
    H.check("neginf" .. at .. "_argmin", function() return with(at, -inf):argmin() end)
end
local nans2d = ts.where(ts.arange(20, {chunks = 7}):reshape{4, 5}:eq(13), nan, ts.ones({4, 5}))
H.check("nan_axis0_max", function() return nans2d:max{axis = 0} end)
H.check("nan_axis1_argmin", function() return nans2d:argmin{axis = 1} end)
H.check("nan_axis1_sum", function() return nans2d:sum{axis = 1} end)
H.check("inf_minus_inf_sum", function() return ts.where(ts.arange(6):lt(3), inf, -inf):sum() end)
H.check("inf_mean", function() return with(4, inf):mean() end)
H.check("inf_var", function() return with(4, inf):var() end)
H.check("zero_times_inf_prod", function() return ts.where(ts.arange(6):eq(2), inf, ts.zeros(6)):prod() end)
local specials = ts.arange(-2, 3) / 0 -- -inf -inf nan inf inf
H.check("specials", function() return specials end)
H.check("nan_lt", function() return specials:lt(1) end)
H.check("nan_ge", function() return specials:ge(-inf) end)
H.check("nan_eq_self", function() return specials:eq(specials) end)
H.check("nan_ne_self", function() return specials:ne(specials) end)
H.check("nan_isnan", function() return ts.isnan(specials) end)
H.check("nan_isfinite", function() return ts.isfinite(specials) end)
H.check("nan_maximum", function() return ts.maximum(specials, 0) end)
H.check("nan_minimum", function() return ts.minimum(0, specials) end)
H.check("nan_where", function() return ts.where(specials:gt(0), specials, -1) end)
H.check("nan_clip", function() return ts.clip(specials, -1, 1) end)
H.check("nan_sign", function() return ts.sign(specials) end)
H.check("nan_any", function() return specials:any() end)
H.check("inf_mod", function() return specials % 3 end)
H.check("mod_inf", function() return ts.arange(-3, 4) % inf end)
H.check("float32_overflow", function() return ts.full(3, 3e38, {dtype = "float32"}) * 2 end)
H.check("float32_sum_overflow", function() return ts.full(4, 3e38, {dtype = "float32"}):sum() end)
H.check("nan_to_int32", function() return specials:astype("int32") end)
H.check("nan_to_int64", function() return specials:astype("int64") end)
H.check("nan_to_bool", function() return specials:astype("bool") end)
H.check("huge_to_int32", function() return ts.full(2, 1e20):astype("int32") end)

-- integer overflow wraps
H.check("i64_add_wrap", function() return ts.full(3, i64max, {dtype = "int64"}) + 1 end)
H.check("i64_sub_wrap", function() return ts.full(3, i64min, {dtype = "int64"}) - ts.arange(3) end)
H.check("i64_mul_wrap", function() return ts.full(3, 3037000500, {dtype = "int64"}) * ts.arange(1, 4) end)
H.check("i64_neg_min", function() return -ts.full(2, i64min, {dtype = "int64"}) end)
H.check("i64_abs_min", function() return ts.abs(ts.full(2, i64min, {dtype = "int64"})) end)
H.check("i64_fdiv_min_by_minus1", function() return ts.full(2, i64min, {dtype = "int64"}) // -1 end)
H.check("i64_mod_min_by_minus1", function() return ts.full(2, i64min, {dtype = "int64"}) % -1 end)
H.check("i64_pow_wrap", function() return ts.full(2, 3, {dtype = "int64"}) ^ 50 end)
H.check("i64_sum_wrap", function() return ts.full(4, 1 << 62, {dtype = "int64", chunks = 1}):sum() end)
H.check("i64_prod_wrap", function() return ts.full(5, 1 << 20, {dtype = "int64", chunks = 2}):prod() end)
H.check("i64_cumsum_wrap", function() return ts.full(4, 1 << 62, {dtype = "int64", chunks = 3}):cumsum() end)
H.check("i32_add_wrap", function() return ts.full(3, 2147483647, {dtype = "int32"}) + 1 end)
H.check("i32_mul_wrap", function() return ts.full(3, 65536, {dtype = "int32"}) * ts.full(3, 65537, {dtype = "int32"}) end)
H.check("i32_neg_min", function() return -ts.full(2, -2147483648, {dtype = "int32"}) end)
H.check("i32_fdiv_min_by_minus1", function() return ts.full(2, -2147483648, {dtype = "int32"}) // -1 end)
H.check("i32_pow_wrap", function() return ts.full(2, 2, {dtype = "int32"}) ^ 40 end)
H.check("i32_sum_no_wrap", function() return ts.full(4, 2147483647, {dtype = "int32", chunks = 3}):sum() end)
H.check("i64_to_i32_wraps", function() return (ts.arange(3) + 2147483653):astype("int32") end)

-- division by zero
H.check("f64_div_zero", function() return ts.linspace(-1, 1, 5) / ts.zeros(5) end)
H.check("f32_div_zero", function() return ts.linspace(-1, 1, 5, {dtype = "float32"}) / 0 end)
H.check("f32_fdiv_zero", function() return ts.linspace(-1, 1, 5, {dtype = "float32"}) // 0 end)
H.check("f32_mod_zero", function() return ts.linspace(-1, 1, 5, {dtype = "float32"}) % 0 end)
H.check("i32_fdiv_zero", function() return ts.arange(-3, 4, {dtype = "int32"}) // ts.zeros(7, {dtype = "int32"}) end)
H.check("i32_mod_zero", function() return ts.arange(-3, 4, {dtype = "int32"}) % 0 end)
H.check("i64_div_zero", function() return ts.arange(-3, 4) / 0 end)
H.check("zero_div_zero_mean", function() return (ts.zeros(4) / 0):mean() end)

-- counts beyond 2^31: planned whole, only slices generated
local big = ts.ones({1000000, 1000000}, {chunks = {100000, 100000}})
H.check("big_slice_sum", function() return big:slice("0:10, 0:1000"):sum() end)
H.check("big_corner_mean", function() return (big * 3):slice("-10:, -1000:"):mean{axis = 0} end)
H.value("big_size", function() return big.size end)
H.value("big_nbytes", function() return big.nbytes end)
H.value("big_npartitions", function() return big.npartitions end)
local bigr = ts.random.random({1000000, 1000000}, {chunks = {100000, 100000}, seed = 5})
-- flat index 4294 * 10^6 + 967296 is 2^32: a 32-bit counter would repeat the first row
H.check("big_random_at_2p32", function() return bigr:slice("4294, 967296:967306") end)
H.check("big_random_at_0", function() return bigr:slice("0, 0:10") end)
H.check("big_random_other_chunks", function()
    return ts.random.random({1000000, 1000000}, {chunks = {7, 999983}, seed = 5}):slice("4294, 967296:967306")
end)
local whole = ts.arange(3000000000, {chunks = -1}) -- one chunk of 24 GB
H.value("whole_numblocks", function() return whole.numblocks end)
H.check("whole_tail", function() return whole:slice("-5:") end)
H.check("whole_across_2p31", function() return whole:slice("2147483640:2147483660"):sum() end)
H.check("whole_argmax", function() return whole:slice("2147483640:2147483660"):argmax() end)
H.check("whole_ones_tail_sum", function() return ts.ones(3000000000, {chunks = -1}):slice("2999999000:"):sum() end)
H.check("whole_linspace_tail", function() return ts.linspace(0, 1, 3000000001, {chunks = -1}):slice("-3:") end)

-- sizes beyond 2^60 bytes are refused whatever the order of the axes, as
-- NumPy refuses them even when another axis is empty
local function refusal(shape)
    local ok, e = pcall(ts.zeros, shape)
    return ok and "accepted" or tostring(e)
end
H.value("too_big_last_axis_empty", function() return refusal{1 << 40, 1 << 40, 0} end)
H.value("too_big_first_axis_empty", function() return refusal{0, 1 << 40, 1 << 40} end)
H.value("empty_with_long_axis", function() return ts.zeros({0, 1 << 40}).shape end)

H.finish()
