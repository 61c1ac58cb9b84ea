#!/usr/bin/env python3
"""The two-step rechunk through --spill-dir, from outside.

At 3 ranks x 128 MiB (384 MiB in all), a 400.54 MiB float64 array of random
values, (10500, 5000) in (25, 5000) row chunks, is rechunked to (10500, 50)
columns and stored, once read from a file (a stored array) and once reshaped from a 1-D
random array (a computed one). Each run must say it stages the rechunk
through the spill directory, keep every rank's peak RSS (/usr/bin/time, as
budget_rss.py measures it) inside the budget, leave the spill directory
empty, and store exactly the values of the input (the random values depend
only on the seed and the flat index, so the reshaped array is the stored
one). Also: --dry-run names the spill and writes nothing; a rechunk that fits
is not staged; a spill directory that cannot be written is refused before
any work with a message naming --spill-dir; a staging that fails (a source
file damaged) says so and, like a run stopped by SIGUSR1 while staging,
leaves no file behind; one rank alone stages too. With --sanitized (the
ASan build) the array has 2000 rows and peak RSS is printed, not checked.
"""
import argparse, glob, os, re, signal, subprocess, sys, tempfile, time

import h5py
import numpy as np

MiB = 1 << 20
N1, ROWS, COLS = 5000, 25, 50
BUDGET = "128MiB"
SEED = 7


def scripts_for(n0):
    make = f"""local ts = require "tessera"
ts.random.random({{{n0}, {N1}}}, {{chunks = {{{ROWS}, {N1}}}, seed = {SEED}}}):store(arg[1], "/x")
"""
    stored = f"""local ts = require "tessera"
local x = ts.from_hdf5(arg[1], "/x")
x:rechunk{{x.shape[1], {COLS}}}:store(arg[2], "/z")
"""
    computed = f"""local ts = require "tessera"
local x = ts.random.random({n0 * N1}, {{chunks = {ROWS * N1}, seed = {SEED}}}):reshape{{{n0}, {N1}}}
x:rechunk{{{n0}, {COLS}}}:store(arg[1], "/z")
"""
    small = """local ts = require "tessera"
ts.from_hdf5(arg[1], "/x"):rechunk{1000, 5}:store(arg[2], "/s")
"""
    return {"make": make, "stored": stored, "computed": computed, "small": small}


def tessera_cmd(a, ranks, opts, script, args, rss=None):
    cmd = []
    if ranks:
        cmd = ["mpirun", "-np", str(ranks)]
    if rss:
        cmd += ["/usr/bin/time", "-a", "-o", rss, "-f", "MAXRSS_KB %M"]
    cmd += [a.tessera, "run"] + opts + [script]
    return cmd + (["--"] + args if args else [])


def run(a, ranks, opts, script, args, rss=None, timeout=300):
    if rss and os.path.exists(rss):
        os.remove(rss)
    p = subprocess.run(tessera_cmd(a, ranks, opts, script, args, rss), capture_output=True, text=True,
                       timeout=timeout)
    peaks = []
    if rss and os.path.exists(rss):
        peaks = [int(k) * 1024 for k in re.findall(r"MAXRSS_KB (\d+)", open(rss).read())]
    return p, peaks


