#!/usr/bin/python3
"""bytes_moved.py - what crosses between workers, read from --metrics JSON
(totals.bytes_moved, computes[i].bytes_moved, moved[i][j]) of runs at 3
ranks (rank 0 plans, ranks 1 and 2 compute). The 'Array Scheduling
Optimization' seed (random batches -> vstack -> rechunk -> store, also with
the batches read back from 25 HDF5 datasets) and reductions whose output
chunks are split evenly between the workers must move nothing; a full
reduction, a reduction to one output chunk and a rechunk of computed data
spread over both workers must move at least the data that has to cross
(computed below per case), and not much more. Computed data read in another
order (reversed, transposed) moves nothing: its chunks are computed where
they are read; a cheap result read across workers is recomputed there. Nothing may go to or come
from rank 0 (results travel as bytes_results, not as moved bytes).

Usage: /usr/bin/python3 bytes_moved.py --tessera BUILD/tessera [--keep]
Exit status 0 only if every check passed.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

NRANKS = 3
RUN_TIMEOUT_S = 120
ENV = dict(os.environ, OMPI_MCA_mpi_yield_when_idle="1", OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

# The seed at its "small" size: batches of N values in chunks of C.
N, C = 20000, 900
SEED = """
local ts = require "tessera"
local argv = (arg and arg[1]) and arg or {...}
local out, nb = argv[1], tonumber(argv[2])
local inputs = {}
for i = 1, nb do inputs[i] = ts.random.random(%d, {chunks = %d}) end
local rechunked = ts.vstack(inputs):rechunk{50, %d}
rechunked:store(out .. "/dest.h5", "/dest")
""" % (N, C, C)

# The 25 batches stored first, to a dataset each; then read back, stacked,
# rechunked and stored again.
SEED_H5 = """
local ts = require "tessera"
local argv = (arg and arg[1]) and arg or {...}
local out = argv[1]
local inputs, targets = {}, {}
for i = 1, 25 do
    inputs[i] = ts.random.random(%d, {chunks = %d})
    targets[i] = string.format("%%s/batches.h5:/b%%02d", out, i)
end
ts.store(inputs, targets)
local loaded = {}
for i = 1, 25 do loaded[i] = ts.from_hdf5(out .. "/batches.h5", string.format("/b%%02d", i)) end
ts.vstack(loaded):rechunk{50, %d}:store(out .. "/dest.h5", "/dest")
""" % (N, C, C)


def reduction(expr, shape, chunks):
    return """
