"""Oracle of numerics.lua: NumPy 1.24's values for NaN and infinity,
integer wraparound and division by zero (its warnings are silenced; the
values are what must match), and the small results of slices of arrays of
10^12 and 3 * 10^9 elements, computed here from their formulas."""
import numpy as np

from common import Check

NAN, INF = np.nan, np.inf
I64MIN, I64MAX = np.iinfo(np.int64).min, np.iinfo(np.int64).max
I32MIN = np.iinfo(np.int32).min

# The random draws at flat index 2^32 must be the same for any chunks (see
# SAME) and must not repeat the draws at index 0, as a 32-bit counter would.
SAME = [["big_random_at_2p32", "big_random_other_chunks"]]


def with_value(at, value):
    x = np.arange(12).astype(np.float64)
    x[at] = value
    return x


def random_block(other_name, v):
    def check(got):
        if got.shape != (10,) or got.dtype != np.float64:
            return f"shape {got.shape} dtype {got.dtype}, expected (10,) float64"
        if not ((got >= 0) & (got < 1)).all():
            return "values outside [0, 1)"
        other = v.get(other_name)
        if other is not None and np.array_equal(got, other):
            return f"the draws at flat index 2^32 repeat those at index 0 ({other_name})"
        return None
    return Check(check)


def too_big():
    text = "array is too big: more than 2^60 bytes"
    return Check(lambda got: None if text in got else f"got {got!r}, expected the message {text!r}")


