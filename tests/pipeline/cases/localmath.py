"""Oracle of localmath.lua: NumPy 1.24 on the saved inputs."""
import numpy as np


def oracle(v):
    x, n, i, j = v["in_x"], v["in_n"], v["in_i"], v["in_j"]
    out = {}
    for f in ["sqrt", "exp", "log", "log10", "log1p", "expm1", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
              "sinh", "cosh", "tanh", "abs", "floor", "ceil", "round", "sign", "isnan", "isfinite", "negative"]:
        out["u_" + f] = getattr(np, f)(x / 2)
    out.update({
        "u_abs_f32": np.abs(n), "u_neg_int": -i, "add": x + n, "sub_bcast": i - j,
        "mul_weak_f32": n * 2.5, "int32_plus_1": j + 1, "int32_plus_half": j + 0.5,
        "div_int": i / j, "floordiv": i // j, "mod": i % j, "pow": x ** 2, "rpow": 2 ** j,
        "maximum": np.maximum(x, 1), "lt": i < 0, "ge_arr": n >= x,
        "logical_and": np.logical_and(i > 0, x < 1), "where": np.where(i > 0, x, n),
        "clip": np.clip(i, -2, 3), "astype": x.astype(np.int32), "sum": np.sum(i),
        "sum_0": x.sum(axis=0), "mean_1_keep": n.mean(axis=1, keepdims=True),
        "std_ddof": x.std(axis=0, ddof=1), "var": np.var(n), "prod_int": np.prod(j),
        "min_1": i.min(axis=1), "max": n.max(), "argmin_0": x.argmin(axis=0), "argmax_flat": np.argmax(i),
        "any_1": (i > 5).any(axis=1), "all": (j > 0).all(), "slice": x[::-1, 1:5:2], "slice_int": i[2, ::3],
        "slice_newaxis": j[None, ::-1], "T": n.T, "transpose": x.T + 0, "reshape": i.reshape(3, -1),
        "chain": ((x - x.mean(axis=0)) / x.std(axis=0))[:, ::2].sum(axis=1),
        "item_int": int(np.sum(i)), "item_float": float(x.max()),
    })
    blocks = np.empty_like(x, dtype=np.float32)
    for r in (0, 2):
        for c in (0, 3):
            b = x[r:r + 2, c:c + 3]
            blocks[r:r + 2, c:c + 3] = (np.log(b) * 2 - b.min()).astype(np.float32)
    out["in_task"] = blocks
    return {k: (np.asarray(e) if not isinstance(e, (int, float)) else e) for k, e in out.items()}


# float32 sums and variances accumulate in another order than NumPy's.
RTOL = {"var": 1e-5, "mean_1_keep": 1e-5}
