-- chunks_too_big.lua — a store whose (4000, 4000) chunks (122 MiB each) cannot
-- fit a 150 MiB budget per rank: the plan must refuse it before any work,
-- so big.h5 is never created.
local ts = require "tessera"
local x = ts.random.random({8000, 8000}, {chunks = {4000, 4000}})
x:store("big.h5", "/x")
