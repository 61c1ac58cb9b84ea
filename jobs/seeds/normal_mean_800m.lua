-- normal_mean_800m.lua — seed 003 "Dask Array under SLURM": the mean of
-- 800,000,000 normal numbers (6.4 GB if held whole) in 4 chunks. Generation
-- and mean run fused, chunk by chunk, so each rank holds one chunk's worth at
-- most. Prints the mean (close to 0) and the compute time.
--
-- Run: mpirun -np 3 tessera run jobs/seeds/normal_mean_800m.lua [-- small]
--      sbatch jobs/slurm/normal_mean_800m.sbatch
--      "small": 8,000,000 numbers, still in 4 chunks, for tests.
local ts = require "tessera"

local small = ... == "small"

-- dim=50000000*16
-- numChunks=4
local dim = 50000000 * 16
if small then dim = dim // 100 end
local numChunks = 4

-- randomArray=da.random.normal(0.0,0.1,size=dim,chunks=(int(dim/numChunks)))
-- meanDelayed=randomArray.mean()
local randomArray = ts.random.normal(0.0, 0.1, dim, {chunks = dim // numChunks})
local meanDelayed = randomArray:mean()
print(randomArray)
print(meanDelayed)

-- start=time.time()
-- mean=meanDelayed.compute()
-- computeTime=elapsed(start)
local start = ts.wtime()
local mean = meanDelayed:compute()
local computeTime = ts.wtime() - start

-- print("mean is", mean) and the compute time, as the seed's script does
print(string.format("mean is %.17g", mean:item()))
print("")
print("==================================")
print(string.format("compute time: %.2fs", computeTime))
print("==================================")
