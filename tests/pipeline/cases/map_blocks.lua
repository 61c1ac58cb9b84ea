-- map_blocks.lua — Lua functions run block by block on the workers:
-- map_blocks on one array and on several (paired by block position, a
-- one-block array passed whole, different block counts rechunked), with dtype, chunks, drop_axis and
-- new_axis; the block index; math on the local blocks (elementwise,
-- reductions, slices, where, astype, transposes); map_blocks of computed
-- inputs (a reduction, another map_blocks) and reductions of its result;
-- map_overlap with every boundary and per-axis depths, on generated and on
-- computed inputs (halos fetched from other workers). Oracle: map_blocks.py.
local ts = require "tessera"
local argv = (arg and arg[1]) and arg or {...}
local H = dofile(argv[2])
H.init(argv, ts)

local R = ts.random
local x = H.input("x", function() return R.random({12, 10}, {seed = 7, chunks = {5, 4}}) end)
local y = H.input("y", function() return R.normal(0, 1, {12, 10}, {seed = 8, chunks = {3, 6}}) end)
local row = H.input("row", function() return R.random(10, {seed = 9, chunks = 10}) end)
local ints = H.input("ints", function() return R.integers(-9, 10, {9, 8}, {seed = 10, chunks = {4, 3}}) end)

local scale = 3.5
local cfg = {offset = 2, names = {"a", "b"}}
H.check("double", function() return x:map_blocks(function(b) return b * 2 end) end)
H.check("upvalues", function() return x:map_blocks(function(b) return b * scale + cfg.offset end) end)
H.check("index", function()
    return ints:map_blocks(function(b, idx) return b * 0 + idx[1] * 10 + idx[2] end)
end)
H.check("math_in_block", function()
    return x:map_blocks(function(b) return ts.sqrt(b) - b:mean() + math.pi end)
end)
H.check("where_in_block", function()
    return y:map_blocks(function(b) return ts.where(b:gt(0), b, -b * 2) end)
end)
H.check("astype", function()
    return ints:map_blocks(function(b) return (b / 2):astype("float32") end, {dtype = "float32"})
end)
H.check("two_arrays", function() return ts.map_blocks(function(a, b) return a * b + a end, x, y) end)
H.check("whole_row", function() return ts.map_blocks(function(a, r) return a * r:sum() end, x, row) end)
H.check("paired_by_position", function()
    local long = ts.arange(1000, {chunks = 100})
    local short = ts.arange(100, {chunks = 10})
    return ts.map_blocks(function(a, b) return a:slice(":10") + b end, long, short, {chunks = {10}})
end)
H.check("block_sums", function()
    return x:map_blocks(function(b) return b:sum{axis = 1, keepdims = true} end, {chunks = {{5, 5, 2}, 1}})
end)
H.check("drop_axis", function()
    return x:map_blocks(function(b) return b:max{axis = 0} end, {drop_axis = 0})
end)
H.check("new_axis", function()
    return row:map_blocks(function(b) return b:reshape{1, 10} * 3 end, {new_axis = 0})
end)
H.check("transpose_blocks", function()
    return ints:map_blocks(function(b) return (b.T * 2):transpose() end)
end)
H.check("slice_in_block", function()
    return x:map_blocks(function(b) return b:slice("::-1, :") end)
end)
H.check("number_fills", function()
    return ints:map_blocks(function(b, idx) return idx[1] + idx[2] end)
end)
H.check("of_reduction", function()
    return x:sum{axis = 0}:map_blocks(function(b) return b / b:max() end)
end)
H.check("chain", function()
    local a = x:map_blocks(function(b) return b + 1 end)
    return ts.map_blocks(function(p, q) return p * q end, a, y):mean{axis = 0}
end)
H.check("lib_function", function() return y:map_blocks(ts.abs) end)

for _, bnd in ipairs({"none", "reflect", "periodic", "nearest"}) do
    H.check("overlap_" .. bnd, function()
        return x:map_overlap(function(b) return b - b:mean() end, {depth = 1, boundary = bnd})
    end)
    H.check("overlap_rows_" .. bnd, function()
        -- each row's largest value within the block and its halo on axis 1
        return x:map_overlap(function(b) return b * 0 + b:max{axis = 1, keepdims = true} end,
                             {depth = {[0] = 0, [1] = 2}, boundary = bnd})
    end)
end
H.check("overlap_constant", function()
    return ints:map_overlap(function(b) return b * 0 + b:sum() end, {depth = {1, 1}, boundary = -5})
end)
H.check("overlap_of_computed", function()
    local c = x:map_blocks(function(b) return b * 10 end)
    return c:map_overlap(function(b) return b - b:min() end, {depth = 2, boundary = "periodic"})
end)
H.finish()
