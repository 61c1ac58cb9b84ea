"""Oracle of map_blocks.lua: the same functions through Dask's map_blocks
and map_overlap (2022.12) on the saved inputs, in the same chunks, so block
boundaries, block indices and halos are Dask's. Dask's map_blocks pairs
blocks by position and refuses arrays whose block counts differ; tessera
first rechunks them to the common refinement, as Dask's elementwise
operations do (unify_chunks), so the oracle unifies them the same way."""
import dask.array as da
import numpy as np
from dask.array.core import unify_chunks


def unified(f, a, b):
    _, (a2, b2) = unify_chunks(a, "ij", b, "ij")
    return da.map_blocks(f, a2, b2)


def oracle(v):
    x = da.from_array(v["in_x"], chunks=(5, 4))
    y = da.from_array(v["in_y"], chunks=(3, 6))
    row = da.from_array(v["in_row"], chunks=10)
    ints = da.from_array(v["in_ints"], chunks=(4, 3))
    scale, offset = 3.5, 2
    out = {
        "double": x.map_blocks(lambda b: b * 2),
        "upvalues": x.map_blocks(lambda b: b * scale + offset),
        "index": ints.map_blocks(lambda b, block_id=None: b * 0 + block_id[0] * 10 + block_id[1], dtype=np.int64),
        "math_in_block": x.map_blocks(lambda b: np.sqrt(b) - b.mean() + np.pi),
        "where_in_block": y.map_blocks(lambda b: np.where(b > 0, b, -b * 2)),
        "astype": ints.map_blocks(lambda b: (b / 2).astype(np.float32), dtype=np.float32),
        "two_arrays": unified(lambda a, b: a * b + a, x, y),
        "whole_row": da.map_blocks(lambda a, r: a * r.sum(), x, row),
        "paired_by_position": da.map_blocks(lambda a, b: a[:10] + b, da.arange(1000, chunks=100),
                                            da.arange(100, chunks=10), chunks=(10,), dtype=np.int64),
        "block_sums": x.map_blocks(lambda b: b.sum(axis=1, keepdims=True), chunks=((5, 5, 2), 1)),
        "drop_axis": x.map_blocks(lambda b: b.max(axis=0), drop_axis=0, dtype=np.float64),
        "new_axis": row.map_blocks(lambda b: b.reshape(1, 10) * 3, new_axis=0, dtype=np.float64),
        "transpose_blocks": ints.map_blocks(lambda b: (b.T * 2).T),
        "slice_in_block": x.map_blocks(lambda b: b[::-1, :]),
        "number_fills": ints.map_blocks(lambda b, block_id=None: np.full_like(b, block_id[0] + block_id[1]),
                                        dtype=np.int64),
        "of_reduction": x.sum(axis=0).map_blocks(lambda b: b / b.max(), dtype=np.float64),
        "chain": unified(lambda p, q: p * q, x.map_blocks(lambda b: b + 1), y).mean(axis=0),
        "lib_function": y.map_blocks(np.abs),
    }
    for bnd in ["none", "reflect", "periodic", "nearest"]:
        out["overlap_" + bnd] = x.map_overlap(lambda b: b - b.mean(), depth=1, boundary=bnd)
        out["overlap_rows_" + bnd] = x.map_overlap(lambda b: b * 0 + b.max(axis=1, keepdims=True),
                                                   depth={0: 0, 1: 2}, boundary=bnd, dtype=np.float64)
    out["overlap_constant"] = ints.map_overlap(lambda b: b * 0 + b.sum(), depth=(1, 1), boundary=-5)
    out["overlap_of_computed"] = x.map_blocks(lambda b: b * 10).map_overlap(lambda b: b - b.min(), depth=2,
                                                                              boundary="periodic", dtype=np.float64)
    return {k: np.asarray(d.compute()) for k, d in out.items()}
