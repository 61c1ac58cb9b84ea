-- slow_store.lua — a store that takes as long as a test needs: NBLOCKS
-- blocks of (100, 200) random numbers from the run seed through a Lua
-- function that sleeps TESSERA_TEST_BLOCK_S seconds per block, standing
-- for slow work without using a core. The values do not depend on the
-- sleep, and a requeued run (SLURM_RESTART_COUNT > 0) does not sleep, so
-- a test need not wait for the rest a second time.
--
-- Run: tessera run slow_store.lua -- OUT.h5 NBLOCKS
local ts = require "tessera"
local path, nblocks = arg[1], math.tointeger(tonumber(arg[2]))
local x = ts.random.random({nblocks * 100, 200}, {chunks = {100, 200}})
local y = x:map_blocks(function(b)
    local s = tonumber(os.getenv("TESSERA_TEST_BLOCK_S") or "") or 0
    if s > 0 and (tonumber(os.getenv("SLURM_RESTART_COUNT") or "") or 0) == 0 then
        ts.sleep(s)
    end
    return ts.sqrt(b) * 2 - 1
end)
print("storing")
y:store(path, "/out/y")
print("stored")
