-- delayed.lua — delayed tasks on the workers compared with the same Lua
-- run directly (and NumPy for arrays): the seed's chains; shared
-- dependencies (a diamond); a long chain; values of every kind as arguments
-- and results (nil holes, booleans, strings, nested tables, dependencies
-- inside tables); upvalues (numbers, tables, library functions, the module);
-- computed arrays as arguments; local arrays made and returned by tasks;
-- from_delayed arrays in lazy math; ts.compute mixing arrays and delayed
-- results; costs. Oracle: delayed.py.
local ts = require "tessera"
local argv = (arg and arg[1]) and arg or {...}
local H = dofile(argv[2])
H.init(argv, ts)

local function square(x) return x ^ 2 end
local function add(x, y) return x + y end
local function square_root(x) return x ^ (1 / 2) end
local dsq, dadd, droot = ts.delayed(square), ts.delayed(add), ts.delayed(square_root)

-- every value computed twice: on the workers, and here by the same functions
local function both(name, d, direct)
    H.value(name, function() return d:compute() end)
    H.value(name .. "_direct", direct)
end

local chains, direct = {}, {}
for v = 0, 29 do
    chains[#chains + 1] = droot(dadd(dsq(v), dsq(v)))
    direct[#direct + 1] = square_root(add(square(v), square(v)))
end
H.value("chains", function() return ts.compute(chains) end)
H.value("chains_direct", function() return direct end)

local x = dsq(3)
both("diamond", dadd(dadd(x, x), droot(x)), function() return (9 + 9) + 3.0 end)

local inc = ts.delayed(function(v) return v + 1 end, {name = "inc", cost = 0.001})
local chain = ts.delayed(function(v) return v end)(0)
for _ = 1, 500 do chain = inc(chain) end
both("long_chain", chain, function() return 500 end)

local pack = ts.delayed(function(...) return table.pack(...) end, {name = "pack"})
both("holes", ts.delayed(function(a, b, c) return {a == nil, b, c == nil} end)(nil, 2, nil),
     function() return {true, 2, true} end)
both("kinds", ts.delayed(function(t)
    return {t.s .. "!", t.b and 1 or 0, t.f * 2, #t.list, t.nested.deep[2], math.type(t.i)}
end)({s = "hi", b = true, f = 1.5, list = {1, 2, 3}, nested = {deep = {"a", "b"}}, i = 7}),
     function() return {"hi!", 1, 3.0, 3, "b", "integer"} end)
both("deps_in_table", ts.delayed(function(t) return t.a + t.b[1] end)({a = dsq(2), b = {dsq(5)}}),
     function() return 4.0 + 25.0 end)
both("pack_n", ts.delayed(function(p) return p.n end)(pack(1, nil, 3, nil)), function() return 4 end)

local k, cfg, floor = 10, {scale = 3}, math.floor
both("upvalues", ts.delayed(function(v) return floor(v / k) * cfg.scale + ts.asarray({1, 2}):sum():item() end)(95),
     function() return 9 * 3 + 3 end)
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
local function twice(v) return 2 * v end
both("recursive", ts.delayed(fact)(10), function() return fact(10) end)
both("helper_function", ts.delayed(function(v) return twice(v) + fact(3) end)(4), function() return 14 end)
both("string_result", ts.delayed(function(a, b) return string.rep(a, b) end)("ab", 3),
     function() return "ababab" end)

-- computed arrays as arguments, local arrays made and returned by tasks
local R = ts.random
local m = H.input("m", function() return R.random({6, 5}, {seed = 11, chunks = {2, 5}}) end)
local colsum = ts.delayed(function(a) return a:sum{axis = 0} end, {name = "colsum"})(m)
H.check("from_delayed", function() return ts.from_delayed(colsum, {5}, "float64") * 2 + m:mean{axis = 0} end)
local made = ts.delayed(function(n) return ts.arange(n) * 2 + ts.ones(n, {dtype = "int64"}) end)(4)
H.check("made_in_task", function() return ts.from_delayed(made, {4}, "int64") end)
local total = ts.delayed(function(a, b) return a:sum():item() + b end)(m, dsq(2))
H.check("scalar_from_delayed", function() return ts.from_delayed(total, nil, "float64") + 0 end)
local mixed = {}
H.value("mixed_compute", function()
    local s, t = ts.compute(m:sum(), ts.delayed(function(a) return a:max():item() end)(m))
    return {s:item(), t}
end)
H.finish()
