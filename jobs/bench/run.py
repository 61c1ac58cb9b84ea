#!/usr/bin/python3
"""run.py - tessera's end-to-end benchmarks, measured in one run, against NumPy.

Runs the Lua jobs beside this file under mpirun, times NumPy doing the same
work on a slice that fits in memory, and prints a table of per-element and
per-task costs, the 1 -> 2 worker speed-up and rank 0's CPU share while it
waits. Targets are reported, not asserted: the exit status is non-zero only
when a job crashes or prints no result.

Usage: jobs/bench/run.sh [--quick] [--repeat K] [--tessera PATH] [--mpirun PATH]
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

METHOD = """\
How this is measured
  compute wall  each job times its own compute() with ts.wtime() (a monotonic
                clock) after a first tiny compute, so MPI and engine start-up
                are left out; it computes again until 1 s has passed and reports
                the time of one compute (jobs/bench/benchlib.lua).
  cross-check   mpirun's wall time minus the median of an empty job under the same
                mpirun (start, one tiny compute, stop), over the repetitions;
                includes graph building.
  worker cores  min(worker ranks, cores of this machine), the cores the workers can
                keep busy. 'CPU ns/elem' is the CPU time all processes spent beyond
                the empty job (getrusage of mpirun's reaped children) per element:
                it holds even when other processes share the cores. 'cores busy'
                is that CPU time over the compute wall.
  planning      (h) times describe() of a 1,000,000-task graph on rank 0 (the planning
                a compute does, nothing run), then computes it; rank 0's memory is
                the growth of its VmHWM across building, planning and computing.
  rechunk       (i) computes a rechunk of computed data across the workers several
                times (alternating with the same computation without it); each
                compute's bytes moved over the wall time the slowest worker spent
                moving them (--metrics: bytes_moved, move_s) is its rate, and the
                median over the computes is the row's. The first compute's rate
                is shown too: its received chunks are pages never touched before;
                later ones reuse the pool's kept buffers. The baseline is bench_mpi_bw in the same
                run: both ranks Isend/Irecv 64 MiB to each other at once (bytes
                counted once per direction, like the rechunk's); MPI_Sendrecv_replace,
                which copies through a temporary buffer, is shown too, and Isend/Irecv
                into buffers mapped afresh, as a rechunk's new chunks are (the kernel
                zeroes and maps each page the transfer touches).
  rank 0 CPU    os.clock() in the script (CPU time of rank 0's process, all its
                threads) across compute(), over the compute wall.
  NumPy         this process, time.perf_counter(), one core, on a slice that fits
                in memory; per-element ns are comparable with tessera's per core.
  other load    /proc/stat busy time during each job minus the job's own CPU time:
                cores that other processes took; results under load are too slow.
"""


def child_cpu_s():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def machine_busy_s():
    """CPU seconds all processes of the machine have used (from /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def parse_bench(stdout):
    for line in stdout.splitlines():
        if line.startswith("BENCH "):
            fields = dict(kv.split("=", 1) for kv in line.split()[1:])
            return {k: (v if k == "name" else float(v)) for k, v in fields.items()}
    return None


class Runner:
    def __init__(self, args):
        self.args = args
        self.crashes = []

    def mpi_job(self, np_, script, job_args, label, run_opts=()):
        """Runs one Lua job; returns its BENCH fields plus outer wall and CPU."""
        cmd = [self.args.mpirun, "--allow-run-as-root", "--oversubscribe", "-np", str(np_),
               self.args.tessera, "run", "--quiet", "--seed", "1", *run_opts, os.path.join(HERE, script)]
        if job_args:
            cmd += ["--"] + job_args
        best = None
        for _ in range(self.args.repeat):
            print("+ " + " ".join(cmd), flush=True)
            cpu0 = child_cpu_s()
            busy0 = machine_busy_s()
            t0 = time.perf_counter()
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=self.args.timeout)
                rc, out, err = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired as e:
                rc, out, err = "timeout", e.stdout or "", e.stderr or ""
                out = out.decode() if isinstance(out, bytes) else out
                err = err.decode() if isinstance(err, bytes) else err
            outer_wall = time.perf_counter() - t0
            outer_cpu = child_cpu_s() - cpu0
            busy1 = machine_busy_s()
            # CPU the rest of the machine used meanwhile: other users' jobs
            # take cores from the workers and make the numbers too slow.
            others = None if busy0 is None else max(busy1 - busy0 - outer_cpu, 0.0) / outer_wall
            res = parse_bench(out) if rc == 0 else None
            if res is None:
                tail = "\n".join((out + err).splitlines()[-15:])
                print(f"  {label}: FAILED (exit {rc})\n{tail}", flush=True)
                self.crashes.append(label)
                return None
            res.update(outer_wall=outer_wall, outer_cpu=outer_cpu, np=np_, others=others)
            print(f"  {label}: compute {res['wall_s']:.3f} s x {int(res['reps'])}, mpirun {outer_wall:.3f} s, "
                  f"other processes busy {fmt(others, '.2f')} cores", flush=True)
            if best is None or res["wall_s"] < best["wall_s"]:
                best = res
        return best

    def mpi_bandwidth(self):
        """bench_mpi_bw (built beside tessera) at 2 ranks: its BENCH fields."""
        exe = os.path.join(os.path.dirname(os.path.abspath(self.args.tessera)), "jobs", "bench", "bench_mpi_bw")
        cmd = [self.args.mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "2", exe]
        print("+ " + " ".join(cmd), flush=True)
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=self.args.timeout)
            res = parse_bench(p.stdout) if p.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired) as e:
            p, res = None, None
            print(f"  MPI bandwidth: {e}", flush=True)
        if res is None:
            print("  MPI bandwidth: FAILED" + (f" (exit {p.returncode})\n{p.stderr[-1500:]}" if p else ""), flush=True)
            self.crashes.append("bench_mpi_bw")
            return None
        print(f"  MPI bandwidth: {res['gbps']:.3f} GB/s (Isend/Irecv), "
              f"{res['sendrecv_replace_gbps']:.3f} GB/s (Sendrecv_replace), "
              f"{res['fresh_receive_gbps']:.3f} GB/s (into new buffers)", flush=True)
        return res

    def empty(self, np_):
        runs = []
        for _ in range(3):
            r = self.mpi_job(np_, "empty.lua", [], f"empty job, np {np_}")
            if r is None:
                return None
            runs.append(r)
        return {"outer_wall": statistics.median(r["outer_wall"] for r in runs),
                "outer_cpu": statistics.median(r["outer_cpu"] for r in runs)}


