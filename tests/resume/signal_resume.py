#!/usr/bin/python3
"""signal_resume.py — a run stopped by a signal in the middle of a store,
and the resumed run that finishes it. With real MPI runs (3 ranks unless
said), each case signals a store once its file exists and checks: the exit
status (75 when the ranks decide it), the messages (which signal, the
chunks stored so far, the command that finishes the run), that every rank
ended within STOP_S of the signal, that the dataset is marked incomplete
and its record holds what the message said; then that `--resume` skips
exactly those chunks, ends complete with no record left, and holds the
same bits as an uninterrupted run. Cases:

  usr1      SIGUSR1 to mpirun (which forwards it to every rank), seed given
  term-gz   SIGTERM to mpirun (it kills the ranks 1 s later), gzip store,
            no seed: the hint names the run's seed, the resume passes it
  worker    SIGUSR1 to worker rank 2 alone: the driver tells the others
  driver    SIGTERM to rank 0 alone: the driver tells the workers
  single    two SIGTERMs 5 ms apart (as SLURM sends each task at a time
            limit) to `tessera run` without mpirun: still a clean stop;
            resumed at 3 ranks
  slurm     SLURM_JOB_ID given, no seed; the "requeued" run (same job id,
            SLURM_RESTART_COUNT=1, no --resume) resumes by itself
  compute   SIGUSR1 during a long reduction: 75 and its message; --help
            documents status 75
  startup   SIGUSR1 while MPI starts (a job's early warning can come that
            soon): kept for the run, which stops before its first task
            (nothing stored)
  map_blocks  SIGUSR1 during the store of a map_blocks result: the blocks
            made before the stop are stored (not held back to the end of
            the stage) and the resume does not run them again
  refusals  a resume with another seed, no seed, another script, another
            size; a store without --resume; a dataset h5py wrote; loading
            the incomplete dataset

Usage: /usr/bin/python3 signal_resume.py --tessera BUILD/tessera
       [--only CASE,...] [--elements N] [--dir DIR] [--keep]
Exit status 0 only if every check passed.
"""
import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import time

from resume_common import (STOPPED_STATUS, Run, banner_seed, mpirun, rank_pids, run, same_bits, state)

STOP_S = 10      # every rank ends this soon after the signal
START_S = 120    # for the store to begin
SEED = 12345
DSET = "out/y"
NCHUNKS = 40

STORE = """local ts = require "tessera"
local path, n, gz = arg[1], math.tointeger(tonumber(arg[2])), arg[3] == "gzip"
-- 40 chunks of random numbers from the run's seed; the transcendental
-- functions make each chunk take a while, so the store lasts seconds.
local x = ts.random.random({n // 1000, 1000}, {chunks = {n // 40000, 1000}})
local y = x
for _ = 1, 3 do y = ts.tanh(ts.exp(ts.sin(y) * ts.cos(y))) end
print("storing")
y:store(path, "/out/y", gz and {compression = "gzip", level = 1} or nil)
print("stored")
"""

OTHER = STORE.replace("ts.sin(y) * ts.cos(y)", "ts.sin(y) * ts.cos(y) + 1")

COMPUTE = """local ts = require "tessera"
local n = math.tointeger(tonumber(arg[1]))
local x = ts.random.random({n // 1000, 1000}, {chunks = {n // 40000, 1000}, seed = 3})
for _ = 1, 3 do x = ts.tanh(ts.exp(ts.sin(x) * ts.cos(x))) end
print("computing")
print(x:mean():compute())
print("computed")
"""

# 40 blocks of a Lua function that takes 0.1 s each (2 s on 2 workers),
# whatever the size asked for.
MAPB = """local ts = require "tessera"
local path = arg[1]
local x = ts.random.random({4000, 1000}, {chunks = {100, 1000}})
local y = x:map_blocks(function(b) ts.sleep(0.1) return ts.tanh(b * 3 - 1) end)
print("storing")
y:store(path, "/out/y")
print("stored")
"""

LOAD = """local ts = require "tessera"
print(ts.from_hdf5(arg[1], "/out/y"):sum():compute())
"""


class Checker:
    def __init__(self):
        self.problems = []

    def check(self, ok, what, text=""):
        if not ok:
            self.problems.append(what + ("\n" + text[-2500:] if text else ""))
        return ok


