#!/usr/bin/python3
"""kill_resume.py — a worker rank killed (SIGKILL) in the middle of a
compute or of a store, at 1, 2 and 3 workers, and the resumed run. The job
computes a mean of an expression, prints it, then stores the expression.
For each loop, worker count and phase, one run has a random worker killed
a random moment into that phase; then:

  * every rank ends within END_S seconds of the kill, and no process of the
    run is left;
  * the output names the lost rank (mpirun: "process rank K ... signal 9");
  * a store killed midway leaves its dataset marked incomplete, its record
    holding at most every chunk (a compute killed leaves no dataset);
  * `tessera run --resume` at the same rank count then prints the same mean
    and stores a dataset complete, without a record, bit-identical to an
    uninterrupted run's, skipping exactly the chunks the record held.

CI runs a few loops (tests/resume/CMakeLists.txt); jobs/kill_resume_loop.sh
runs 20.

Usage: /usr/bin/python3 kill_resume.py --tessera BUILD/tessera [--loops N]
       [--workers 1,2,3] [--phases compute,store] [--elements N] [--seed S]
       [--dir DIR] [--keep]
Exit status 0 only if every check passed.
"""
import argparse
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time

from resume_common import Run, alive, mpirun, rank_pids, run, same_bits, state

END_S = 30      # every rank ends this soon after the kill
START_S = 120   # for a phase to begin
SEED = 777
DSET = "y"

JOB = """local ts = require "tessera"
local path, n = arg[1], math.tointeger(tonumber(arg[2]))
local x = ts.random.random({n // 1000, 1000}, {chunks = {n // 40000, 1000}})
-- transcendental functions make each of the 40 chunks take a while, so
-- each phase lasts about a second even on an idle machine
local y = x
for _ = 1, 3 do y = ts.tanh(ts.exp(ts.sin(y) * ts.cos(y))) end
print("computing")
print(string.format("mean %.17g", y:mean():compute():item()))
print("storing")
y:store(path, "/y")
print("stored")
"""


def kill_during(opts, workdir, args, path, nworkers, phase, rng):
    """Runs the job and SIGKILLs a random worker during phase; retries with
    a shorter wait when the phase ended first (a busy machine may run it
    fast). Returns (status, output, victim, pids, seconds to the end) or
    (None, output, None, pids, None) when every try missed."""
    marker = "computing" if phase == "compute" else "storing"
    over = "storing" if phase == "compute" else "stored"
    most = 0.4
    for attempt in range(4):
        if os.path.exists(path):
            os.remove(path)
        r = Run(mpirun(nworkers + 1, opts.tessera, args), os.path.join(workdir, "kill.log"))
        began = r.wait_for(lambda: marker in r.text() and (phase == "compute" or os.path.exists(path)),
                           START_S)
        time.sleep(rng.uniform(0.02, most))
        pids = rank_pids(r.proc.pid)
        victim = rng.randint(1, nworkers)
        if not began or r.proc.poll() is not None or over in r.text() or victim not in pids:
            r.finish(END_S)
            most /= 3
            continue
        t0 = time.monotonic()
        os.kill(pids[victim], signal.SIGKILL)
        status = r.finish(END_S)
        took = time.monotonic() - t0
        out = r.text()
        if over in out:  # the kill landed just after the phase
            most /= 3
            continue
        return status, out, victim, pids, took
    return None, r.text(), None, pids, None


