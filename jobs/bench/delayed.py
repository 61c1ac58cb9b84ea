#!/usr/bin/python3
"""delayed.py - benchmarks of delayed tasks (ts.delayed), in one run.

1. The 'Scaling with Dask' seed's 30 chains (120 tasks sleeping S seconds
   each; S = 1 by default, as in the seed) at 1, 2 and 4 workers
   (mpirun -np 2, 3, 5): the wall time of ts.compute against the ideal
   max(120 S / workers, 3 S), as a ratio (1.00 = ideal).
2. The cost of one trivial delayed task (a Lua function returning its
   argument), 20,000 independent tasks: microseconds per task to build the
   calls (Lua), to compute them (scheduling, messages, running), and both
   end to end (target < 50 us), at 1 rank (driver and worker in one process)
   and at 1 and 2 worker ranks.

Tasks that sleep use no CPU, so 4 workers on a 2-core machine still scale.
Targets are reported, not asserted; the exit status is non-zero only when a
job fails or prints no result.

Usage: jobs/bench/delayed.py [--sleep S] [--quick] [--tessera PATH] [--mpirun PATH]
       (--quick: S = 0.1 and shorter overhead runs)
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_job(args, np_, script, job_args):
    cmd = ([] if np_ == 0 else [args.mpirun, "--allow-run-as-root", "--oversubscribe", "-np", str(np_)])
    cmd += [args.tessera, "run", "--quiet", os.path.join(HERE, script), "--"] + job_args
    env = dict(os.environ, OMPI_MCA_mpi_yield_when_idle="1", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    for line in res.stdout.splitlines():
        if line.startswith("BENCH "):
            return {k: v for k, v in (kv.split("=", 1) for kv in line.split()[1:])}
    sys.stderr.write(f"job failed: {' '.join(cmd)}\n{res.stdout}{res.stderr}\n")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sleep", type=float, default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tessera", default=os.path.join(ROOT, "build", "tessera"))
    ap.add_argument("--mpirun", default="mpirun")
    args = ap.parse_args()
    sleep = args.sleep if args.sleep is not None else (0.1 if args.quick else 1.0)
    failed = False

    print(f"30 chains of square, square, add, square_root; every task sleeps {sleep:g} s")
    print(f"{'workers':>8} {'wall s':>9} {'ideal s':>9} {'ratio':>7}")
    for workers in (1, 2, 4):
        b = run_job(args, workers + 1, "delayed_chains.lua", [f"ms={round(sleep * 1000)}"])
        if not b:
            failed = True
            continue
        wall, ideal = float(b["wall_s"]), float(b["ideal_s"])
        print(f"{workers:>8} {wall:>9.3f} {ideal:>9.3f} {wall / ideal:>7.3f}")

    mins = "1" if args.quick else "3"
    print("\ntrivial delayed tasks (20,000 independent calls), microseconds per task (target < 50 end to end)")
    print(f"{'ranks':>22} {'build':>8} {'compute':>8} {'end to end':>11}")
    for np_, label in ((0, "1 (no mpirun)"), (2, "1 worker (mpirun -np 2)"), (3, "2 workers (mpirun -np 3)")):
        b = run_job(args, np_, "delayed_overhead.lua", ["n=20000", f"mins={mins}"])
        if not b:
            failed = True
            continue
        n = float(b["ntasks"])
        build, wall = float(b["build_s"]) / n * 1e6, float(b["wall_s"]) / n * 1e6
        print(f"{label:>22} {build:>8.2f} {wall:>8.2f} {build + wall:>11.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
