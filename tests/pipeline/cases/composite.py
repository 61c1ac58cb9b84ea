"""Oracle of composite.lua: the same pipelines in NumPy on the same inputs."""
import numpy as np


def oracle(v):
    a = np.arange(1000)
    lin = np.linspace(-1, 1, 1000)
    inp = lambda k: v["in_" + k]  # noqa: E731
    x = lambda: inp("x")  # noqa: E731

    def shared():
        y = np.exp(x()) - 1
        return (y * y).sum(axis=1) + y.sum(axis=1)

    return {
        "many_sum": a.sum(),
        "many_mean": a.mean(),
        "many_sq_sum": (a * a).sum(),
        "many_std": lin.std(),
        "many_mod_max": (a % 7).max(),
        "many_elementwise": np.sin(lin) * a - lin ** 2,
        "many_mixed_chunks": a + np.arange(1000) * 2,
        "grid_2d_small_chunks": np.ones((60, 50)).sum(axis=1),
        "irr_plus_reg": lambda: inp("irr") + inp("reg"),
        "irr_times_row": lambda: inp("irr") * np.linspace(1, 2, 9),
        "irr_reg_sum0": lambda: (inp("irr") - inp("reg")).sum(axis=0),
        "irr_reg_where": lambda: np.where(inp("irr") > 0.5, inp("reg"), inp("irr")),
        "center_ax0": lambda: x() - x().mean(axis=0),
        "zscore_ax1": lambda: (x() - x().mean(axis=1, keepdims=True)) / x().std(axis=1, keepdims=True),
        "normalize_total": lambda: x() / x().sum(),
        "minmax_scale": lambda: (x() - x().min()) / (x().max() - x().min()),
        "sum_of_sums": lambda: x().sum(axis=0).max(),
        "std_of_means": lambda: x().mean(axis=1).std(),
        "mean_of_maxes_keep": lambda: np.mean(x().max(axis=0, keepdims=True), axis=1),
        "argmax_of_sums": lambda: x().sum(axis=1).argmax(),
        "scalar_from_reduce": lambda: x().sum() * 2 + 1,
        "sqrt_of_var": lambda: np.sqrt(x().var(ddof=1)),
        "reduce_then_compare": lambda: x().mean(axis=0) > x().mean(),
        "any_of_compare": lambda: (x() > 0.99).any(axis=1),
        "count_true": lambda: (x() < 0.25).sum(),
        "sum_0d_of_0d": lambda: x().sum().sum(),
        "x_minus_colmean_sq_mean": lambda: ((x() - x().mean(axis=0)) ** 2).mean(axis=0),
        "shared_subexpr": shared,
        "inplace_int_chain": np.sqrt(a * 2 + 1) - lin,
        "inplace_random_chain": lambda: (x() * 2 + 1) / 3,
        "inplace_square": np.exp(lin) * np.exp(lin) + 1,
        "inplace_where": np.where(a % 3 == 0, np.sin(lin) * 2, lin - 1),
        "zero_d_int": np.arange(10).sum(),
        "zero_d_bool": (np.arange(10) > 8).any(),
        "zero_d_float32": np.ones(4, dtype=np.float32).mean(),
        "zero_d_argmin": np.arange(10, -10, -3).argmin(),
        "seed_cos2_mean_ax1": (np.cos(np.ones((200, 400))) ** 2).mean(axis=1),
        "seed_blocked_sum": np.ones(10).sum(),
        "seed_ones_sum": np.ones((100, 400)).sum(),
        "seed_random3d_sum": lambda: inp("r3").sum(),
        "seed_normal_mean_ax0": lambda: inp("nm").mean(axis=0),
        "seed_normal_mean_all": lambda: inp("nm").mean(),
    }