class Env:
    def __init__(self, tessera, workdir, n):
        self.tessera, self.workdir, self.n = tessera, workdir, n
        self.refs = {}
        for name, text in (("store.lua", STORE), ("other.lua", OTHER), ("compute.lua", COMPUTE),
                           ("load.lua", LOAD), ("mapb.lua", MAPB)):
            with open(self.at(name), "w") as f:
                f.write(text)

    def at(self, name):
        return os.path.join(self.workdir, name)

    def store_args(self, path, gz=False, n=None, script="store.lua"):
        return [self.at(script), "--", path, str(n or self.n)] + (["gzip"] if gz else [])

    def reference(self, seed, gz, c, script="store.lua"):
        """An uninterrupted store of script with this seed (made once)."""
        key = (seed, gz, script)
        if key not in self.refs:
            path = self.at(f"ref-{seed}-{'gz' if gz else 'plain'}-{script}.h5")
            status, out = run(mpirun(3, self.tessera, ["--quiet", "--seed", str(seed)] +
                                     self.store_args(path, gz, script=script)))
            c.check(status == 0 and "stored" in out, f"reference store (seed {seed}) failed: {status}", out)
            self.refs[key] = path
        return self.refs[key]


def interrupt(e, c, name, cmd, path, sig, whom, delay_s=0.4, times=1):
    """Starts cmd, signals `whom` ("mpirun", "single", or an MPI rank)
    delay_s after the store began; returns (status, output), or None if it
    could not. A store that ends before the signal (a fast moment of a
    shared machine) is tried again with a shorter delay."""
    for attempt in range(4):
        if os.path.exists(path):
            os.remove(path)
        r = Run(cmd, e.at(name + ".log"))
        started = r.wait_for(lambda: "storing" in r.text() and os.path.exists(path), START_S)
        time.sleep(delay_s)
        if not started or r.proc.poll() is not None:
            r.finish(STOP_S)
            if not started:
                break
            delay_s /= 3
            continue
        pid = r.proc.pid
        if whom not in ("mpirun", "single"):
            pids = rank_pids(r.proc.pid)
            if not c.check(whom in pids, f"{name}: rank {whom} not found among {pids}"):
                r.finish(STOP_S)
                return None
            pid = pids[whom]
        t0 = time.monotonic()
        for i in range(times):
            if i:
                time.sleep(0.005)
            os.kill(pid, sig)
        status = r.finish(STOP_S + 20)
        took = time.monotonic() - t0
        out = r.text()
        if "stored\n" in out:
            delay_s /= 3
            continue
        c.check(status is not None and took < STOP_S, f"{name}: the run ended {took:.1f} s after the signal "
                f"(limit {STOP_S} s; status {status})", out)
        print(f"{name}: status {status}, ended {took:.2f} s after the signal")
        return status, out
    c.check(False, f"{name}: the store ended (or never began) before the signal", r.text())
    return None


def check_stopped(e, c, name, status, out, path, signame, want_status=True):
    """The messages and the dataset of a store stopped by signame; returns
    (chunks stored, seed to resume with) or None."""
    if want_status:
        c.check(status == STOPPED_STATUS, f"{name}: exit status {status}, expected {STOPPED_STATUS}", out)
    m = re.search(r"stopped on request before the store finished; stored so far: /out/y in (\S+): "
                  r"(\d+) of (\d+) chunks\. Run the same script again with --resume", out)
    hint = re.search(r"tessera: stopped by (\S+) \(exit status 75\)\. To finish, run the same command again "
                     r"with --resume --seed (\d+) ", out)
    if not c.check(m and hint, f"{name}: the stop messages are missing", out):
        return None
    c.check(m.group(1) == path and int(m.group(3)) == NCHUNKS, f"{name}: the message names {m.group(0)}")
    c.check(hint.group(1) == signame, f"{name}: stopped by {hint.group(1)}, expected {signame}", out)
    c.check("stack traceback" not in out, f"{name}: a stop prints no traceback", out)
    k = int(m.group(2))
    s = state(path, DSET)
    c.check(s.get("exists") and s["complete"] == 0 and s["nrecord"] == NCHUNKS and s["nstored"] == k,
            f"{name}: dataset state {s}, expected incomplete with {k} of {NCHUNKS} chunks recorded")
    status, info = run([e.tessera, "info", path])
    c.check(status == 0 and f"INCOMPLETE: tessera did not finish writing it; {k} of {NCHUNKS} chunks stored"
            in info and RECORD_SUFFIX_SHOWN not in info, f"{name}: tessera info", info)
    print(f"{name}: {k} of {NCHUNKS} chunks stored and recorded")
    return k, int(hint.group(2))


