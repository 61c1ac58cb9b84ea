#!/usr/bin/env python3
"""A worker's threads get CPUs of their own, within what the launcher gave.

mpirun binds each rank to one core when it starts two or fewer, so
`mpirun -np 2 tessera run --threads-per-rank 2` would run both task threads
of the worker on one core. tessera widens the worker's mask to the CPUs the
job's ranks hold on the node, and says so in the banner; a delayed task
reads the mask its thread really runs with. Where it cannot (one rank bound
to one core), the banner says how to start the job instead.
"""
import argparse, os, re, subprocess, sys, tempfile

SCRIPT = r'''
local ts = require "tessera"
local function mask()
  local f = assert(io.open("/proc/self/status"))
  local text = f:read("a")
  f:close()
  return text:match("Cpus_allowed_list:%s*(%S+)")
end
print("mask " .. ts.compute(ts.delayed(mask)()))
'''


def cpus(listing):
    n = 0
    for part in listing.split(","):
        lo, _, hi = part.partition("-")
        n += int(hi or lo) - int(lo) + 1
    return n


def run(tessera, script, np_, threads, extra=()):
    cmd = ["mpirun", "-np", str(np_), *extra, tessera, "run", "--seed", "1", "--threads-per-rank", str(threads),
           script]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit(f"FAIL {' '.join(cmd)}: status {p.returncode}\n{p.stdout}\n{p.stderr}")
    banner = p.stderr.splitlines()[0]
    m = re.search(r"^mask (\S+)$", p.stdout, re.M)
    if not m:
        sys.exit(f"FAIL {' '.join(cmd)}: no mask printed\n{p.stdout}")
    return banner, cpus(m.group(1))


def expect(what, cond, banner):
    if not cond:
        sys.exit(f"FAIL: {what}\nbanner: {banner}")
    print(f"ok: {what}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    a = ap.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        print("skip: this machine lets the test use fewer than 2 CPUs")
        return 77
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "cpus.lua")
        with open(script, "w") as f:
            f.write(SCRIPT)

        banner, n = run(a.tessera, script, 2, 2)
        expect("np 2 x 2 threads: the worker was bound to 1 CPU and widened to 2",
               "the launcher bound each worker to 1 CPU, widened to 2 for its threads" in banner, banner)
        expect(f"np 2 x 2 threads: a task thread runs with 2 CPUs (got {n})", n == 2, banner)

        banner, n = run(a.tessera, script, 2, 1)
        expect("np 2 x 1 thread: nothing to say", "1 thread per rank (--threads-per-rank)," in banner, banner)
        expect(f"np 2 x 1 thread: the launcher's binding is kept (got {n} CPU)", n == 1, banner)

        banner, n = run(a.tessera, script, 2, 2, ["--bind-to", "none"])
        expect("--bind-to none: nothing to widen", "2 threads per rank (--threads-per-rank)," in banner, banner)
        expect(f"--bind-to none: the task thread has every CPU (got {n})", n >= 2, banner)

        banner, n = run(a.tessera, script, 1, 2)
        expect("np 1 bound to 1 core: the banner says the threads share it and how to start the job",
               "2 worker threads share 1 CPU on a node; start it with mpirun --bind-to none, "
               "or srun --cpus-per-task=2" in banner, banner)
        expect(f"np 1: no CPU outside the launcher's binding is taken (got {n})", n == 1, banner)
    return 0


if __name__ == "__main__":
    sys.exit(main())
