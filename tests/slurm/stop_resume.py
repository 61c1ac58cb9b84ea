#!/usr/bin/python3
"""stop_resume.py - time limits, stop signals and requeue of real SLURM jobs
on the cluster of local_cluster.sh. Every job stores slow_store.lua's blocks
(a sleep per block stands for slow work); every finished dataset must hold
the same bits as an uninterrupted run's. Cases:

  time_limit  two jobs at once, each with --time=1 and work for longer:
      hard    no_warning.sbatch (no early warning): the limit ends it, state
              TIMEOUT. srun answers its own SIGTERM by sending the ranks
              SIGKILL, which races tessera's stop on the ranks' SIGTERM
              (either may win: killed, or 75 and the stop message); either
              way its store is incomplete with the blocks stored so
              far recorded, no rank is left behind, and a job submitted
              with TESSERA_RESUME=1 finishes it, skipping exactly those.
      warned  template.sbatch with --signal=B:USR1@10: the warning (20-50 s
              in) reaches the batch shell, whose trap passes it to srun;
              every rank exits 75 with the stop message; the script requeues
              the job; the requeued run (SLURM_RESTART_COUNT=1, same job id)
              resumes by itself with the same seed, and the job ends
              COMPLETED.
  signals     template.sbatch --no-requeue, one signal once the store runs:
              scancel --batch -s USR1 (only the batch shell, as --signal=B:
              does; the trap passes it on), scancel -s TERM and -s INT
              (slurmd signals every rank): each job ends FAILED with 75 from
              every rank and the message naming the signal, its record
              holding what the message says. A job at TESSERA_MAX_REQUEUES
              is not requeued again. Then scontrol requeue of a running job
              submitted with --requeue: the requeued run resumes by itself
              and the job ends COMPLETED.

Usage: stop_resume.py --cluster local_cluster.sh --tessera BIN --source-dir DIR
                      --work DIR [--only CASE,...]
The environment names the cluster (TESSERA_SLURM_DIR, SLURM_CONF).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

from run_job import job_fields  # scontrol's record of a job, as a dict

STOPPED = 75


class Check:
    def __init__(self):
        self.problems = []

    def __call__(self, ok, what, text=""):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.problems.append(what)
            if text:
                print("     --- output ---\n" + text[-3000:] + "\n     --- end ---", flush=True)
        return ok


class Cluster:
    def __init__(self, opts):
        self.opts = opts
        self.tessera = os.path.abspath(opts.tessera)
        self.src = os.path.abspath(opts.source_dir)
        self.lua = os.path.join(self.src, "tests", "slurm", "slow_store.lua")
        self.refs = {}

    def env(self, extra):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith(("TESSERA_RESUME", "TESSERA_SEED", "TESSERA_TEST_", "SLURM_JOB", "SLURM_STEP",
                                  "SLURM_RESTART"))}
        e.update(TESSERA=self.tessera, OMPI_MCA_mpi_yield_when_idle="1")
        e.update(extra)
        return e

    def submit(self, work, name, script, opts, nblocks, extra_env):
        """sbatch from the repository root, as a user would; returns (job id, output path)."""
        os.makedirs(work, exist_ok=True)
        cmd = (["sbatch", "--parsable", f"--chdir={work}", f"--job-name={name}"] + opts +
               [os.path.join(self.src, script), self.lua, "--", f"{name}.h5", str(nblocks)])
        print("+ " + " ".join(cmd), flush=True)
        r = subprocess.run(cmd, cwd=self.src, env=self.env(extra_env), capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"sbatch failed: {r.stderr.strip()}")
        job = r.stdout.strip().split(";")[0]
        return job, os.path.join(work, f"{name}-{job}.out")

    def wait(self, job, seconds):
        t0 = time.monotonic()
        rc = subprocess.run([self.opts.cluster, "wait", job, str(seconds)]).returncode
        return rc, time.monotonic() - t0

    def reference(self, seed, nblocks, work):
        """An uninterrupted store (one process, no sleep) of nblocks with seed."""
        key = (seed, nblocks)
        if key not in self.refs:
            path = os.path.join(work, f"ref-{seed}-{nblocks}.h5")
            env = self.env({})
            for k in [k for k in env if k.startswith("SLURM_") and k != "SLURM_CONF"]:
                env.pop(k)
            r = subprocess.run([self.tessera, "run", "--quiet", "--seed", str(seed), self.lua, "--", path,
                                str(nblocks)], env=env, capture_output=True, text=True, timeout=300)
            if r.returncode != 0:
                raise RuntimeError(f"reference run failed ({r.returncode}): {r.stdout}{r.stderr}")
            self.refs[key] = path
        return self.refs[key]


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def wait_until(pred, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def dataset(path):
    """{"exists", "complete", "nstored" (None without a record)}."""
    import h5py
    import numpy as np
    if not os.path.exists(path):
        return {"exists": False}
    with h5py.File(path, "r") as f:
        if "out/y" not in f:
            return {"exists": False}
        rec = "out/y.tessera_chunks"
        return {"exists": True, "complete": int(f["out/y"].attrs.get("tessera_complete", -1)),
                "nstored": int(np.count_nonzero(f[rec][()])) if rec in f else None}


def same_bits(a, b):
    import h5py
    import numpy as np
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        x, y = fa["out/y"][()], fb["out/y"][()]
        return x.shape == y.shape and np.array_equal(x.view(np.uint8), y.view(np.uint8))


def seeds(out):
    return [int(s) for s in re.findall(r"^tessera \S+: .*, seed (\d+)$", out, re.M)]


def stop_message(out, path, nblocks):
    """(signal name, chunks stored) from a stopped run's messages, or None."""
    m = re.search(rf"stored so far: /out/y in {re.escape(path)}: (\d+) of {nblocks} chunks", out)
    s = re.search(r"tessera: stopped by (\S+) \(exit status 75\)", out)
    return (s.group(1), int(m.group(1))) if m and s else None