def same_values(path_a, dset_a, path_b, dset_b):
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        da, db = fa[dset_a], fb[dset_b]
        if da.shape != db.shape or da.dtype != db.dtype:
            return f"{da.shape} {da.dtype} vs {db.shape} {db.dtype}"
        for i in range(0, da.shape[0], 2000):
            if not np.array_equal(da[i:i + 2000], db[i:i + 2000]):
                return f"values differ in rows {i}:{i + 2000}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--sanitized", action="store_true",
                    help="an ASan build: a smaller array, and peak RSS (ASan's shadow memory and "
                         "quarantine are not tessera's) is printed, not checked")
    a = ap.parse_args()
    n0 = 2000 if a.sanitized else 10500  # 400.54 MiB, more than the 3 x 128 MiB budgets
    shape_text, nbytes_text = f"({n0}, {N1})", f"{n0 * N1 * 8 / MiB:.2f} MiB"
    a.tessera = os.path.abspath(a.tessera)
    failures = []

    def check(ok, what):
        print(("ok: " if ok else "FAIL: ") + what.splitlines()[0], flush=True)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as d:
        spill = os.path.join(d, "spill")
        os.mkdir(spill)
        scripts = {}
        for name, text in scripts_for(n0).items():
            scripts[name] = os.path.join(d, name + ".lua")
            with open(scripts[name], "w") as f:
                f.write(text)
        inp, rss = os.path.join(d, "in.h5"), os.path.join(d, "maxrss.txt")
        p, _ = run(a, 3, ["--quiet"], scripts["make"], [inp])
        if p.returncode != 0:
            print("FAIL: cannot make the input\n" + p.stderr[-2000:])
            return 1
        base = ["--memory-per-rank", BUDGET, "--spill-dir", spill]
        staged = re.compile(r"tessera: rechunk of (\S+) " + re.escape(shape_text) + " staged through " +
                            re.escape(spill) + r"/tessera-spill-[^ ]+\.h5, " + re.escape(nbytes_text) +
                            r" in chunks of \((\d+), (\d+)\)")

        # A stored array and a computed one, each larger than the three budgets.
        for kind, args, label in (("stored", [inp, os.path.join(d, "out_s.h5")], "from_hdf5"),
                                  ("computed", [os.path.join(d, "out_c.h5")], "reshape")):
            t0 = time.time()
            p, peaks = run(a, 3, base, scripts[kind], args, rss)
            took = time.time() - t0
            m = staged.search(p.stderr)
            check(p.returncode == 0 and m and m.group(1) == label,
                  f"{kind}: the rechunk of {label} is staged through the spill directory and the run ends well"
                  f" ({took:.1f} s)\n{p.stderr[-2000:]}")
            top = max(peaks) if peaks else 0
            check(len(peaks) == 3 and (top <= 128 * MiB or a.sanitized),
                  f"{kind}: every rank's peak RSS within {BUDGET}: "
                  f"{', '.join(f'{x / MiB:.0f}' for x in peaks)} MiB")
            left = os.listdir(spill)
            check(not left, f"{kind}: the spill directory is empty afterwards: {left}")
            if p.returncode == 0:
                diff = same_values(inp, "/x", args[-1], "/z")
                check(diff is None, f"{kind}: the stored result holds exactly the input's values: {diff}")
                with h5py.File(args[-1], "r") as f:
                    check(f["z"].chunks == (n0, COLS), f"{kind}: stored in ({n0}, {COLS}) chunks: {f['z'].chunks}")

        # The plan summary names the spill; a dry run writes nothing.
        p, _ = run(a, 3, base + ["--dry-run"], scripts["stored"], [inp, os.path.join(d, "dry.h5")])
        check(p.returncode == 0 and re.search(r"rechunk of from_hdf5 " + re.escape(shape_text) + " staged through " +
                                              re.escape(spill) + r"/tessera-spill-\S+\.h5, " +
                                              re.escape(nbytes_text), p.stdout)
              and "first the workers store it there" in p.stdout and not os.listdir(spill)
              and not os.path.exists(os.path.join(d, "dry.h5")),
              f"--dry-run describes the staging and writes nothing\n{p.stdout[-2000:]}{p.stderr[-1000:]}")

        # A rechunk that fits is done in memory, even on a small budget.
        small_rows = os.path.join(d, "rows.h5")
        with h5py.File(inp, "r") as f, h5py.File(small_rows, "w") as g:
            g.create_dataset("x", data=f["x"][:1000, :500], chunks=(ROWS, 500))
        p, _ = run(a, 3, base, scripts["small"], [small_rows, os.path.join(d, "small.h5")])
        check(p.returncode == 0 and "staged" not in p.stderr,
              f"a rechunk that fits is not staged\n{p.stderr[-2000:]}")

        # A spill directory that cannot be written: refused before any work.
        for bad, why in ((os.path.join(d, "missing", "dir"), "No such file or directory"),
                         (inp, "Not a directory")):
            out = os.path.join(d, "never.h5")
            p, _ = run(a, 3, ["--memory-per-rank", BUDGET, "--spill-dir", bad], scripts["stored"], [inp, out])
            want = ["stored.lua:3", "cannot stage the rechunk of from_hdf5 " + shape_text, "--spill-dir", why,
                    bad]
            missing = [w for w in want if w not in p.stderr]
            check(p.returncode != 0 and not missing and not os.path.exists(out),
                  f"an unusable spill directory ({why}) is refused naming --spill-dir: missing {missing}\n"
                  f"{p.stderr[-2000:]}")

        sub = min(n0, 4000)  # rows of the smaller cases
        # The source fails to read while staging (compressed chunks damaged
        # in the middle of the file): the message says staging failed, and
        # the file goes.
        cut = os.path.join(d, "cut.h5")
        with h5py.File(inp, "r") as f, h5py.File(cut, "w") as g:
            g.create_dataset("x", data=f["x"][:sub], chunks=(ROWS, N1), compression="gzip", compression_opts=1)
        with open(cut, "r+b") as f:
            f.seek(os.path.getsize(cut) // 2)
            f.write(b"\xff" * 65536)
        cut_script = os.path.join(d, "cut.lua")
        with open(cut_script, "w") as f:
            f.write(scripts_for(n0)["stored"])
        p, _ = run(a, 3, base, cut_script, [cut, os.path.join(d, "cut_out.h5")])
        want = ["cut.lua:3", "staging the rechunk of from_hdf5 through " + spill, "(--spill-dir) failed",
                "cannot read dataset"]
        missing = [w for w in want if w not in p.stderr]
        left = os.listdir(spill)
        check(p.returncode != 0 and not missing and not left,
              f"a failed staging says so and leaves no file: missing {missing}, left {left}\n{p.stderr[-2000:]}")

        # Stopped while staging: the staged file goes too.
        proc = subprocess.Popen(tessera_cmd(a, 3, base, scripts["stored"], [inp, os.path.join(d, "stop.h5")]),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not glob.glob(os.path.join(spill, "*.h5")) and proc.poll() is None:
            time.sleep(0.02)
        seen = bool(glob.glob(os.path.join(spill, "*.h5")))
        proc.send_signal(signal.SIGUSR1)
        _, err = proc.communicate(timeout=120)
        left = os.listdir(spill)
        check(seen and "stopped" in err and not left,
              f"a run stopped while staging leaves no file (file seen: {seen}, left: {left})\n{err[-2000:]}")

        # One rank schedules and computes: the same staging.
        small_in = os.path.join(d, "in_small.h5")
        with h5py.File(inp, "r") as f, h5py.File(small_in, "w") as g:
            g.create_dataset("x", data=f["x"][:sub], chunks=(ROWS, N1))
        p, _ = run(a, 0, base, scripts["stored"], [small_in, os.path.join(d, "out_1.h5")])
        check(p.returncode == 0 and "staged through" in p.stderr and not os.listdir(spill)
              and same_values(small_in, "/x", os.path.join(d, "out_1.h5"), "/z") is None,
              f"one rank stages and stores the same values\n{p.stderr[-2000:]}")

    if failures:
        print("FAIL\n" + "\n".join(failures))
        return 1
    print("ok: every spill check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