RECORD_SUFFIX_SHOWN = ".tessera_chunks:"


def check_resumed(e, c, name, cmd, path, k, seed, gz, extra_env=None, script="store.lua"):
    status, out = run(cmd, extra_env=extra_env)
    c.check(status == 0 and "stored" in out, f"{name}: the resumed run failed ({status})", out)
    if k:
        c.check(f"resumed: {k} stored chunks of an interrupted run were not computed again" in out,
                f"{name}: the resumed run did not skip exactly the {k} stored chunks", out)
    s = state(path, DSET)
    c.check(s.get("complete") == 1 and s["nrecord"] is None,
            f"{name}: after the resume the dataset is {s}, expected complete without a record")
    ref = e.reference(seed, gz, c, script)
    c.check(os.path.exists(ref) and same_bits(path, ref, DSET),
            f"{name}: the resumed dataset differs from an uninterrupted run's (seed {seed})")
    print(f"{name}: resumed, bit-identical to the uninterrupted run")


def case_usr1(e, c):
    path = e.at("usr1.h5")
    got = interrupt(e, c, "usr1", mpirun(3, e.tessera, ["--seed", str(SEED)] + e.store_args(path)), path,
                    signal.SIGUSR1, "mpirun")
    stopped = got and check_stopped(e, c, "usr1", got[0], got[1], path, "SIGUSR1")
    if stopped:
        c.check(stopped[1] == SEED, f"usr1: the hint names seed {stopped[1]}, not {SEED}")
        refusals(e, c, path)
        check_resumed(e, c, "usr1", mpirun(3, e.tessera, ["--resume", "--seed", str(SEED)] +
                                           e.store_args(path)), path, stopped[0], SEED, False)


def case_term_gz(e, c):
    path = e.at("term-gz.h5")
    got = interrupt(e, c, "term-gz", mpirun(3, e.tessera, e.store_args(path, gz=True)), path,
                    signal.SIGTERM, "mpirun", delay_s=1.0)
    # mpirun itself ends with its own status after a SIGTERM
    stopped = got and check_stopped(e, c, "term-gz", got[0], got[1], path, "SIGTERM", want_status=False)
    if stopped:
        c.check(got[0] != 0, "term-gz: mpirun returned 0 after a SIGTERM", got[1])
        c.check(banner_seed(got[1]) == stopped[1], "term-gz: the hint's seed is not the banner's", got[1])
        check_resumed(e, c, "term-gz", mpirun(3, e.tessera, ["--resume", "--seed", str(stopped[1])] +
                                              e.store_args(path, gz=True)), path, stopped[0], stopped[1], True)


def case_one_rank(e, c, name, whom, sig, signame):
    path = e.at(name + ".h5")
    got = interrupt(e, c, name, mpirun(3, e.tessera, ["--seed", str(SEED)] + e.store_args(path)), path, sig,
                    whom)
    stopped = got and check_stopped(e, c, name, got[0], got[1], path, signame)
    if stopped:
        check_resumed(e, c, name, mpirun(3, e.tessera, ["--resume", "--seed", str(SEED)] + e.store_args(path)),
                      path, stopped[0], SEED, False)


def case_single(e, c):
    path = e.at("single.h5")
    got = interrupt(e, c, "single", [e.tessera, "run", "--seed", str(SEED)] + e.store_args(path), path,
                    signal.SIGTERM, "single", delay_s=0.8, times=2)
    stopped = got and check_stopped(e, c, "single", got[0], got[1], path, "SIGTERM")
    if stopped:  # the resume runs at 3 ranks: the values do not depend on the rank count
        check_resumed(e, c, "single", mpirun(3, e.tessera, ["--resume", "--seed", str(SEED)] +
                                             e.store_args(path)), path, stopped[0], SEED, False)