def exited_75(out, ntasks):
    """True when srun says every task exited with 75 ("tasks 0-1: Exited
    with exit code 75", in one line or several) and none otherwise."""
    tasks = set()
    for spec, code in re.findall(r"srun: error: \S+: tasks? ([\d,-]+): Exited with exit code (\d+)", out):
        if code != "75":
            return False
        for part in spec.split(","):
            lo, _, hi = part.partition("-")
            tasks.update(range(int(lo), int(hi or lo) + 1))
    return tasks == set(range(ntasks))


def ranks_left(work):
    """PIDs of tessera processes still running in the job's directory."""
    left = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            if open(f"/proc/{p}/comm").read().strip() == "tessera" and os.readlink(f"/proc/{p}/cwd") == work:
                left.append(int(p))
        except OSError:
            pass
    return left


def wait_requeued(cl, c, what, job, out_path, seconds):
    """Waits for a job that should end COMPLETED after one requeue; its log."""
    rc, took = cl.wait(job, seconds)
    out = read(out_path)
    restarts = job_fields(job).get("Restarts")
    c(rc == 0 and restarts == "1",
      f"{what}: job {job} COMPLETED after one requeue (status {rc}, Restarts={restarts}, {took:.0f} s)", out)
    return out


def check_finished(cl, c, what, path, seed, nblocks, work):
    st = dataset(path)
    c(st.get("complete") == 1 and st.get("nstored") is None,
      f"{what}: the dataset is complete, with no record left ({st})")
    ref = cl.reference(seed, nblocks, work)
    c(st.get("exists") and same_bits(path, ref), f"{what}: bit-identical to an uninterrupted run (seed {seed})")


def case_time_limit(cl, c, work):
    nb = 150
    hard_path, warned_path = os.path.join(work, "hard.h5"), os.path.join(work, "warned.h5")
    hard, hard_out = cl.submit(work, "hard", "tests/slurm/no_warning.sbatch", ["--time=1"], nb,
                               {"TESSERA_TEST_BLOCK_S": "1", "TESSERA_SEED": "7"})
    warned, warned_out = cl.submit(work, "warned", "jobs/slurm/template.sbatch",
                                   ["--time=1", "--ntasks=2", "--signal=B:USR1@10"], nb,
                                   {"TESSERA_TEST_BLOCK_S": "0.5"})

    # warned: the warning, the stop, the requeue, the resumed run
    out = wait_requeued(cl, c, "warned", warned, warned_out, 200)
    stop = stop_message(out, "warned.h5", nb)
    c(stop is not None and stop[0] == "SIGUSR1" and 0 < stop[1] < nb,
      f"warned: the first run stopped on SIGUSR1 with part of the blocks stored ({stop})", out)
    c(exited_75(out, 2),
      "warned: every rank exited with 75 (srun passed the batch shell's signal on)", out)
    c(f"requeueing job {warned} to finish the run" in out, "warned: the script requeued the job", out)
    s = seeds(out)
    c(len(s) == 2 and s[0] == s[1], f"warned: the requeued run kept the seed ({s})", out)
    c("tessera: resuming:" in out and stop is not None and
      f"resumed: {stop[1]} stored chunks of an interrupted run were not computed again" in out,
      "warned: the requeued run resumed by itself and skipped exactly the stored blocks", out)
    if s:
        check_finished(cl, c, "warned", warned_path, s[0], nb, work)

    # hard: killed at the limit, then finished by a resumed job
    rc, took = cl.wait(hard, 200)
    out = read(hard_out)
    c(rc == 124 and "DUE TO TIME LIMIT" in out, f"hard: job {hard} ended TIMEOUT at the limit (status {rc})", out)
    stop = stop_message(out, "hard.h5", nb)
    print(f"     hard: {'tessera stopped first (75, ' + stop[0] + ')' if stop else 'the ranks were killed'}")
    c(wait_until(lambda: not ranks_left(work), 15), f"hard: no rank left behind ({ranks_left(work)})")
    st = dataset(hard_path)
    k = st.get("nstored") or 0
    c(st.get("complete") == 0 and 0 < k < nb and (stop is None or stop[1] == k),
      f"hard: the dataset is incomplete, {k} of {nb} blocks recorded ({st})")
    again, again_out = cl.submit(work, "hard", "tests/slurm/no_warning.sbatch", [], nb,
                                 {"TESSERA_RESUME": "1", "TESSERA_SEED": "7"})
    rc, took = cl.wait(again, 120)
    out = read(again_out)
    c(rc == 0 and f"resumed: {k} stored chunks of an interrupted run were not computed again" in out,
      f"hard: a job with TESSERA_RESUME=1 finished it, skipping the {k} stored blocks ({took:.0f} s)", out)
    check_finished(cl, c, "hard", hard_path, 7, nb, work)