local ts = require "tessera"
local x = ts.random.random({%s}, {chunks = {%s}, seed = 7})
local r = (%s):compute()
""" % (", ".join(map(str, shape)), ", ".join(map(str, chunks)), expr)


def run(tessera, work, name, script, args=()):
    """Runs script at NRANKS; returns (metrics dict or None, problem text)."""
    path = os.path.join(work, name + ".lua")
    metrics = os.path.join(work, name + ".json")
    outdir = os.path.join(work, name)
    os.makedirs(outdir, exist_ok=True)
    with open(path, "w") as f:
        f.write(script)
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(NRANKS), tessera, "run", "--quiet",
           "--seed", "1", "--metrics", metrics, "--report", os.path.join(work, name + ".html"), path, "--",
           outdir] + list(args)
    # Its own process group, so a hang is killed with every rank.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, f"no exit within {RUN_TIMEOUT_S} s (process group killed)"
    if proc.returncode != 0:
        return None, f"exit status {proc.returncode}: " + (out + err).decode(errors="replace")[-1500:]
    try:
        with open(metrics) as f:
            return json.load(f), None
    except (OSError, ValueError) as e:
        return None, f"no readable metrics ({e})"


def consistency(m):
    """Totals, per-compute figures and the rank matrix must agree, and rank 0
    must neither send nor receive: messages of problems."""
    out = []
    per_compute = sum(c["bytes_moved"] for c in m["computes"])
    matrix = m["moved"]
    in_matrix = sum(sum(row) for row in matrix)
    if m["totals"]["bytes_moved"] != per_compute:
        out.append(f"totals.bytes_moved {m['totals']['bytes_moved']} != sum over computes {per_compute}")
    if in_matrix != per_compute:
        out.append(f"moved[i][j] sums to {in_matrix}, computes to {per_compute}")
    through0 = sum(matrix[0]) + sum(row[0] for row in matrix)
    if through0:
        out.append(f"{through0} bytes went to or from rank 0: moved = {matrix}")
    if len(matrix) != NRANKS:
        out.append(f"moved has {len(matrix)} rows, expected {NRANKS}")
    # The time spent moving: there whenever chunks moved (reduction partials
    # of a few bytes may move with no fetch), and totals are the sum.
    for i, c in enumerate(m["computes"]):
        if c["bytes_moved"] >= 1 << 20 and not c["move_s"] > 0:
            out.append(f"compute {i + 1} moved {c['bytes_moved']} B in move_s = {c['move_s']}")
    if abs(m["totals"]["move_s"] - sum(c["move_s"] for c in m["computes"])) > 1e-5 * (1 + len(m["computes"])):
        out.append(f"totals.move_s {m['totals']['move_s']} != sum over computes")
    return out


def describe(m):
    return "; ".join(f"compute {i + 1}: {c['bytes_moved']} B moved, {c['bytes_stored']} B stored, "
                     f"{c['bytes_results']} B of results" for i, c in enumerate(m["computes"])) + \
        f"; moved = {m['moved']}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--keep", action="store_true")
    opts = ap.parse_args()
    tessera = os.path.abspath(opts.tessera)
    work = tempfile.mkdtemp(prefix="tessera-moved-")
    problems = []

    def check(name, cond, what, m=None):
        print(("ok   " if cond else "FAIL ") + f"{name}: {what}")
        if not cond:
            problems.append(f"{name}: {what}" + (f" ({describe(m)})" if m else ""))
            if m:
                print("      " + describe(m))

    def measured(name, script, args=()):
        m, err = run(tessera, work, name, script, args)
        check(name, m is not None, "runs and writes its metrics" + (f": {err}" if err else ""))
        if m is not None:
            for msg in consistency(m):
                check(name, False, msg, m)
        return m

    # 1. Nothing moves: the seed, and reductions split by output chunk.
    for nb in (25, 75):
        name = f"seed_{nb}_batches"
        m = measured(name, SEED, [str(nb)])
        if m:
            check(name, m["totals"]["bytes_moved"] == 0, "vstack, rechunk and store move 0 bytes", m)
            check(name, m["totals"]["bytes_stored"] == nb * N * 8, f"stores the {nb * N * 8} bytes", m)
            check(name, m["totals"]["bytes_results"] == 0, "sends no results to rank 0", m)
    m = measured("seed_from_hdf5", SEED_H5)
    if m:
        check("seed_from_hdf5", len(m["computes"]) == 2, f"two stores ({len(m['computes'])} computes)", m)
        check("seed_from_hdf5", m["totals"]["bytes_moved"] == 0,
              "storing 25 batches, reading them back, vstack, rechunk and store move 0 bytes", m)
        check("seed_from_hdf5", m["totals"]["bytes_stored"] == 2 * 25 * N * 8, "stores twice 25 batches", m)
        check("seed_from_hdf5", m["totals"]["bytes_read"] >= 25 * N * 8, "reads the 25 batches back", m)
        try:
            import h5py
            import numpy as np
            out = os.path.join(work, "seed_from_hdf5")
            with h5py.File(os.path.join(out, "batches.h5"), "r") as b, \
                    h5py.File(os.path.join(out, "dest.h5"), "r") as d:
                same = np.array_equal(d["dest"][()], np.vstack([b[f"b{i:02d}"][()] for i in range(1, 26)]))
                check("seed_from_hdf5", same and d["dest"].chunks == (25, C),
                      f"/dest holds the stacked batches in storage chunks (25, {C}) (got {d['dest'].chunks})")
        except (ImportError, OSError, KeyError) as e:
            check("seed_from_hdf5", False, f"stored files readable ({e})")

    # x:mean{axis = 0}: every worker owns whole output chunks (4 column
    # blocks of a 4 x 4 grid, 2 per worker; 10 of a 10 x 10 grid, 5 each;
    # 4 of a 1 x 4 grid) and reduces them alone.
    for name, shape, chunks in [("mean_axis0_grid", (400, 400), (100, 100)),
                                ("mean_axis0_seed", (2000, 2000), (200, 200)),
                                ("mean_axis0_rows_whole", (400, 400), (400, 100))]:
        m = measured(name, reduction("x:mean{axis = 0}", shape, chunks))
        if m:
            check(name, m["totals"]["bytes_moved"] == 0, f"mean over axis 0 of {shape} in {chunks} moves 0 bytes", m)
            check(name, m["totals"]["bytes_results"] == shape[1] * 8, "sends the result to rank 0", m)
            check(name, not any(op["placed"] for c in m["computes"] for op in c["ops"]),
                  "no stage needed placing (contiguous blocks)", m)

    # Computed data read in another order than it was computed in: the
    # planner puts each chunk on the worker that reads it (a reversed
    # reduction, a transposed grid of computed chunks), or, for a cheap
    # pure result read across workers, recomputes it in the reader.
    for name, expr, shape, chunks in [
            ("reversed_reduction", "x:mean{axis = 1}:slice('::-1')", (400, 400), (50, 400)),
            ("transposed_computed_grid", "x:sum{axis = 0}.T", (2, 400, 400), (2, 100, 100))]:
        m = measured(name, reduction(expr, shape, chunks))
        if m:
            check(name, m["totals"]["bytes_moved"] == 0, f"{expr} of {shape} in {chunks} moves 0 bytes", m)
            ops = m["computes"][-1]["ops"]
            check(name, [op["placed"] for op in ops] == [True, False],
                  "the metrics say the reduction was placed with its readers, the result was not: "
                  + str([(op["label"], op["placed"]) for op in ops]))
            with open(os.path.join(work, name + ".html")) as f:
                html = f.read()
            check(name, html.count("(placed with the tasks that read them)") == 1 and "r1&nbsp;" in html,
                  "the --report partition says the reduction's tasks were placed with their readers")
    m = measured("cheap_result_recomputed", """