def case_slurm(e, c):
    path = e.at("slurm.h5")
    job = {"SLURM_JOB_ID": "4242", "SLURM_STEP_ID": "0"}
    got = interrupt(e, c, "slurm", mpirun(3, e.tessera, e.store_args(path), job), path, signal.SIGUSR1,
                    "mpirun")
    stopped = got and check_stopped(e, c, "slurm", got[0], got[1], path, "SIGUSR1")
    if stopped:
        c.check("(repeat with --seed)" not in got[1], "slurm: the seed should come from the job", got[1])
        requeued = dict(job, SLURM_RESTART_COUNT="1")
        status, out = run(mpirun(3, e.tessera, e.store_args(path), requeued))
        c.check(status == 0 and "tessera: resuming:" in out and banner_seed(out) == stopped[1],
                f"slurm: the requeued run (status {status}) did not resume with seed {stopped[1]}", out)
        if stopped[0]:
            c.check(f"resumed: {stopped[0]} stored chunks" in out, "slurm: the requeued run skipped "
                    f"other than the {stopped[0]} stored chunks", out)
        ref = e.reference(stopped[1], False, c)
        c.check(state(path, DSET).get("complete") == 1 and same_bits(path, ref, DSET),
                "slurm: the requeued run's dataset differs from an uninterrupted run's")
        # another job draws other numbers
        status, out = run(mpirun(1, e.tessera, ["--dry-run", e.at("compute.lua"), "--", "4000000"],
                                 {"SLURM_JOB_ID": "4243", "SLURM_STEP_ID": "0"}))
        c.check(status == 0 and banner_seed(out) not in (None, stopped[1]),
                "slurm: another job id gave the same seed", out)


def case_compute(e, c):
    delay_s = 0.5
    for attempt in range(4):
        r = Run(mpirun(3, e.tessera, [e.at("compute.lua"), "--", str(e.n)]), e.at("compute.log"))
        r.wait_for(lambda: "computing" in r.text(), START_S)
        time.sleep(delay_s)
        if r.proc.poll() is not None:
            r.finish(STOP_S)
            delay_s /= 3
            continue
        t0 = time.monotonic()
        os.kill(r.proc.pid, signal.SIGUSR1)
        status = r.finish(STOP_S + 20)
        out = r.text()
        took = time.monotonic() - t0
        if "computed" in out:  # the signal came just after the compute
            delay_s /= 3
            continue
        c.check(status == STOPPED_STATUS and took < STOP_S, f"compute: status {status} after {took:.1f} s", out)
        c.check("stopped on request before the compute finished" in out and "stopped by SIGUSR1" in out,
                "compute: messages", out)
        print(f"compute: status {status}, ended {took:.2f} s after the signal")
        break
    else:
        c.check(False, "compute: the compute ended before the signal in every try", r.text())
    status, out = run([e.tessera, "run", "--help"])
    c.check(status == 0 and "75 if\nstopped by a signal" in out and "SIGTERM, SIGINT or SIGUSR1" in out,
            "tessera run --help does not document the stop and exit status 75", out)


def case_map_blocks(e, c):
    path = e.at("mapb.h5")
    args = ["--seed", str(SEED)] + e.store_args(path, script="mapb.lua")
    got = interrupt(e, c, "map_blocks", mpirun(3, e.tessera, ["--progress-interval", "0.2"] + args), path,
                    signal.SIGUSR1, "mpirun", delay_s=0.8)
    stopped = got and check_stopped(e, c, "map_blocks", got[0], got[1], path, "SIGUSR1")
    if stopped:
        c.check(stopped[0] > 0, "map_blocks: no block was stored before the stop (blocks must be stored as "
                "they are made, not at the end of the stage)", got[1])
        lines = re.findall(r"tessera: store 1: +(\d+)% \((\d+)/(\d+) tasks\)", got[1])
        c.check(lines and lines[-1][0] != "100" and int(lines[-1][1]) < NCHUNKS,
                "map_blocks: the last progress line of a stopped store should show the tasks done, "
                f"not 100% ({lines[-1:]})", got[1])
        check_resumed(e, c, "map_blocks", mpirun(3, e.tessera, ["--resume"] + args), path, stopped[0], SEED,
                      False, script="mapb.lua")


