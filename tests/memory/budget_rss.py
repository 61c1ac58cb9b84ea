#!/usr/bin/env python3
"""Every rank stays inside its memory budget, measured from outside.

Runs every seed workflow (jobs/seeds) and every benchmark job (jobs/bench,
at small sizes; the store benchmark also compressed, whose HDF5 filter
buffers are outside tessera's pool) at 3 ranks with --memory-per-rank
256MiB and 1GiB, each rank under /usr/bin/time, whose maximum resident set
size (getrusage of the process, the kernel's own peak) must not pass the
budget. A job the plan refuses before running must say so, and is listed;
it must not be OOM-killed or fail any other way. The workers' peaks must
also stay within the plan's estimate (the summary's "planned") plus the
reserve the budget keeps for scratch, so the plan cannot silently drift from
what the ranks hold. Also: a budget too small for one chunk, or for a
compressed store's filter buffers, is refused before any work, naming the
chunk shape that fits, and leaves no file; results rank 0 cannot hold twice
(received, then assembled) are refused.
"""
import argparse, os, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MiB = 1 << 20
RESERVE = 32 * MiB  # SESSION_RESERVE_NBYTES: library scratch the plan does not itemise
SEEDS = [("array_scheduling", []), ("auto_chunks", []), ("blocked_sum", []), ("cos2_mean_axis1", []),
         ("delayed_scaling", ["small"]), ("normal_mean_800m", []), ("normal_mean_axis0", []),
         ("ones_chunks", []), ("random_sum", [])]
BENCH = [("normal_mean.lua", ["n=8000", "c=2000", "mins=0"]),
         ("elementwise.lua", ["op=random", "n=100000000", "c=10000000", "mins=0"]),
         ("many_tasks.lua", ["n=1000000", "c=100", "mins=0"]),
         ("rechunk_moved.lua", ["mins=0"]),
         ("slice_reverse.lua", ["n=20000", "m=4000", "c=1000", "mins=0"]),
         ("plan_tasks.lua", ["n=1000", "c=10"]),
         ("delayed_chains.lua", ["ms=0"]),
         ("delayed_overhead.lua", ["n=2000", "mins=0"]),
         ("empty.lua", []),
         # 256 MiB in 16 MiB chunks, written then read back.
         ("store.lua", ["mode=store", "path=H5", "nelems=33554432", "chunk=2097152"]),
         ("store.lua", ["mode=load", "path=H5"]),
         # 64 MiB in 32 MiB chunks with gzip: HDF5 holds 3 chunks per write
         # and per read beside the pool.
         ("store.lua", ["mode=store", "path=H5Z", "nelems=8388608", "chunk=4194304", "gzip=1"]),
         ("store.lua", ["mode=load", "path=H5Z"])]


def run(tessera, budget, script, args, cwd, quiet=False):
    # Each rank appends one line to its own write (O_APPEND): stderr would interleave.
    rss = os.path.join(cwd, "maxrss.txt")
    if os.path.exists(rss):
        os.remove(rss)
    cmd = ["mpirun", "-np", "3", "/usr/bin/time", "-a", "-o", rss, "-f", "MAXRSS_KB %M", tessera, "run",
           "--seed", "1", "--memory-per-rank", budget, script]
    if quiet:
        cmd.insert(cmd.index("run") + 1, "--quiet")
    if args:
        cmd += ["--"] + args
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=cwd)
    text = open(rss).read() if os.path.exists(rss) else ""
    peaks = [int(k) * 1024 for k in re.findall(r"MAXRSS_KB (\d+)", text)]
    return p, peaks


