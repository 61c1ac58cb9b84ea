-- store.lua — one timed HDF5 operation for jobs/bench/store_bench.py, printed
-- as one "STORE" line: mode=store writes a random float64 array of nelems
-- in chunks of `chunk` elements to path:/x and syncs the file (as dd's
-- conv=fdatasync does); mode=load reads path:/x with ts.from_hdf5 and sums
-- it; mode=gen only generates and sums (the store's compute share).
-- gzip=N (1-9) stores with shuffle + deflate at level N (default 0: none).
--
-- Run: mpirun -np 3 tessera run jobs/bench/store.lua -- mode=store path=/tmp/b.h5 nelems=268435456 chunk=2097152
local ts = require "tessera"
local B = dofile(arg[0]:match("^(.-)[^/]*$") .. "benchlib.lua")

local opt = B.options({mode = "store", path = "/tmp/tessera_bench_store.h5", nelems = 268435456,
                       chunk = 2097152, gzip = 0}, ...)
-- B.options keeps only word characters: a path comes through as given.
for _, a in ipairs({...}) do
    opt.path = a:match("^path=(.+)$") or opt.path
end

ts.ones(2):sum():compute() -- start-up costs stay out of the timing
local x, result, nchunks
local start = ts.wtime()
if opt.mode == "store" then
    x = ts.random.random(opt.nelems, {chunks = opt.chunk, seed = 1})
    if opt.gzip > 0 then
        x:store(opt.path, "/x", {overwrite = true, compression = "gzip", level = opt.gzip})
    else
        x:store(opt.path, "/x", {overwrite = true})
    end
    assert(os.execute("sync " .. opt.path), "sync failed")
    result, nchunks = 0, x.npartitions
elseif opt.mode == "load" then
    x = ts.from_hdf5(opt.path, "/x")
    result, nchunks = x:sum():compute():item(), x.npartitions
elseif opt.mode == "gen" then
    x = ts.random.random(opt.nelems, {chunks = opt.chunk, seed = 1})
    result, nchunks = x:sum():compute():item(), x.npartitions
else
    error("mode must be store, load or gen, got " .. tostring(opt.mode))
end
local wall = ts.wtime() - start
print(string.format("STORE mode=%s nbytes=%d nchunks=%d wall_s=%.6f result=%.17g",
                    opt.mode, x.nbytes, nchunks, wall, result))