def case_startup(e, c):
    """The signal comes once the process runs more than one thread: MPI_Init
    started them, so a handler installed after it would come too late."""
    path = e.at("startup.h5")
    r = Run([e.tessera, "run", "--seed", str(SEED)] + e.store_args(path), e.at("startup.log"))

    def threads():
        try:
            return len(os.listdir(f"/proc/{r.proc.pid}/task"))
        except OSError:
            return 0
    in_init = r.wait_for(lambda: threads() > 1, START_S)
    os.kill(r.proc.pid, signal.SIGUSR1)
    status = r.finish(STOP_S + 20)
    out = r.text()
    c.check(in_init, "startup: tessera never started its threads", out)
    c.check(status == STOPPED_STATUS and "tessera: stopped by SIGUSR1 (exit status 75)" in out and
            f"stored so far: /out/y in {path}: 0 of {NCHUNKS} chunks" in out,
            f"startup: status {status}, expected {STOPPED_STATUS} and the stop messages", out)
    s = state(path, DSET)  # the stop may come before the file is made
    c.check(not s.get("exists") or (s["complete"] == 0 and s["nstored"] == 0),
            f"startup: dataset state {s}, expected none or incomplete with nothing stored")
    print(f"startup: status {status}, nothing stored")


def refusals(e, c, path):
    """Resumes that must be refused before any work, leaving path as it was."""
    before = state(path, DSET)
    other = e.at("other.lua")
    cases = [
        ("another seed", ["--resume", "--seed", "999"] + e.store_args(path),
         [f"was stored by a run with seed {SEED}, and this run's seed is 999",
          f"run again with --resume --seed {SEED}"]),
        ("no seed", ["--resume"] + e.store_args(path),
         ["(drawn afresh)", f"run again with --resume --seed {SEED}"]),
        ("another script", ["--resume", "--seed", str(SEED), other, "--", path, str(e.n)],
         ["was computed by a different script or from different inputs",
          "run without --resume (with overwrite = true)"]),
        ("another size", ["--resume", "--seed", str(SEED)] + e.store_args(path, n=e.n // 2),
         [f"--resume: dataset /out/y in {path} is float64 ({e.n // 1000}, 1000) in chunks",
          "it is not this store's output"]),
        ("no --resume", ["--seed", str(SEED)] + e.store_args(path),
         ["already exists", "(it is incomplete: run with --resume to finish storing it)"]),
        ("load", [e.at("load.lua"), "--", path], ["is incomplete", "--resume"]),
    ]
    for what, args, fragments in cases:
        status, out = run([e.tessera, "run", "--quiet"] + args, timeout_s=60)
        c.check(status == 1 and all(f in out for f in fragments),
                f"refusal '{what}': status {status}, expected 1 and {fragments}", out)
        c.check(state(path, DSET) == before, f"refusal '{what}' changed the dataset")
    import h5py
    import numpy as np
    foreign = e.at("foreign.h5")
    with h5py.File(foreign, "w") as f:
        f.create_dataset("out/y", data=np.zeros((e.n // 1000, 1000)))
    status, out = run([e.tessera, "run", "--quiet", "--resume", "--seed", str(SEED)] + e.store_args(foreign),
                      timeout_s=60)
    c.check(status == 1 and "was not written by tessera, so there is nothing to resume" in out,
            f"refusal 'h5py dataset': status {status}", out)
    print("refusals: each refused with its message, the dataset untouched")


CASES = {
    "usr1": case_usr1,
    "term-gz": case_term_gz,
    "worker": lambda e, c: case_one_rank(e, c, "worker", 2, signal.SIGUSR1, "SIGUSR1"),
    "driver": lambda e, c: case_one_rank(e, c, "driver", 0, signal.SIGTERM, "SIGTERM"),
    "single": case_single,
    "slurm": case_slurm,
    "compute": case_compute,
    "startup": case_startup,
    "map_blocks": case_map_blocks,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--only", default=",".join(CASES))
    ap.add_argument("--elements", type=int, default=32_000_000, help="elements of each stored array")
    ap.add_argument("--dir", default=None)
    ap.add_argument("--keep", action="store_true")
    opts = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="tessera-signal-resume-", dir=opts.dir)
    e, c = Env(opts.tessera, workdir, opts.elements), Checker()
    try:
        for name in opts.only.split(","):
            CASES[name](e, c)
    finally:
        if opts.keep:
            print(f"files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    for p in c.problems:
        print("FAIL: " + p.replace("\n", "\n      "))
    print(f"signal_resume: {'FAILED, ' + str(len(c.problems)) + ' problem(s)' if c.problems else 'all checks passed'}")
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
