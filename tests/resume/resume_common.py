"""resume_common.py — what the stop/resume tests share: starting tessera
under mpirun with its output in a log file, waiting on that log, finding
the MPI ranks mpirun started, ending runs without leaving processes, and
reading a stored dataset's completion mark and record of stored chunks."""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "errors"))
from kill_store import rank_pids  # noqa: E402  (the ranks mpirun started, by MPI rank)

STOPPED_STATUS = 75
RECORD_SUFFIX = ".tessera_chunks"


def env(extra=None):
    e = dict(os.environ, OMPI_MCA_mpi_yield_when_idle="1", OMPI_ALLOW_RUN_AS_ROOT="1",
             OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
    for var in ("TESSERA_RESUME", "TESSERA_SEED", "TESSERA_QUIET", "SLURM_JOB_ID", "SLURM_RESTART_COUNT"):
        e.pop(var, None)
    e.update(extra or {})
    return e


def mpirun(np, tessera, args, mpi_env=None):
    """The command line of `mpirun -np N tessera run ARGS`; mpi_env goes to
    the ranks only (-x), so mpirun itself never thinks it is under SLURM."""
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(np)]
    for k, v in (mpi_env or {}).items():
        cmd += ["-x", f"{k}={v}"]
    return cmd + [tessera, "run"] + list(args)


class Run:
    """A command running in its own session, its output in a log file."""

    def __init__(self, cmd, log):
        self.log = log
        self.cmd = cmd
        self.out = open(log, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=subprocess.STDOUT, env=env(),
                                     start_new_session=True)
        self.started = time.monotonic()

    def text(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_for(self, pred, timeout_s):
        """Polls until pred() is true or the run ended; True if pred held."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if pred():
                return True
            if self.proc.poll() is not None:
                return pred()
            time.sleep(0.01)
        return False

    def finish(self, timeout_s):
        """Exit status, or None after killing the whole session (a hang)."""
        try:
            status = self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            status = None
        self.out.close()
        return status


def run(cmd, timeout_s=180, extra_env=None):
    """Runs cmd to the end: (status or None on a hang, output)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env(extra_env),
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout_s)
        return proc.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out.decode(errors="replace")


def alive(pids):
    """The pids of pids that still run (zombies count as ended)."""
    left = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                left.append(pid)
        except OSError:
            pass
    return left


def state(path, dataset):
    """The dataset's mark and record: {"exists", "complete", "nrecord",
    "nstored"} (nrecord None without a record)."""
    import h5py
    import numpy as np
    if not os.path.exists(path):
        return {"exists": False}
    with h5py.File(path, "r") as f:
        if dataset not in f:
            return {"exists": False}
        d = f[dataset]
        rec = dataset + RECORD_SUFFIX
        out = {"exists": True, "complete": int(d.attrs.get("tessera_complete", -1)), "nrecord": None,
               "nstored": None}
        if rec in f:
            v = np.asarray(f[rec][()])
            out["nrecord"], out["nstored"] = int(v.size), int(np.count_nonzero(v))
        return out


def same_bits(a, b, dataset):
    """True when dataset holds the same bytes in files a and b."""
    import h5py
    import numpy as np
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        x, y = fa[dataset][()], fb[dataset][()]
        return x.dtype == y.dtype and x.shape == y.shape and np.array_equal(
            x.view(np.uint8), y.view(np.uint8))


def banner_seed(text):
    m = re.search(r"seed (\d+)", text)
    return int(m.group(1)) if m else None
