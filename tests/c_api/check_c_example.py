#!/usr/bin/python3
"""check_c_example.py — the C API as a user outside the tree meets it:
installs tessera into a temporary prefix (cmake --install), builds
jobs/c_example against it twice (CMake's find_package(tessera), and a plain
compiler call with pkg-config), and runs both at 1 rank and under
mpirun -np 3. The output must show the map_blocks kernel's mean of 2x + 1,
the delayed polynomial values (1 + 2x + 3x^2 at 0..6 exactly, at 7 plus the
sum of the array, which the mean gives back) and the from_delayed value.

Usage: /usr/bin/python3 check_c_example.py --build-dir BUILD --source-dir SRC
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}\n{res.stdout}{res.stderr}")
    return res.stdout


def check_output(out):
    lines = {l.split(":")[0]: l for l in out.splitlines()}
    mean = float(lines["mean of 2x+1 over a 1000x400 uniform array"].split(":")[1])
    poly = [float(v) for v in lines["poly"].split(":")[1].split()]
    fromd = float(lines["from_delayed"].split(":")[1])
    problems = []
    expect = [1 + 2 * x + 3 * x * x for x in range(7)]
    if poly[:7] != expect:
        problems.append(f"poly values {poly[:7]} != {expect}")
    total = (mean - 1) / 2 * 400000  # the sum of x, from the map_blocks mean
    if not math.isclose(poly[7], 162 + total, rel_tol=1e-5):
        problems.append(f"poly(7) + sum(x) = {poly[7]}, but the mean gives {162 + total}")
    if not 1.98 < mean < 2.02:
        problems.append(f"mean of 2x+1 = {mean}, expected about 2")
    if fromd != 34:
        problems.append(f"from_delayed = {fromd}, expected 34")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    opts = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="tessera-c-api-")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_mpi_yield_when_idle="1", OMPI_MCA_rmaps_base_oversubscribe="1")
    failures = []
    try:
        prefix = os.path.join(tmp, "prefix")
        run(["cmake", "--install", opts.build_dir, "--prefix", prefix])
        example = os.path.join(opts.source_dir, "jobs", "c_example")
        build = os.path.join(tmp, "cmake-build")
        run(["cmake", "-S", example, "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}"])
        run(["cmake", "--build", build])
        pc_env = dict(env, PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
        flags = run(["pkg-config", "--cflags", "--libs", "tessera"], env=pc_env).split()
        pc_bin = os.path.join(tmp, "c_example_pc")
        run(["cc", "-O2", "-o", pc_bin, os.path.join(example, "c_example.c")] + flags)
        for label, exe in (("find_package", os.path.join(build, "c_example")), ("pkg-config", pc_bin)):
            for np_ in (0, 3):
                cmd = ([exe] if np_ == 0 else ["mpirun", "-np", str(np_), exe])
                try:
                    problems = check_output(run(cmd, env=env))
                except (RuntimeError, KeyError, ValueError, IndexError) as exc:
                    problems = [f"{type(exc).__name__}: {exc}"]
                where = f"{label}, {'1 rank' if np_ == 0 else f'mpirun -np {np_}'}"
                print(f"{'FAIL' if problems else 'ok  '} {where}")
                failures += [f"{where}: {p}" for p in problems]
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        failures.append(str(exc))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("  - " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