def oracle(v):
    out = {}
    for at in (0, 6, 11):
        x = with_value(at, NAN)
        out[f"nan{at}_sum"] = x.sum()
        out[f"nan{at}_mean"] = x.mean()
        out[f"nan{at}_max"] = x.max()
        out[f"nan{at}_min"] = x.min()
        out[f"nan{at}_argmax"] = x.argmax()
        out[f"nan{at}_argmin"] = x.argmin()
        out[f"nan{at}_std"] = x.std()
        out[f"nan{at}_cumsum"] = x.cumsum()
        out[f"inf{at}_max"] = with_value(at, INF).max()
        out[f"inf{at}_argmax"] = with_value(at, INF).argmax()
        out[f"neginf{at}_argmin"] = with_value(at, -INF).argmin()
    nans2d = np.where(np.arange(20).reshape(4, 5) == 13, NAN, np.ones((4, 5)))
    out["nan_axis0_max"] = nans2d.max(axis=0)
    out["nan_axis1_argmin"] = nans2d.argmin(axis=1)
    out["nan_axis1_sum"] = nans2d.sum(axis=1)
    out["inf_minus_inf_sum"] = np.where(np.arange(6) < 3, INF, -INF).sum()
    out["inf_mean"] = with_value(4, INF).mean()
    out["inf_var"] = with_value(4, INF).var()
    out["zero_times_inf_prod"] = np.where(np.arange(6) == 2, INF, np.zeros(6)).prod()
    s = np.arange(-2, 3) / 0
    out.update({
        "specials": s,
        "nan_lt": s < 1,
        "nan_ge": s >= -INF,
        "nan_eq_self": s == s,
        "nan_ne_self": s != s,
        "nan_isnan": np.isnan(s),
        "nan_isfinite": np.isfinite(s),
        "nan_maximum": np.maximum(s, 0),
        "nan_minimum": np.minimum(0, s),
        "nan_where": np.where(s > 0, s, -1),
        "nan_clip": np.clip(s, -1, 1),
        "nan_sign": np.sign(s),
        "nan_any": s.any(),
        "inf_mod": s % 3,
        "mod_inf": np.arange(-3, 4) % INF,
        "float32_overflow": np.full(3, 3e38, dtype=np.float32) * 2,
        "float32_sum_overflow": np.full(4, 3e38, dtype=np.float32).sum(),
        "nan_to_int32": s.astype(np.int32),
        "nan_to_int64": s.astype(np.int64),
        "nan_to_bool": s.astype(bool),
        "huge_to_int32": np.full(2, 1e20).astype(np.int32),
    })
    out.update({
        "i64_add_wrap": np.full(3, I64MAX, dtype=np.int64) + 1,
        "i64_sub_wrap": np.full(3, I64MIN, dtype=np.int64) - np.arange(3),
        "i64_mul_wrap": np.full(3, 3037000500, dtype=np.int64) * np.arange(1, 4),
        "i64_neg_min": -np.full(2, I64MIN, dtype=np.int64),
        "i64_abs_min": np.abs(np.full(2, I64MIN, dtype=np.int64)),
        "i64_fdiv_min_by_minus1": np.full(2, I64MIN, dtype=np.int64) // -1,
        "i64_mod_min_by_minus1": np.full(2, I64MIN, dtype=np.int64) % -1,
        "i64_pow_wrap": np.full(2, 3, dtype=np.int64) ** 50,
        "i64_sum_wrap": np.full(4, 1 << 62, dtype=np.int64).sum(),
        "i64_prod_wrap": np.full(5, 1 << 20, dtype=np.int64).prod(),
        "i64_cumsum_wrap": np.full(4, 1 << 62, dtype=np.int64).cumsum(),
        "i32_add_wrap": np.full(3, 2147483647, dtype=np.int32) + 1,
        "i32_mul_wrap": np.full(3, 65536, dtype=np.int32) * np.full(3, 65537, dtype=np.int32),
        "i32_neg_min": -np.full(2, I32MIN, dtype=np.int32),
        "i32_fdiv_min_by_minus1": np.full(2, I32MIN, dtype=np.int32) // -1,
        "i32_pow_wrap": np.full(2, 2, dtype=np.int32) ** 40,
        "i32_sum_no_wrap": np.full(4, 2147483647, dtype=np.int32).sum(),
        "i64_to_i32_wraps": (np.arange(3) + 2147483653).astype(np.int32),
    })
    out.update({
        "f64_div_zero": np.linspace(-1, 1, 5) / np.zeros(5),
        "f32_div_zero": np.linspace(-1, 1, 5, dtype=np.float32) / 0,
        "f32_fdiv_zero": np.linspace(-1, 1, 5, dtype=np.float32) // 0,
        "f32_mod_zero": np.linspace(-1, 1, 5, dtype=np.float32) % 0,
        "i32_fdiv_zero": np.arange(-3, 4, dtype=np.int32) // np.zeros(7, dtype=np.int32),
        "i32_mod_zero": np.arange(-3, 4, dtype=np.int32) % 0,
        "i64_div_zero": np.arange(-3, 4) / 0,
        "zero_div_zero_mean": (np.zeros(4) / 0).mean(),
    })
    # Slices of ones((10^6, 10^6)), arange(3e9) and linspace(0, 1, 3e9 + 1):
    # the values follow from the formulas, nothing that size is made here.
    tail = np.arange(2147483640, 2147483660, dtype=np.int64)
    out.update({
        "big_slice_sum": np.ones((10, 1000)).sum(),
        "big_corner_mean": (np.ones((10, 1000)) * 3).mean(axis=0),
        "big_size": 10**12,
        "big_nbytes": 8 * 10**12,
        "big_npartitions": 100,
        "big_random_at_2p32": random_block("big_random_at_0", v),
        "big_random_at_0": Check(lambda got: None if got.shape == (10,) else f"shape {got.shape}"),
        "big_random_other_chunks": random_block("big_random_at_0", v),
        "whole_numblocks": [1],
        # np.zeros((2**40, 2**40, 0)) and np.zeros((0, 2**40, 2**40)) both
        # raise "array is too big"; np.zeros((0, 2**40)) is fine
        "too_big_last_axis_empty": too_big(),
        "too_big_first_axis_empty": too_big(),
        "empty_with_long_axis": [0, 2**40],
        "whole_tail": np.arange(3000000000 - 5, 3000000000, dtype=np.int64),
        "whole_across_2p31": tail.sum(),
        "whole_argmax": tail.argmax(),
        "whole_ones_tail_sum": np.ones(1000).sum(),
        # NumPy's linspace: i * step, the last element exactly stop
        "whole_linspace_tail": np.append(np.arange(3000000000 - 2, 3000000000) * (1 / 3000000000), 1.0),
    })
    return out