local ts = require "tessera"
local a = ts.random.random({400, 400}, {chunks = {50, 400}, seed = 3}) * 2
local r = ts.compute(a, a:rechunk{400, 50}:sum())
""")
    if m:
        # Fetching would move half of a (640,000 bytes); the sum's one
        # partial and its header (40 bytes) cross in any case.
        check("cheap_result_recomputed", m["totals"]["bytes_moved"] <= 64,
              "a cheap result read across workers is recomputed, not fetched (one partial moves)", m)

    # A transpose-rechunk of computed data: half of y must cross (each
    # worker reads its rows of the other's columns). describe() says so
    # before anything runs, and the run moves that, plus the requests and
    # the sum's partial.
    m = measured("rechunk_of_computed", """
local ts = require "tessera"
local argv = (arg and arg[1]) and arg or {...}
local y = ts.ones({2, 400, 400}, {chunks = {2, 400, 40}}):sum{axis = 0}
local r = y:rechunk{40, 400}:sum()
local f = assert(io.open(argv[1] .. "/plan.txt", "w"))
f:write(r:describe())
f:close()
assert(r:compute():item() == 320000)
""")
    if m:
        half = 400 * 400 * 8 // 2
        moved = m["totals"]["bytes_moved"]
        check("rechunk_of_computed", half <= moved <= half + 4096,
              f"moves half of y ({half} bytes) plus requests and a partial (<= 4096 bytes); moved {moved}", m)
        with open(os.path.join(work, "rechunk_of_computed", "plan.txt")) as f:
            text = f.read()
        check("rechunk_of_computed", "fetches 625.00 kiB of earlier stages' chunks from the workers" in text,
              "describe() tells the 625.00 kiB (640000 bytes) the rechunk fetches: " + text)

    # 2. What must cross, and its minimum: the partials (float64 sums or
    # data) a worker that does not own an output chunk must send to its
    # owner. Allowed on top: headers, up to as much again plus 256 bytes.
    def must_move(name, expr, shape, chunks, minimum, why):
        m = measured(name, reduction(expr, shape, chunks))
        if m:
            moved = m["totals"]["bytes_moved"]
            check(name, moved >= minimum, f"{expr} moves at least {minimum} bytes ({why}); moved {moved}", m)
            check(name, moved <= 2 * minimum + 256,
                  f"{expr} moves no more than {2 * minimum + 256} bytes (2 x {minimum} + 256); moved {moved}", m)
            print(f"     {name}: {moved} bytes moved, minimum {minimum}")
    # x:sum() over 2 workers with 8 chunks each: 1 float64 partial.
    must_move("sum_all", "x:sum()", (400, 400), (100, 100), 8, "one float64 partial from the non-owner")
    must_move("mean_all", "x:mean()", (400, 400), (100, 100), 8, "one float64 partial sum from the non-owner")
    # One output chunk of 400 reduced over 4 row blocks, 2 per worker.
    must_move("sum_axis0_one_chunk", "x:sum{axis = 0}", (400, 400), (100, 400), 400 * 8,
              "the non-owner's partial row of 400 float64")
    # The 4 row means live 2 on each worker; one chunk of 400 on one worker.
    must_move("rechunk_of_mean", "x:mean{axis = 1}:rechunk(400)", (400, 400), (100, 100), 200 * 8,
              "the 200 means held by the worker that does not own the new chunk")

    print(f"{len(problems)} problem(s)")
    for p in problems:
        print("  - " + p)
    if opts.keep or problems:
        print(f"work files kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