def numpy_ns_per_elem(fn, nelems, repeat):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best * 1e9 / nelems


def numpy_baselines(quick, repeat):
    import numpy as np
    m = 4_000_000 if quick else 40_000_000   # a 2000 x 20000 slice of the 20000 x 20000 array
    rs = np.random.RandomState(1)
    rng = np.random.default_rng(1)
    print(f"+ NumPy {np.__version__}, {m:,} elements per call", flush=True)
    return {
        "normal_legacy": numpy_ns_per_elem(lambda: rs.normal(10, 0.1, size=m).mean(), m, repeat),
        "normal_rng": numpy_ns_per_elem(lambda: rng.normal(10, 0.1, size=m).mean(), m, repeat),
        "random": numpy_ns_per_elem(lambda: (rs.random_sample(m) * 2 + 1).sum(), m, repeat),
        "ones": numpy_ns_per_elem(lambda: (np.ones(m) * 3 - 1).mean(), m, repeat),
        "ones_reverse": numpy_ns_per_elem(lambda: (lambda o: (o * o[::-1, ::-1]).mean())(np.ones((m // 4000, 4000))),
                                          m, repeat),
    }


def fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


def beyond_empty(res, empty, key):
    """What one compute of res costs beyond the empty job, from outside."""
    return max(res[key] - empty[key], 0.0) / res["reps"]


def per_elem(res, empty, ncores):
    """ns per element per worker core from the compute wall, the same from
    mpirun's wall minus the empty job's, CPU ns per element (all processes,
    beyond the empty job; unlike wall times it does not grow when other
    processes take cores) and the cores the job kept busy."""
    if res is None:
        return None, None, None, None
    wall = max(res["wall_s"], 0.01)
    workers = min(res["np"] - 1 if res["np"] > 1 else 1, ncores)
    ns = wall * workers * 1e9 / res["nelems"]
    if empty is None:
        return ns, None, None, None
    outside = beyond_empty(res, empty, "outer_wall") * workers * 1e9 / res["nelems"]
    cpu = beyond_empty(res, empty, "outer_cpu")
    return ns, outside, cpu * 1e9 / res["nelems"], cpu / wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tessera", default=os.path.join(ROOT, "build", "tessera"))
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test, not a measurement)")
    ap.add_argument("--repeat", type=int, default=1, help="run each job K times, keep the fastest")
    ap.add_argument("--timeout", type=float, default=900, help="seconds before a job counts as crashed")
    args = ap.parse_args()
    args.repeat = max(args.repeat, 1)

    ncores = len(os.sched_getaffinity(0))
    q = args.quick
    n_normal = ["n=4000", "c=400"] if q else ["n=20000", "c=2000"]
    n_elem = ["n=100000000", "c=10000000"] if q else ["n=1000000000", "c=10000000"]
    n_tasks = ["n=1000000", "c=100"] if q else ["n=10000000", "c=100"]
    n_reverse = ["n=20000"] if q else ["n=200000"]
    n_plan = ["n=3000"] if q else ["n=10000"]
    n_rechunk = ["n=2000"] if q else ["n=8000", "reps=9", "mins=3"]

    run = Runner(args)
    print(f"tessera benchmarks: {args.tessera}, {ncores} cores, {'quick sizes' if q else 'full sizes'}\n")
    empty3 = run.empty(3)
    empty2 = run.empty(2)
    normal3 = run.mpi_job(3, "normal_mean.lua", n_normal, "normal mean, np 3")
    normal2 = run.mpi_job(2, "normal_mean.lua", n_normal, "normal mean, np 2")
    normal2t2 = run.mpi_job(2, "normal_mean.lua", n_normal, "normal mean, np 2, 2 threads per rank",
                            ["--threads-per-rank", "2"])
    rand3 = run.mpi_job(3, "elementwise.lua", ["op=random"] + n_elem, "(random * 2 + 1):sum(), np 3")
    ones3 = run.mpi_job(3, "elementwise.lua", ["op=ones"] + n_elem, "(ones * 3 - 1):mean(), np 3")
    tasks3 = run.mpi_job(3, "many_tasks.lua", n_tasks, "many tasks, np 3")
    rev3 = run.mpi_job(3, "slice_reverse.lua", n_reverse, "(ones * ones:slice('::-1, ::-1')):mean(), np 3")
    plan3 = run.mpi_job(3, "plan_tasks.lua", n_plan, "1,000,000-task graph planned and computed, np 3")
    metrics_dir = tempfile.mkdtemp(prefix="tessera-bench-")
    metrics = os.path.join(metrics_dir, "rechunk.json")
    bw = run.mpi_bandwidth()
    rech3 = run.mpi_job(3, "rechunk_moved.lua", n_rechunk, "rechunk of computed data across workers, np 3",
                        ["--metrics", metrics])
    if rech3 is not None:
        try:
            with open(metrics) as f:
                moves = [(c["bytes_moved"], c["move_s"]) for c in json.load(f)["computes"]
                         if c["bytes_moved"] >= 1 << 20 and c["move_s"]]
            rech3["moved"] = moves[0][0] if moves else None
            rech3["rates"] = [b / s / 1e9 for b, s in moves]
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"  rechunk: no bytes moved in {metrics} ({e})", flush=True)
            rech3["moved"] = None
    shutil.rmtree(metrics_dir, ignore_errors=True)
    npb = numpy_baselines(q, args.repeat)

    print()
    print(METHOD)
    rows = []

    def elem_rows(tag, res, empty, np_keys, target):
        ns, outside, cpu_ns, _ = per_elem(res, empty, ncores)
        for key, what in np_keys:
            ratio = None if ns is None else npb[key] / ns
            rows.append((tag, "ns/elem/worker core", fmt(ns, ".2f"), f"{npb[key]:.2f} ({what})",
                         fmt(ratio, ".1f") + "x", f"<= {target}", None if ns is None else ns <= target))
        rows.append((tag, "  CPU ns/elem, all ranks", fmt(cpu_ns, ".2f"), "", "", f"<= {target}",
                     None if cpu_ns is None else cpu_ns <= target))
        rows.append((tag, "  cross-check from mpirun wall", fmt(outside, ".2f"), "", "", "", None))

    elem_rows("(a) normal(10, 0.1) + mean", normal3, empty3,
              [("normal_legacy", "np.random.normal"), ("normal_rng", "default_rng().normal")], 3)
    elem_rows("(b) (random * 2 + 1):sum()", rand3, empty3, [("random", "np.random.random")], 1)
    elem_rows("(b) (ones * 3 - 1):mean()", ones3, empty3, [("ones", "np.ones")], 1)

    elem_rows("(g) (ones * ones:slice('::-1, ::-1')):mean()", rev3, empty3,
              [("ones_reverse", "o * o[::-1, ::-1]")], 1)
    if plan3 is not None:
        ntasks = int(plan3["ntasks"])
        per_task = max(plan3["rank0_grown_nbytes"], 0) / ntasks
        rows.append((f"(h) plan {ntasks:,} tasks on rank 0", "planning wall s", f"{plan3['plan_s']:.4f}", "", "",
                     "<= 1", plan3["plan_s"] <= 1))
        rows.append(("(h)", "  rank 0 peak memory growth, B/task", f"{per_task:.1f}", "", "", "<= 200",
                     per_task <= 200))
    else:
        rows.append(("(h) plan 1,000,000 tasks", "planning wall s", "n/a", "", "", "<= 1", None))

    rate = ratio = None
    if rech3 is not None and rech3["moved"]:
        rates = rech3["rates"]
        rate = statistics.median(rates)
        ratio = None if bw is None else rate / bw["gbps"]
        rows.append((f"(i) rechunk of computed data, {rech3['moved'] / 1e6:.0f} MB across",
                     "GB/s (moved / move wall, median)", fmt(rate, ".3f"),
                     f"{len(rates)} computes", "", "", None))
        rows.append(("(i)", "  first compute (buffers new)", fmt(rates[0], ".3f"), "", "", "", None))
        rows.append(("(i)", "  compute walls s: with, without", f"{rech3['wall_s']:.3f}", f"{rech3['base_s']:.3f}",
                     "(fastest)", "", None))
    if bw is not None:
        rows.append(("(i) MPI point-to-point, np 2", "GB/s Isend/Irecv both ways", f"{bw['gbps']:.3f}",
                     f"{bw['sendrecv_replace_gbps']:.3f} (Sendrecv_replace)", "", "", None))
        rows.append(("(i)", "  the same into new buffers", f"{bw['fresh_receive_gbps']:.3f}", "", "", "", None))
    rows.append(("(i) rechunk / MPI bandwidth", "ratio", fmt(ratio, ".2f") + "x", "", "", ">= 0.5x",
                 None if ratio is None else ratio >= 0.5))
    fresh = None if rate is None or bw is None else rate / bw["fresh_receive_gbps"]
    rows.append(("(i)", "  ratio to MPI into new buffers", fmt(fresh, ".2f") + "x", "", "", "", None))

    if tasks3 is not None:
        us = tasks3["wall_s"] * 1e6 / tasks3["ntasks"]
        outside = None if empty3 is None else beyond_empty(tasks3, empty3, "outer_wall") * 1e6 / tasks3["ntasks"]
        rows.append((f"(c) {int(tasks3['ntasks']):,} tasks, sum", "us/task end to end", f"{us:.2f}", "", "",
                     "<= 5", us <= 5))
        rows.append(("(c)", "  cross-check", fmt(outside, ".2f"), "", "", "", None))
    else:
        rows.append(("(c) many tasks", "us/task end to end", "n/a", "", "", "<= 5", None))

    speedup = None
    if normal2 is not None and normal3 is not None:
        speedup = normal2["wall_s"] / max(normal3["wall_s"], 0.01)
    rows.append(("(d) normal mean, 1 -> 2 workers", "speed-up (np 2 / np 3 wall)", fmt(speedup, ".2f") + "x",
                 "", "", ">= 1.8x", None if speedup is None else speedup >= 1.8))
    for res in (normal2, normal3):
        if res is not None:
            _, _, _, busy = per_elem(res, empty2 if res["np"] == 2 else empty3, ncores)
            rows.append(("(d)", f"  np {res['np']}: compute wall s, cores busy", f"{res['wall_s']:.3f}", "", "",
                         f"busy {fmt(busy, '.2f')}", None))

    tspeed = None
    if normal2 is not None and normal2t2 is not None:
        tspeed = normal2["wall_s"] / max(normal2t2["wall_s"], 0.01)
    rows.append(("(f) normal mean np 2, 1 -> 2 threads", "speed-up (1 / 2 threads wall)", fmt(tspeed, ".2f") + "x",
                 "", "", ">= 1.8x", None if tspeed is None else tspeed >= 1.8))

    for res in (normal3, normal2, normal2t2):
        if res is not None:
            share = 100 * res["cpu0_s"] / max(res["wall_s"], 0.01)
            rows.append((f"(e) rank 0 CPU, normal mean np {res['np']}", "% of compute wall",
                         f"{share:.1f}", f"{res['cpu0_s']:.4f} s CPU", f"{res['wall_s']:.3f} s wall", "<= 5",
                         share <= 5))

    head = ("benchmark", "measure", "tessera", "NumPy", "NumPy/tessera", "target", "met")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(6)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths)) + "  met"
    print(line)
    print("-" * len(line))
    for r in rows:
        met = "" if r[6] is None else ("yes" if r[6] else "NO")
        print("  ".join(str(c).ljust(w) for c, w in zip(r[:6], widths)) + "  " + met)

    results = [r for r in (normal3, normal2, normal2t2, rand3, ones3, tasks3, rev3, plan3, rech3) if r is not None]
    loaded = [f"{r['name']}(np {r['np']}) {r['others']:.2f}" for r in results
              if r["others"] is not None and r["others"] > 0.2]
    if loaded:
        print(f"\nWARNING: other processes kept cores busy during these jobs (cores of {ncores}): "
              + ", ".join(loaded) + "; their numbers are slower than this machine can do.")
    short = [f"{r['name']}(np {r['np']})" for r in results if r["wall_s"] * r["reps"] < 0.2]
    if short:
        print("\nunder 0.2 s of compute, so the 10 ms clock steps make these rough: " + ", ".join(short))
    if results:
        print("\nresults: " + ", ".join(f"{r['name']}(np {r['np']}) = {r['result']:.10g}" for r in results))
    if run.crashes:
        print("\ncrashed: " + "; ".join(run.crashes))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