def one(opts, workdir, ref, ref_mean, loop, nworkers, phase, rng, problems):
    name = f"loop {loop} {nworkers} worker{'s' if nworkers > 1 else ''} {phase}"
    path = os.path.join(workdir, f"k{loop}-{nworkers}-{phase}.h5")
    job = os.path.join(workdir, "job.lua")
    args = ["--seed", str(opts.seed), job, "--", path, str(opts.elements)]
    status, out, victim, pids, took = kill_during(opts, workdir, args, path, nworkers, phase, rng)
    if victim is None:
        problems.append(f"{name}: could not kill a worker during the {phase} in 4 tries (pids {pids}); "
                        f"output:\n{out[-1500:]}")
        return False
    time.sleep(0.2)
    left = alive(list(pids.values()))
    ok = True
    if status is None or took > END_S:
        problems.append(f"{name}: the run did not end within {END_S} s of the kill (a hang)")
        ok = False
    if status == 0:
        problems.append(f"{name}: the run returned 0 although rank {victim} was killed")
        ok = False
    if left:
        problems.append(f"{name}: processes left behind: {left}")
        ok = False
    if not re.search(rf"process rank {victim} with PID \d+ on node \S+ exited on signal 9", out):
        problems.append(f"{name}: the output does not name the lost rank {victim}:\n{out[-1500:]}")
        ok = False
    s = state(path, DSET)
    k = 0
    if phase == "compute":
        if s.get("exists"):
            problems.append(f"{name}: a dataset exists although the compute before the store was killed: {s}")
            ok = False
    elif not s.get("exists") or s["complete"] != 0:
        problems.append(f"{name}: after the kill the dataset is {s}, expected incomplete")
        ok = False
    else:
        k = s["nstored"] or 0
    status, out = run(mpirun(nworkers + 1, opts.tessera, ["--resume"] + args))
    if status != 0 or f"mean {ref_mean}" not in out or "stored" not in out:
        problems.append(f"{name}: the resumed run failed (status {status}) or printed another mean "
                        f"than {ref_mean}:\n{out[-1500:]}")
        return False
    if k and f"resumed: {k} stored chunks of an interrupted run were not computed again" not in out:
        problems.append(f"{name}: the resume did not skip exactly the {k} recorded chunks:\n{out[-1500:]}")
        ok = False
    s = state(path, DSET)
    if s.get("complete") != 1 or s["nrecord"] is not None or not same_bits(path, ref, DSET):
        problems.append(f"{name}: the resumed dataset ({s}) is not complete and bit-identical")
        ok = False
    os.remove(path)
    print(f"{name}: killed rank {victim}, all ended {took:.2f} s later, {k} chunks recorded; "
          f"resumed: {'identical' if ok else 'PROBLEMS'}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--loops", type=int, default=3)
    ap.add_argument("--workers", default="1,2,3")
    ap.add_argument("--phases", default="compute,store")
    ap.add_argument("--elements", type=int, default=24_000_000)
    ap.add_argument("--seed", type=int, default=SEED, help="run seed of the job (and of the kills' timing)")
    ap.add_argument("--dir", default=None)
    ap.add_argument("--keep", action="store_true")
    opts = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="tessera-kill-resume-", dir=opts.dir)
    with open(os.path.join(workdir, "job.lua"), "w") as f:
        f.write(JOB)
    rng = random.Random(opts.seed)
    problems, runs = [], 0
    t_start = time.monotonic()
    try:
        ref = os.path.join(workdir, "ref.h5")
        status, out = run(mpirun(3, opts.tessera, ["--quiet", "--seed", str(opts.seed),
                                                   os.path.join(workdir, "job.lua"), "--", ref,
                                                   str(opts.elements)]))
        m = re.search(r"mean (\S+)", out)
        if status != 0 or not m or "stored" not in out:
            problems.append(f"the uninterrupted reference run failed ({status}):\n{out[-1500:]}")
        else:
            for loop in range(1, opts.loops + 1):
                for nworkers in [int(w) for w in opts.workers.split(",")]:
                    for phase in opts.phases.split(","):
                        one(opts, workdir, ref, m.group(1), loop, nworkers, phase, rng, problems)
                        runs += 1
    finally:
        if opts.keep or problems:
            print(f"files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    for p in problems:
        print("FAIL: " + p.replace("\n", "\n      "))
    print(f"kill_resume: {runs} killed runs in {time.monotonic() - t_start:.0f} s: "
          f"{'FAILED, ' + str(len(problems)) + ' problem(s)' if problems else 'all checks passed'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
