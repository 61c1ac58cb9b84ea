#!/usr/bin/python3
"""run_scale.py — pipeline families at many ranks on few cores: each family
runs under `mpirun -np 1` and `mpirun -np N --oversubscribe` (default 64)
through run_case.py, so its outputs must equal NumPy's and be
byte-identical between the two rank counts.

What Open MPI 4.1 needs for 64 ranks on one node, and this driver sees to:
  * file descriptors: mpirun keeps about 4 per local rank (stdin, stdout,
    stderr pipes and a socket); below ~300 for 64 ranks it logs "The system
    limit on number of pipes a process can open was reached" and hangs. The
    soft RLIMIT_NOFILE is raised to the hard limit (at most 65536) here.
  * shared memory: the vader BTL maps one 4 MiB segment per rank from
    /dev/shm (256 MiB for 64); when /dev/shm has less free (containers
    often give 64 MiB) the segments go to $TMPDIR instead
    (OMPI_MCA_btl_vader_backing_directory).
  * idle ranks must yield their core (OMPI_MCA_mpi_yield_when_idle=1, set
    by run_case.py), or 64 spinning ranks starve the ones with work.
Single-copy (CMA) transfers work where ranks may ptrace each other (root,
or yama ptrace_scope 0/1 as Open MPI asks for it); a container without
CAP_SYS_PTRACE needs OMPI_MCA_btl_vader_single_copy_mechanism=none, which
this driver passes through from the environment but does not guess.

Usage: /usr/bin/python3 run_scale.py --tessera BUILD/tessera
       [--ranks 64] [--families creation,rng,...] [--source-dir DIR]
Exit status 0 only if every family passed.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

FAMILIES = "creation,rng,arith,reduce,composite,localapi,edges,views,joins,scan,hdf5_roundtrip"
VADER_SEGMENT_NBYTES = 4 << 20  # btl_vader_segment_size's default in Open MPI 4.1


def raise_fd_limit(nranks):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    need = 4 * nranks + 64
    print(f"[scale] open files limit {soft} (mpirun needs about {need} for {nranks} ranks)")
    return soft == resource.RLIM_INFINITY or soft >= need


def shm_env(nranks):
    """Moves vader's segments off /dev/shm when it cannot hold them."""
    try:
        st = os.statvfs("/dev/shm")
        free = st.f_bavail * st.f_frsize
    except OSError:
        free = 0
    need = nranks * VADER_SEGMENT_NBYTES
    if free >= 2 * need or "OMPI_MCA_btl_vader_backing_directory" in os.environ:
        return {}
    where = tempfile.gettempdir()
    print(f"[scale] /dev/shm has {free >> 20} MiB free, {nranks} ranks need {need >> 20} MiB: "
          f"vader segments go to {where}")
    return {"OMPI_MCA_btl_vader_backing_directory": where}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--ranks", type=int, default=64)
    ap.add_argument("--families", default=FAMILIES)
    ap.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(here)))
    opts = ap.parse_args()

    if not raise_fd_limit(opts.ranks):
        print(f"[scale] FAILED: the open files limit is too low for {opts.ranks} ranks; raise it (ulimit -n)")
        return 1
    env = dict(os.environ, **shm_env(opts.ranks))
    failed = []
    start = time.monotonic()
    for family in opts.families.split(","):
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, os.path.join(here, "run_case.py"), "--tessera", opts.tessera,
                               "--family", family, "--source-dir", opts.source_dir,
                               "--ranks", f"1,{opts.ranks}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        out = proc.stdout.decode(errors="replace")
        verdict = "ok" if proc.returncode == 0 else "FAILED"
        print(f"[scale] {family}: {verdict} in {time.monotonic() - t0:.1f} s")
        if proc.returncode != 0:
            failed.append(family)
            print(out.rstrip())
    print(f"[scale] {len(failed)} of {len(opts.families.split(','))} families failed at {opts.ranks} ranks, "
          f"{time.monotonic() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
