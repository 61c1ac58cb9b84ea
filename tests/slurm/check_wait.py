#!/usr/bin/python3
"""check_wait.py - the job-state poller of local_cluster.sh (`wait JOBID
SECONDS`) maps each way a job ends to its documented status: the batch
script's exit code, 130 for a cancelled job, 2 for an unknown job, and 125
for a job still pending at the limit, which it then cancels.

Usage: check_wait.py path/to/local_cluster.sh   (cluster running, SLURM_CONF set)
"""
import subprocess
import sys
import time


def sbatch(*args):
    r = subprocess.run(["sbatch", "--parsable", "--time=1", "--output=/dev/null", *args],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip().split(";")[0]


def state(job_id):
    r = subprocess.run(["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True)
    for word in r.stdout.split():
        if word.startswith("JobState="):
            return word.split("=", 1)[1]
    return "?"


def main():
    cluster = sys.argv[1]
    problems = []

    def wait(job_id, seconds, expect, what):
        t0 = time.monotonic()
        rc = subprocess.run([cluster, "wait", job_id, str(seconds)]).returncode
        ok = rc == expect
        print(f"{'ok  ' if ok else 'FAIL'} {what}: status {rc} (expected {expect}) in {time.monotonic() - t0:.2f} s")
        if not ok:
            problems.append(what)

    wait(sbatch("--wrap=exit 3"), 60, 3, "a batch script that exits 3")

    job = sbatch("--wrap=sleep 60")
    for _ in range(240):
        if state(job) == "RUNNING":
            break
        time.sleep(0.25)
    subprocess.run(["scancel", job], check=True)
    wait(job, 60, 130, "a running job cancelled with scancel")

    wait("999999", 60, 2, "an unknown job id")

    job = sbatch("--begin=now+3600", "--wrap=true")
    wait(job, 1, 125, "a job still pending at the limit")
    final = state(job)
    if final != "CANCELLED":
        print(f"FAIL the job given up on is {final}, not CANCELLED")
        problems.append("cancel after giving up")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
