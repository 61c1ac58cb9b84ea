#!/usr/bin/python3
"""run_job.py - submit one batch script to the test cluster of
local_cluster.sh as a user would (`sbatch` from the repository root), wait
for the job by polling its state, and check its end status and its output
file (named by the script's own --output, in the job's directory).

Usage: run_job.py --cluster local_cluster.sh --tessera BIN --source-dir DIR
                  --work DIR [--expect REGEX]... [--status N] [--absent FILE]...
                  [--sbatch-opt OPT]... -- SCRIPT.sbatch [ARGS...]
The environment names the cluster (TESSERA_SLURM_DIR, SLURM_CONF).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time


def job_fields(job_id):
    """scontrol's one-line record of a job, as a dict of its Key=Value words."""
    r = subprocess.run(["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True)
    fields = {}
    for word in r.stdout.split():
        key, _, value = word.partition("=")
        fields.setdefault(key, value)
    return fields


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cluster", required=True)
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--expect", action="append", default=[], help="regex the output must match")
    ap.add_argument("--status", type=int, default=0, help="expected status of the wait (0 = COMPLETED)")
    ap.add_argument("--absent", action="append", default=[], help="a file the job must not leave in its directory")
    ap.add_argument("--sbatch-opt", action="append", default=[])
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("script", nargs="+")
    opts = ap.parse_args()

    shutil.rmtree(opts.work, ignore_errors=True)
    os.makedirs(opts.work)
    env = dict(os.environ, TESSERA=os.path.abspath(opts.tessera), TESSERA_SEED="1")
    cmd = ["sbatch", "--parsable", f"--chdir={opts.work}"] + opts.sbatch_opt + opts.script
    print("+ (cd %s && %s)" % (opts.source_dir, " ".join(cmd)), flush=True)
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=opts.source_dir, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL sbatch exited {r.returncode}: {r.stderr.strip()}")
        return 1
    job_id = r.stdout.strip().split(";")[0]
    fields = job_fields(job_id)
    out_path = fields.get("StdOut", "")

    w = subprocess.run([opts.cluster, "wait", job_id, str(opts.timeout)], env=env)
    latency = time.monotonic() - t0
    problems = []
    if w.returncode != opts.status:
        problems.append(f"the job's status is {w.returncode}, expected {opts.status}")

    # The script's own output naming (%x-%j.out) in the job's directory.
    want = os.path.join(opts.work, f"{fields.get('JobName', '?')}-{job_id}.out")
    if out_path != want:
        problems.append(f"output file {out_path!r}, expected {want!r}")
    try:
        with open(out_path, errors="replace") as f:
            out = f.read()
    except OSError as e:
        out = ""
        problems.append(f"cannot read the job's output: {e}")
    print(f"--- {out_path} ---\n{out}--- end ---")
    for pattern in opts.expect:
        if not re.search(pattern, out):
            problems.append(f"output does not match {pattern!r}")

    for name in opts.absent:
        if os.path.exists(os.path.join(opts.work, name)):
            problems.append(f"the job left {name} in {opts.work}")

    print(f"job {job_id}: {latency:.2f} s from sbatch to its end state")
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
