#!/usr/bin/env python3
"""Results are bit-identical for any number of threads per rank and ranks.

Runs one script at several (ranks, threads) pairs; it prints reductions as
hex floats and stores an array, and every run must print the same text and
store the same bytes. Also checks that a bad --threads-per-rank is refused.
"""
import argparse, os, subprocess, sys, tempfile

import h5py
import numpy as np

SCRIPT = r'''
local ts = require "tessera"
local out = ...
local x = ts.random.normal(10, 0.1, {600, 500}, {chunks = {70, 90}, seed = 3})
local y = (x * ts.random.random({600, 500}, {chunks = {100, 60}, seed = 4})):rechunk{45, 110}
local r = {x:mean(), x:std{axis = 0}, y:sum{axis = 1}, y:max(), x:argmax(), (x - y):var{axis = 1, ddof = 1}}
r = {ts.compute(table.unpack(r))}
for i, v in ipairs(r) do
  for _, e in ipairs(type(v.tolist) == "function" and v.size > 1 and v:tolist() or {v:item()}) do
    io.write(string.format("%a ", e))
  end
  io.write("\n")
end
(y * 2):store(out, "/y", {chunks = {45, 110}})
'''


def run(tessera, ranks, threads, workdir):
    script = os.path.join(workdir, "identical.lua")
    with open(script, "w") as f:
        f.write(SCRIPT)
    out = os.path.join(workdir, f"y_{ranks}_{threads}.h5")
    cmd = ["mpirun", "-np", str(ranks), tessera, "run", "--quiet", "--threads-per-rank", str(threads),
           script, "--", out]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        sys.exit(f"FAIL {ranks} ranks x {threads} threads: status {p.returncode}\n{p.stdout}\n{p.stderr}")
    with h5py.File(out, "r") as f:
        data = np.asarray(f["y"])
    return p.stdout, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        base_text, base_data = run(a.tessera, 2, 1, d)
        if len(base_text.split("\n")) < 6:
            sys.exit(f"FAIL: too little output:\n{base_text}")
        for ranks, threads in [(2, 2), (2, 4), (3, 3), (4, 2)]:
            text, data = run(a.tessera, ranks, threads, d)
            if text != base_text:
                sys.exit(f"FAIL: {ranks} ranks x {threads} threads printed other values:\n{text}\nvs\n{base_text}")
            if data.tobytes() != base_data.tobytes():
                sys.exit(f"FAIL: {ranks} ranks x {threads} threads stored other bytes")
            print(f"ok: {ranks} ranks x {threads} threads identical to 2 x 1")
        p = subprocess.run(["mpirun", "-np", "2", a.tessera, "run", "--threads-per-rank", "0", "x.lua"],
                           capture_output=True, text=True, timeout=60)
        want = "--threads-per-rank expects a whole number from 1 to 256, got '0'"
        if p.returncode != 2 or want not in p.stderr:
            sys.exit(f"FAIL: bad thread count: status {p.returncode}\n{p.stderr}")
        print("ok: --threads-per-rank 0 refused")


if __name__ == "__main__":
    main()