def start_and_signal(cl, c, work, name, opts, extra_env, nb, signal_cmd):
    """Submits, waits until the store has run a second, runs signal_cmd + [job]."""
    job, out_path = cl.submit(work, name, "jobs/slurm/template.sbatch", opts, nb,
                              dict({"TESSERA_TEST_BLOCK_S": "0.2"}, **extra_env))
    path = os.path.join(work, f"{name}.h5")
    started = wait_until(lambda: "storing" in read(out_path) and os.path.exists(path), 60)
    time.sleep(1.5)
    c(started and job_fields(job).get("JobState") == "RUNNING", f"{name}: job {job} is storing",
      read(out_path))
    subprocess.run(signal_cmd + [job], check=True)
    return job, out_path, path


def case_signals(cl, c, work):
    nb = 100
    for name, cmd, signame in (("batch_usr1", ["scancel", "--batch", "-s", "USR1"], "SIGUSR1"),
                               ("term", ["scancel", "-s", "TERM"], "SIGTERM"),
                               ("int", ["scancel", "-s", "INT"], "SIGINT")):
        job, out_path, path = start_and_signal(cl, c, work, name, ["--no-requeue"], {"TESSERA_SEED": "7"}, nb,
                                               cmd)
        rc, took = cl.wait(job, 60)
        out = read(out_path)
        stop = stop_message(out, f"{name}.h5", nb)
        c(rc == STOPPED and stop is not None and stop[0] == signame,
          f"{name}: {' '.join(cmd)}: job FAILED with 75, stopped by {signame} ({rc}, {stop}, {took:.1f} s)", out)
        c(exited_75(out, 3), f"{name}: every rank exited with 75", out)
        st = dataset(path)
        c(stop is not None and st.get("complete") == 0 and st.get("nstored") == stop[1],
          f"{name}: the record holds the blocks the message names ({st})")

    # A job that may be requeued, but not again (TESSERA_MAX_REQUEUES=0):
    # the template says so and the job ends with 75.
    job, out_path, path = start_and_signal(cl, c, work, "no_more", [], {"TESSERA_MAX_REQUEUES": "0"}, nb,
                                           ["scancel", "--batch", "-s", "USR1"])
    rc, took = cl.wait(job, 60)
    out = read(out_path)
    c(rc == STOPPED and job_fields(job).get("Restarts") == "0" and
      "tessera stopped (status 75) after 0 requeues; not requeued again (TESSERA_MAX_REQUEUES); submit it "
      "with TESSERA_RESUME=1 to finish" in out,
      f"no_more: at TESSERA_MAX_REQUEUES the job is not requeued and ends with 75 ({rc})", out)

    # scontrol requeue of a running job: killed (or stopped) and run again
    job, out_path, path = start_and_signal(cl, c, work, "requeued", [], {}, nb, ["scontrol", "requeue"])
    out = wait_requeued(cl, c, "requeued", job, out_path, 120)
    m = re.search(r"resumed: (\d+) stored chunks of an interrupted run were not computed again", out)
    s = seeds(out)
    c("tessera: resuming:" in out and m and int(m.group(1)) > 0 and len(s) == 2 and s[0] == s[1],
      f"requeued: the requeued run resumed by itself with the same seed ({s}) and skipped the stored blocks",
      out)
    if s:
        check_finished(cl, c, "requeued", path, s[0], nb, work)


CASES = {"time_limit": case_time_limit, "signals": case_signals}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cluster", required=True)
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--only", default=",".join(CASES))
    opts = ap.parse_args()
    cl, c = Cluster(opts), Check()
    work = os.path.abspath(opts.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    t0 = time.monotonic()
    for name in opts.only.split(","):
        try:
            CASES[name](cl, c, work)
        except (RuntimeError, subprocess.SubprocessError, OSError) as e:
            c(False, f"{name}: {e}")
    print(f"stop_resume: {time.monotonic() - t0:.0f} s, "
          f"{'FAILED, ' + str(len(c.problems)) + ' problem(s)' if c.problems else 'all checks passed'}")
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