UNITS = {"B": 1, "kiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def planned(stderr):
    """The largest planned peak of any worker in the summary (0: none)."""
    vals = [float(v) * UNITS[u] for v, u in re.findall(r"\(planned ([0-9.]+) (B|kiB|MiB|GiB),", stderr)]
    return max(vals) if vals else 0


def refused(tessera, budget, name, lua, d, want, failures, absent=None):
    """A script the plan must refuse before any work, with every fragment of want."""
    script = os.path.join(d, name)
    with open(script, "w") as f:
        f.write(lua)
    p, _ = run(tessera, budget, script, [], d, quiet=True)
    missing = [w for w in want if w not in p.stderr]
    left = absent is not None and os.path.exists(absent)
    if p.returncode == 0 or missing or left:
        failures.append(f"{name} at {budget}: exit {p.returncode}, missing {missing}, file left: {left}\n"
                        f"{p.stderr[-800:]}")
    else:
        print(f"ok: {name} at {budget} is refused before any work")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    a = ap.parse_args()
    a.tessera = os.path.abspath(a.tessera)
    failures = []
    with tempfile.TemporaryDirectory() as d:
        paths = {"H5": os.path.join(d, "store.h5"), "H5Z": os.path.join(d, "storez.h5")}
        jobs = [(os.path.join(ROOT, "jobs", "seeds", s + ".lua"), args) for s, args in SEEDS]
        jobs += [(os.path.join(ROOT, "jobs", "bench", b),
                  [x.split("=")[0] + "=" + paths[x.split("=")[1]] if x.startswith("path=") else x for x in args])
                 for b, args in BENCH]
        for budget, nbytes in (("256MiB", 256 * MiB), ("1GiB", 1024 * MiB)):
            for script, args in jobs:
                name = " ".join([os.path.basename(script)] + [x for x in args if not x.startswith("path=")])
                t0 = time.time()
                p, peaks = run(a.tessera, budget, script, args, d)
                secs = time.time() - t0
                refusal = "not enough memory per rank" in p.stderr
                top, plan = max(peaks) if peaks else 0, planned(p.stderr)
                status = "refused by the plan" if refusal else f"exit {p.returncode}"
                print(f"{budget:>6} {name:44} peak RSS per rank: {', '.join(f'{x / MiB:.0f}' for x in peaks)} MiB,"
                      f" planned {plan / MiB:.0f} ({status}, {secs:.1f} s)", flush=True)
                if len(peaks) != 3:
                    failures.append(f"{name} at {budget}: {len(peaks)} ranks measured\n{p.stderr[-800:]}")
                elif top > nbytes:
                    failures.append(f"{name} at {budget}: a rank peaked at {top / MiB:.1f} MiB")
                # Workers (all but the smallest-index line may be rank 0: take
                # the two largest) within the plan plus the reserve.
                workers = sorted(peaks)[-2:]
                if plan > 0 and max(workers) > plan + RESERVE:
                    failures.append(f"{name} at {budget}: a worker peaked at {max(workers) / MiB:.1f} MiB, "
                                    f"more than planned {plan / MiB:.1f} MiB + the {RESERVE // MiB} MiB reserve")
                if p.returncode != 0 and not refusal:
                    failures.append(f"{name} at {budget}: exit {p.returncode}\n{p.stderr[-800:]}")
        # Too small for one chunk: refused before any work, no file left.
        out = os.path.join(d, "big.h5")
        refused(a.tessera, "150MiB", "big.lua",
                'local ts = require "tessera"\n'
                'local x = ts.random.random({8000, 8000}, {chunks = {4000, 4000}})\n'
                f'x:store("{out}", "/x")\n', d,
                ["big.lua:3", "not enough memory per rank", "chunks of shape (4000, 4000)", "122.07 MiB",
                 "150.00 MiB", "nothing was run", "use chunks of at most (2000, 2000)"], failures, out)
        # Compressed: a (2000, 2000) chunk (30.52 MiB) fits, its three filter
        # buffers and MPI-IO's beside it do not.
        out = os.path.join(d, "bigz.h5")
        refused(a.tessera, "150MiB", "bigz.lua",
                'local ts = require "tessera"\n'
                'local x = ts.random.random({8000, 8000}, {chunks = {2000, 2000}})\n'
                f'x:store("{out}", "/x", {{compression = "gzip"}})\n', d,
                ["bigz.lua:3", "not enough memory per rank", "chunks of shape (2000, 2000)", "30.52 MiB per task",
                 "with 95.55 MiB of HDF5 and MPI-IO buffers", "150.00 MiB", "nothing was run",
                 "use chunks of at most (1000, 1000)"], failures, out)
        # Results rank 0 would hold twice (received, assembled) past its budget.
        refused(a.tessera, "256MiB", "result.lua",
                'local ts = require "tessera"\n'
                'local v = ts.ones({6000, 4000}, {chunks = {1000, 4000}}):compute()\n', d,
                ["result.lua:2", "would bring 183.11 MiB of results to rank 0", "to receive and assemble them",
                 "more than its memory budget of 256.00 MiB"], failures)
    if failures:
        print("FAIL\n" + "\n".join(failures))
        return 1
    print("ok: every rank within its budget and its plan")
    return 0


if __name__ == "__main__":
    sys.exit(main())
