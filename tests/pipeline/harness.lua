-- harness.lua — shared helpers of the pipeline cases. A case registers named
-- lazy arrays (H.check / H.input) and plain Lua values (H.value); H.finish
-- computes every registered array in one plan and writes OUTDIR/<name>.npy,
-- <name>.json for values and <name>.err for a check that failed to build, so
-- one missing feature is reported by name without hiding the other checks.
--
-- Loaded by each case as: local H = dofile(argv[2]); H.init(argv, ts).
-- argv[1] = output directory, argv[2] = this file, argv[3] = "each" to compute
-- every array in a plan of its own (the driver's fallback to find a failure).

local H = {}

local ts
local out_dir
local each_mode = false
local names, arrays = {}, {}
local nerrors = 0

function H.init(argv, module)
    ts = module
    out_dir = assert(argv[1], "usage: tessera run case.lua -- OUTDIR HARNESS [each]")
    each_mode = argv[3] == "each"
end

local function write_file(path, text)
    local f = assert(io.open(path, "w"))
    f:write(text)
    f:close()
end

local function record_error(name, msg)
    nerrors = nerrors + 1
    write_file(out_dir .. "/" .. name .. ".err", tostring(msg) .. "\n")
end

-- JSON text of a Lua value. Integers and floats stay distinguishable
-- ("5" vs "5.0") because item() must give the Lua type NumPy's item() gives.
local function to_json(v)
    local t = type(v)
    if t == "nil" then
        return "null"
    elseif t == "boolean" then
        return v and "true" or "false"
    elseif t == "number" then
        if math.type(v) == "integer" then
            return string.format("%d", v)
        elseif v ~= v then
            return "NaN"
        elseif v == math.huge then
            return "Infinity"
        elseif v == -math.huge then
            return "-Infinity"
        end
        local s = string.format("%.17g", v)
        if not s:find("[%.eEn]") then
            s = s .. ".0"
        end
        return s
    elseif t == "string" then
        local q = v:gsub('[%c"\\]', function(c)
            return string.format("\\u%04x", c:byte())
        end)
        return '"' .. q .. '"'
    elseif t == "table" then
        local parts = {}
        for i = 1, #v do
            parts[i] = to_json(v[i])
        end
        return "[" .. table.concat(parts, ", ") .. "]"
    end
    return '"<' .. t .. '>"'
end

-- Registers the lazy array built by fn() under name; a build error becomes
-- <name>.err. Returns the array (or nil) so later checks can reuse it.
function H.check(name, fn)
    local ok, x = pcall(fn)
    if not ok then
        record_error(name, x)
        return nil
    end
    names[#names + 1] = name
    arrays[#arrays + 1] = x
    return x
end

-- An input the oracle rebuilds its expectation from (random data).
function H.input(name, fn)
    return H.check("in_" .. name, fn)
end

-- Records a plain Lua value computed by fn() (attributes, item(), tolist()).
function H.value(name, fn)
    local ok, v = pcall(fn)
    if not ok then
        record_error(name, v)
        return
    end
    write_file(out_dir .. "/" .. name .. ".json", to_json(v) .. "\n")
end

-- Saves the local array fn() returns (math on computed arrays) as <name>.npy.
function H.local_array(name, fn)
    local ok, v = pcall(function() return fn():save(out_dir .. "/" .. name .. ".npy") end)
    if not ok then
        record_error(name, v)
    end
end

-- Prints a marked repr of a computed local for the driver to compare.
function H.repr(name, fn)
    local ok, v = pcall(fn)
    if not ok then
        record_error(name, v)
        return
    end
    io.write("@@repr " .. name .. "\n")
    print(v)
    io.write("@@end\n")
    io.stdout:flush()
end

local function save_all(first, results)
    for i, v in ipairs(results) do
        local name = names[first + i - 1]
        local ok, msg = pcall(function() v:save(out_dir .. "/" .. name .. ".npy") end)
        if not ok then
            record_error(name, msg)
        end
    end
end

-- Computes all registered arrays (one plan, or one each) and saves them.
-- Raises an error at the end if any check failed, so the exit status says so.
function H.finish()
    if #arrays > 0 then
        if each_mode then
            for i, x in ipairs(arrays) do
                local ok, v = pcall(function() return x:compute() end)
                if ok then
                    save_all(i, {v})
                else
                    record_error(names[i], v)
                end
            end
        else
            save_all(1, table.pack(ts.compute(table.unpack(arrays))))
        end
    end
    if nerrors > 0 then
        error(string.format("%d check(s) failed; see the .err files in %s", nerrors, out_dir), 0)
    end
end

return H
