"""Oracle of delayed.lua: each value computed on the workers must equal
the same Lua run directly in the script (recorded as <name>_direct), and
the arrays NumPy on the saved input."""
import numpy as np
from common import Check

NAMES = ["chains", "diamond", "long_chain", "holes", "kinds", "deps_in_table", "pack_n", "upvalues",
         "recursive", "helper_function", "string_result"]


def same_as(direct):
    return Check(lambda got: None if got == direct else f"got {got!r}, the same Lua run directly gives {direct!r}")


def oracle(v):
    out = {}
    for n in NAMES:
        direct = v.get(n + "_direct")
        out[n] = same_as(direct)
        out[n + "_direct"] = Check(lambda got: None)  # the reference itself
    m = v["in_m"]
    out["from_delayed"] = lambda: m.sum(axis=0) * 2 + m.mean(axis=0)
    out["made_in_task"] = np.arange(4) * 2 + 1
    out["scalar_from_delayed"] = lambda: np.float64(m.sum() + 4.0)
    out["mixed_compute"] = lambda: Check(
        lambda got: None if np.isclose(got[0], m.sum(), rtol=1e-12) and got[1] == m.max() else f"got {got!r}")
    return out
