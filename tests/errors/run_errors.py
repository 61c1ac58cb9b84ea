#!/usr/bin/python3
"""run_errors.py — the catalogue of mistakes a user can make, each with the
exit status, script line and message fragments tessera must answer with.
Every case runs with `tessera run` (1 rank, no mpirun) and under
`mpirun -np 3`; a run that does not end within 60 s is a hang (its process
group is killed) and fails. Under mpirun every rank must end by itself with
the expected status (mpirun is told not to kill the others when one fails,
which also makes mpirun itself return 0, so the per-rank statuses, stricter
than mpirun's non-zero status, are what is checked).

Usage: /usr/bin/python3 run_errors.py --tessera BUILD/tessera [--ranks 0,3]
       [--only NAME,...] [--jobs N]
Cases run N at a time (default 2), each in its own directory; most of a
case's time is mpirun starting and ranks exiting, not CPU. Results print in
catalogue order.
Fragments are matched case-insensitively in stdout+stderr; a tuple means
"any one of these". Message texts are still being settled, so fragments are
the stable words of each message (see GUESSED for those not yet confirmed).

HDF5 cases may also have: setup(workdir) writing the files they need (the
text @DIR@ in a script is replaced by workdir), after(workdir) -> problems
checked once the run ended (e.g. an existing dataset is untouched),
cleanup(workdir), skip(workdir) -> a reason to skip or None, and
user="nobody" to run as an unprivileged user (root reads any file).
"""
import argparse
import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HANG_TIMEOUT_S = 60

PRELUDE = 'local ts = require "tessera"\n'

def h5_write(workdir, name="data.h5", **datasets):
    import h5py
    import numpy as np
    with h5py.File(os.path.join(workdir, name), "w") as f:
        for key, value in datasets.items():
            f.create_dataset(key, data=np.asarray(value), chunks=True if np.ndim(value) else None)


def setup_random_bytes(workdir):
    with open(os.path.join(workdir, "random.h5"), "wb") as f:
        f.write(os.urandom(64 * 1024))


def setup_truncated(workdir):
    import numpy as np
    h5_write(workdir, "whole.h5", x=np.arange(200000, dtype=np.float64))
    with open(os.path.join(workdir, "whole.h5"), "rb") as f:
        head = f.read(os.path.getsize(os.path.join(workdir, "whole.h5")) // 3)
    with open(os.path.join(workdir, "truncated.h5"), "wb") as f:
        f.write(head)


def setup_uint16(workdir):
    import numpy as np
    h5_write(workdir, x=np.arange(10, dtype=np.uint16))


def setup_existing(workdir):
    import numpy as np
    h5_write(workdir, x=np.arange(10, dtype=np.int64))


def after_existing(workdir):
    """The refused store must leave the existing dataset as it was."""
    import h5py
    import numpy as np
    with h5py.File(os.path.join(workdir, "data.h5"), "r") as f:
        ds = f["x"]
        if ds.dtype != np.int64 or not np.array_equal(ds[()], np.arange(10)):
            return [f"existing dataset /x changed: {ds.dtype} {ds[()]!r}"]
        if "tessera_complete" in ds.attrs:
            return ["existing dataset /x gained tessera attributes"]
    return []


def setup_incomplete(workdir):
    import h5py
    import numpy as np
    h5_write(workdir, x=np.arange(10, dtype=np.float64))
    with h5py.File(os.path.join(workdir, "data.h5"), "a") as f:
        f["x"].attrs["tessera_complete"] = np.int32(0)


def setup_unreadable(workdir):
    """A file only its owner (root) may read; the case runs as nobody."""
    import numpy as np
    h5_write(workdir, x=np.arange(10, dtype=np.float64))
    os.chmod(os.path.join(workdir, "data.h5"), 0)
    os.chmod(workdir, 0o777)  # nobody writes the per-rank status files here


FULL_DIR = "full"


def skip_disk_full(workdir):
    """A 1 MiB tmpfs to fill; needs mount rights (root outside a container
    that forbids it). Reason to skip, or None once mounted."""
    where = os.path.join(workdir, FULL_DIR)
    os.makedirs(where, exist_ok=True)
    if not shutil.which("mount") or os.geteuid() != 0:
        return "no mount rights for a tiny tmpfs"
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", where], capture_output=True,
                         text=True)
    return None if res.returncode == 0 else "mount -t tmpfs failed: " + res.stderr.strip()


def after_disk_full(workdir):
    """Whatever is left of the file must not pass for complete."""
    import h5py
    path = os.path.join(workdir, FULL_DIR, "big.h5")
    try:
        f = h5py.File(path, "r")
    except (OSError, FileNotFoundError):
        return []  # nothing readable was left: fine
    with f:
        if "x" in f and int(f["x"].attrs.get("tessera_complete", 0)) == 1:
            return ["the dataset on the full disk is marked complete"]
    return []


def cleanup_disk_full(workdir):
    where = os.path.join(workdir, FULL_DIR)
    if os.path.ismount(where):
        subprocess.run(["umount", where], check=False)


# Each case: name; script (None: no file written); argv (default: run the
# script); status of the 1-rank run; line of the expected "case.lua:LINE:"
# prefix (None: not demanded); fragments; optional max_seconds. The script's
# first line is always PRELUDE, so "line" counts it.
CASES = [
    dict(name="syntax_error", script="local x = = 3\n", status=1, line=2,
         fragments=["unexpected symbol"]),
    dict(name="lua_runtime_error", script="local x = 1\nerror('boom at runtime')\n", status=1, line=3,
         fragments=["boom at runtime"]),
    dict(name="lua_error_after_compute",
         script="local v = ts.arange(10, {chunks = 3}):sum():compute()\nlocal t = nil\nlocal y = t.field\n",
         status=1, line=4, fragments=["attempt to index a nil value"]),
    dict(name="missing_script", script=None, argv=["run", "{dir}/no_such_script.lua"], status=1, line=None,
         fragments=["no_such_script.lua"]),
    dict(name="shape_is_string", script='local x = ts.ones("abc")\n', status=1, line=2,
         fragments=["shape"]),
    dict(name="negative_dimension", script="local x = ts.zeros({3, -1})\n", status=1, line=2,
         fragments=[("negative", "dimension", "shape")]),
    dict(name="chunks_not_a_size", script='local x = ts.ones({10}, {chunks = "banana"})\n', status=1, line=2,
         fragments=["chunk", "banana"]),
    dict(name="chunks_do_not_add_up", script="local x = ts.ones({10, 4}, {chunks = {{3, 3}, {4}}})\n",
         status=1, line=2, fragments=["chunk", ("add up", "sum", "10", "match")]),
    dict(name="unknown_dtype", script='local x = ts.ones(5, {dtype = "float16"})\n', status=1, line=2,
         fragments=["float16"]),
    dict(name="broadcast_mismatch", script="local a = ts.ones({3, 4})\nlocal z = a + ts.ones(5)\n",
         status=1, line=3, fragments=["broadcast"]),
    dict(name="axis_out_of_range", script="local s = ts.ones({3, 4}):sum{axis = 2}\n", status=1, line=2,
         fragments=["axis", ("out of", "range", "bounds")]),
    dict(name="negative_axis_out_of_range", script="local s = ts.ones({3, 4}):mean{axis = -3}\n",
         status=1, line=2, fragments=["axis", ("out of", "range", "bounds")]),
    dict(name="repeated_axis", script="local s = ts.ones({3, 4}):sum{axis = {0, -2}}\n", status=1, line=2,
         fragments=["axis", ("repeat", "duplicate")]),
    dict(name="argmin_two_axes", script="local s = ts.ones({3, 4}):argmin{axis = {0, 1}}\n", status=1, line=2,
         fragments=["axis"]),
    dict(name="local_index_out_of_bounds", script="local v = ts.arange(3):compute()\nlocal y = v[100]\n",
         status=1, line=3, fragments=[("out of bounds", "out of range")]),
    dict(name="item_of_size_3", script="local v = ts.arange(3):compute()\nlocal y = v:item()\n",
         status=1, line=3, fragments=[("size 1", "size-1", "one element", "single element")]),
    dict(name="result_over_budget", script="local v = ts.ones({100000, 100000}):compute()\n", status=1, line=2,
         fragments=["budget", ("store", "reduce")], max_seconds=10),
    dict(name="int_negative_power_scalar", script="local v = (ts.arange(10) ^ -1):compute()\n", status=1,
         line=None, fragments=["Integers to negative integer powers are not allowed"]),
    dict(name="int_negative_power_on_worker",
         script="local e = ts.arange(10, {chunks = 2}) - 5\nlocal v = (ts.arange(10, {chunks = 2}) ^ e):compute()\n",
         status=1, line=None, fragments=["Integers to negative integer powers are not allowed"]),
    dict(name="bad_cli_option", script="local x = 1\n", argv=["run", "--chunk-size", "banana", "{script}"],
         status=2, line=None, fragments=[("banana", "chunk-size")]),
    dict(name="save_to_missing_directory",
         script="local v = ts.arange(3):compute()\nv:save('/nonexistent_tessera_dir/out.npy')\n",
         status=1, line=3, fragments=["nonexistent_tessera_dir"]),
    # HDF5 files: ts.from_hdf5 and store.
    dict(name="h5_missing_file", script="local x = ts.from_hdf5('@DIR@/no_such.h5', '/x')\n", status=1, line=2,
         fragments=["No such file or directory", "no_such.h5"]),
    dict(name="h5_directory", script="local x = ts.from_hdf5('@DIR@', '/x')\n", status=1, line=2,
         fragments=[("is a directory", "not an HDF5")]),
    dict(name="h5_random_bytes", setup=setup_random_bytes,
         script="local x = ts.from_hdf5('@DIR@/random.h5', '/x')\n", status=1, line=2,
         fragments=["not an HDF5", "random.h5"]),
    dict(name="h5_truncated", setup=setup_truncated,
         script="local x = ts.from_hdf5('@DIR@/truncated.h5', '/x')\nprint(x:sum():compute())\n", status=1,
         line=2, fragments=["truncated.h5", ("truncated", "not an HDF5", "corrupt")]),
    dict(name="h5_missing_dataset", setup=setup_existing,
         script="local x = ts.from_hdf5('@DIR@/data.h5', '/nope')\n", status=1, line=2,
         fragments=["not found", "nope"]),
    dict(name="h5_unsupported_dtype", setup=setup_uint16,
         script="local x = ts.from_hdf5('@DIR@/data.h5', 'x')\n", status=1, line=2, fragments=["uint16"]),
    dict(name="h5_incomplete", setup=setup_incomplete,
         script="local x = ts.from_hdf5('@DIR@/data.h5', '/x')\n", status=1, line=2,
         fragments=["incomplete", "data.h5"]),
    dict(name="h5_read_permission_denied", setup=setup_unreadable, user="nobody",
         script="local x = ts.from_hdf5('@DIR@/data.h5', '/x')\n", status=1, line=2,
         fragments=["Permission denied", "data.h5"]),
    dict(name="h5_store_exists", setup=setup_existing, after=after_existing,
         script="local a = ts.ones(10, {chunks = 3})\na:store('@DIR@/data.h5', '/x')\n", status=1, line=3,
         fragments=["already exists", "overwrite = true"]),
    dict(name="h5_store_exists_in_multi", setup=setup_existing, after=after_existing,
         script="local a = ts.ones(10, {chunks = 3})\n"
                "ts.store({a, a * 2}, {'@DIR@/data.h5:/y', '@DIR@/data.h5:/x'})\n", status=1, line=3,
         fragments=["already exists", "overwrite = true"]),
    # As root, chmod stops nothing; /sys refuses to create files even for root.
    dict(name="h5_store_permission_denied",
         script="ts.ones(10):store('/sys/tessera_errors_test.h5', '/x')\n", status=1, line=2,
         fragments=["Permission denied", "tessera_errors_test.h5"]),
    dict(name="h5_store_parent_is_file", setup=setup_existing,
         script="ts.ones(10):store('@DIR@/data.h5/sub/out.h5', '/x')\n", status=1, line=2,
         fragments=["Not a directory", "out.h5"]),
    dict(name="h5_store_targets_length", script="local a = ts.ones(4)\nts.store({a, a}, {'@DIR@/o.h5:/a'})\n",
         status=1, line=3, fragments=[("target", "length")]),
    dict(name="h5_store_bad_compression", script="ts.ones(4):store('@DIR@/o.h5', '/a', {compression = 'lzf'})\n",
         status=1, line=2, fragments=["lzf"]),
    dict(name="h5_store_bad_level",
         script="ts.ones(4):store('@DIR@/o.h5', '/a', {compression = 'gzip', level = 12})\n",
         status=1, line=2, fragments=["level"]),
    dict(name="h5_store_disk_full", skip=skip_disk_full, after=after_disk_full, cleanup=cleanup_disk_full,
         script="local x = ts.random.random(1000000, {chunks = 100000})\n"
                "x:store('@DIR@/" + FULL_DIR + "/big.h5', '/x')\n",
         status=1, line=None, fragments=[("No space left", "disk full"), "big.h5"]),
    # Views: slice, transpose, squeeze, expand_dims, broadcast_to, rechunk.
    dict(name="slice_bad_text", script='local y = ts.arange(10):slice("1:2:3:4")\n', status=1, line=2,
         fragments=["bad argument", 'bad slice "1:2:3:4"', "too many ':'", "item 1", "position"]),
    dict(name="slice_bad_character", script='local y = ts.ones({3, 3}):slice("1, 2x")\n', status=1, line=2,
         fragments=['bad slice "1, 2x"', "item 2", "position 5", "expected"]),
    dict(name="slice_step_zero", script='local y = ts.arange(10):slice("::0")\n', status=1, line=2,
         fragments=["slice step cannot be zero"]),
    dict(name="slice_step_zero_table", script="local y = ts.arange(10):slice{{nil, nil, 0}}\n", status=1, line=2,
         fragments=["slice step cannot be zero"]),
    dict(name="slice_index_out_of_bounds", script='local y = ts.arange(10):slice("10")\n', status=1, line=2,
         fragments=["index 10 is out of bounds for axis 0 with size 10"]),
    dict(name="slice_negative_index_out_of_bounds", script='local y = ts.ones({4, 5}):slice(":, -6")\n', status=1,
         line=2, fragments=["index -6 is out of bounds for axis 1 with size 5"]),
    dict(name="slice_two_ellipses", script='local y = ts.ones({2, 3}):slice("..., 1, ...")\n', status=1, line=2,
         fragments=["single ellipsis"]),
    dict(name="slice_too_many_indices", script='local y = ts.ones({2, 3}):slice("1, 2, 3")\n', status=1, line=2,
         fragments=["too many indices"]),
    dict(name="slice_bad_table_item", script="local y = ts.ones(3):slice{true}\n", status=1, line=2,
         fragments=["bad argument", "slice", "item 1"]),
    dict(name="transpose_repeated_axis", script="local y = ts.ones({2, 3, 4}):transpose{0, 0, 1}\n", status=1,
         line=2, fragments=["transpose", "repeated"]),
    dict(name="transpose_wrong_count", script="local y = ts.ones({2, 3}):transpose{1}\n", status=1, line=2,
         fragments=["bad argument", "transpose", "axes don't match array"]),
    dict(name="transpose_axis_out_of_range", script="local y = ts.ones({2, 3}):transpose(0, 2)\n", status=1,
         line=2, fragments=["axis 2 is out of bounds"]),
    dict(name="moveaxis_lengths_differ", script="local y = ts.moveaxis(ts.ones({2, 3}), {0, 1}, {0})\n", status=1,
         line=2, fragments=["moveaxis", "same number of elements"]),
    dict(name="swapaxes_out_of_range", script="local y = ts.swapaxes(ts.ones({2, 3}), 0, -3)\n", status=1,
         line=2, fragments=["swapaxes", "axis -3 is out of bounds"]),
    dict(name="squeeze_axis_not_one", script="local y = ts.ones({2, 1}):squeeze(0)\n", status=1, line=2,
         fragments=["squeeze", "size not equal to one"]),
    dict(name="expand_dims_out_of_range", script="local y = ts.expand_dims(ts.ones({2, 2}), 3)\n", status=1,
         line=2, fragments=["axis 3 is out of bounds"]),
    dict(name="expand_dims_repeated", script="local y = ts.expand_dims(ts.ones({2, 2}), {1, -3})\n", status=1,
         line=2, fragments=["expand_dims", "repeated axis"]),
    dict(name="broadcast_to_incompatible", script="local y = ts.broadcast_to(ts.ones({3}), {2, 4})\n", status=1,
         line=2, fragments=["broadcast"]),
    dict(name="rechunk_sizes_do_not_add_up", script="local y = ts.arange(10, {chunks = 3}):rechunk{{3, 3}}\n",
         status=1, line=2, fragments=["chunk", ("add up", "sum")]),
    dict(name="rechunk_dict_axis_out_of_range", script="local y = ts.ones({4, 4}):rechunk{[2] = 1}\n", status=1,
         line=2, fragments=["bad argument", "rechunk", "axes from 0 to 1"]),
    dict(name="rechunk_list_looks_like_dict", script="local y = ts.ones({4, 4}):rechunk{[1] = 2}\n", status=1,
         line=2, fragments=["bad argument", "rechunk", "[-1] = 100"]),
    dict(name="lazy_index_keeps_line", script="local x = ts.ones(3)\nlocal y = x[1]\n", status=1, line=3,
         fragments=["cannot be indexed"]),
    dict(name="T_of_closed_array", script="local c\ndo\n  local x <close> = ts.ones(3)\n  c = x\nend\n"
         "local y = c.T\n", status=1, line=7, fragments=["closed array"]),
    # Joins: concatenate, stack, vstack/hstack/dstack (NumPy's wording).
    dict(name="concatenate_shape_mismatch", script="local y = ts.concatenate({ts.ones({3, 4}), ts.ones({3, 5})})\n",
         status=1, line=2, fragments=["except for the concatenation axis must match exactly", "dimension 1",
                                      "index 0 has size 4", "index 1 has size 5"]),
    dict(name="concatenate_different_ndim", script="local y = ts.concatenate({ts.ones({3, 4}), ts.ones(4)})\n",
         status=1, line=2, fragments=["same number of dimensions", "index 0 has 2 dimension(s)",
                                      "index 1 has 1 dimension(s)"]),
    dict(name="concatenate_axis_out_of_range", script="local y = ts.concatenate({ts.ones(3), ts.ones(3)}, 1)\n",
         status=1, line=2, fragments=["concatenate", "axis 1 is out of bounds for array of dimension 1"]),
    dict(name="concatenate_negative_axis_out_of_range",
         script="local y = ts.concatenate({ts.ones({2, 3}), ts.ones({2, 3})}, {axis = -3})\n", status=1, line=2,
         fragments=["concatenate", "axis -3 is out of bounds for array of dimension 2"]),
    dict(name="concatenate_zero_d",
         script="local x = ts.ones(3)\nlocal y = ts.concatenate({x:sum(), x:max()})\n", status=1, line=3,
         fragments=["zero-dimensional arrays cannot be concatenated"]),
    dict(name="concatenate_empty_list", script="local y = ts.concatenate({})\n", status=1, line=2,
         fragments=["bad argument", "concatenate", "at least one array"]),
    dict(name="concatenate_not_an_array", script="local y = ts.concatenate({ts.ones(3), 'x'})\n", status=1,
         line=2, fragments=["bad argument", "concatenate", "index 2"]),
    dict(name="stack_different_shapes", script="local y = ts.stack({ts.ones({3, 4}), ts.ones({4, 3})})\n",
         status=1, line=2, fragments=["all input arrays must have the same shape"]),
    dict(name="stack_axis_out_of_range", script="local y = ts.stack({ts.ones(3), ts.ones(3)}, {axis = 2})\n",
         status=1, line=2, fragments=["stack", "axis 2 is out of bounds for array of dimension 2"]),
    dict(name="vstack_mismatch", script="local y = ts.vstack({ts.ones({2, 3}), ts.ones(4)})\n", status=1,
         line=2, fragments=["must match exactly", "dimension 1"]),
    # Contractions and diff.
    dict(name="einsum_bad_letter", script='local y = ts.einsum("i1,j->ij", ts.ones(2), ts.ones(3))\n', status=1,
         line=2, fragments=["einsum", "'1'", "letter"]),
    dict(name="einsum_ellipsis", script='local y = ts.einsum("...i->i", ts.ones({3, 3}))\n', status=1, line=2,
         fragments=["einsum", "ellipsis"]),
    dict(name="einsum_too_few_operands", script='local y = ts.einsum("ij,jk->ik", ts.ones({2, 3}))\n', status=1,
         line=2, fragments=["einsum", "2 operands", "1 given"]),
    dict(name="einsum_too_many_operands",
         script='local a = ts.ones({2, 3})\nlocal y = ts.einsum("ij->ij", a, a)\n', status=1, line=3,
         fragments=["einsum", "1 operands", "2 given"]),
    dict(name="einsum_four_operands", script='local a = ts.ones(2)\nlocal y = ts.einsum("i,i,i,i", a, a, a, a)\n',
         status=1, line=3, fragments=["bad argument", "einsum", "1 to 3 arrays"]),
    dict(name="einsum_lengths_differ",
         script='local y = ts.einsum("ij,jk->ik", ts.ones({3, 4}), ts.ones({5, 2}))\n', status=1, line=2,
         fragments=["einsum", "'j'", "4", "5"]),
    dict(name="einsum_repeated_letter", script='local y = ts.einsum("ii->i", ts.ones({3, 3}))\n', status=1, line=2,
         fragments=["einsum", "repeated", "'i'"]),
    dict(name="einsum_letters_vs_ndim", script='local y = ts.einsum("ijk->i", ts.ones({3, 3}))\n', status=1,
         line=2, fragments=["einsum", "2 dimensions", "3 letters"]),
    dict(name="einsum_output_not_input", script='local y = ts.einsum("ij->k", ts.ones({3, 3}))\n', status=1,
         line=2, fragments=["einsum", "'k'", "not an input letter"]),
    dict(name="tensordot_shape_mismatch",
         script="local y = ts.tensordot(ts.ones({3, 4}), ts.ones({5, 2}), 1)\n", status=1, line=2,
         fragments=["tensordot", "shape-mismatch for sum"]),
    dict(name="tensordot_axes_lengths_differ",
         script="local y = ts.tensordot(ts.ones({3, 4}), ts.ones({4, 2}), {{1, 0}, {0}})\n", status=1, line=2,
         fragments=["bad argument", "tensordot", "same length"]),
    dict(name="tensordot_axis_out_of_range",
         script="local y = ts.tensordot(ts.ones({3, 4}), ts.ones({4, 2}), {{2}, {0}})\n", status=1, line=2,
         fragments=["tensordot", "axis", "out of"]),
    dict(name="tensordot_too_many_axes", script="local y = ts.tensordot(ts.ones({3, 4}), ts.ones({4, 2}), 3)\n",
         status=1, line=2, fragments=["tensordot", "axes = 3"]),
    dict(name="dot_not_aligned", script="local y = ts.ones({3, 4}):dot(ts.ones({3, 4}))\n", status=1, line=2,
         fragments=["dot", ("not aligned", "mismatch")]),
    dict(name="matmul_scalars", script="local x = ts.ones(3)\nlocal y = ts.matmul(x:sum(), x:sum())\n", status=1,
         line=3, fragments=["matmul", "not have enough dimensions"]),
    dict(name="matmul_core_mismatch", script="local y = ts.matmul(ts.ones({3, 4}), ts.ones({3, 4}))\n", status=1,
         line=2, fragments=["matmul", ("mismatch", "not aligned")]),
    dict(name="matmul_batch_mismatch",
         script="local y = ts.matmul(ts.ones({2, 3, 4}), ts.ones({3, 4, 2}))\n", status=1, line=2,
         fragments=["matmul", "broadcast"]),
    dict(name="outer_of_2d", script="local y = ts.outer(ts.ones({2, 2}), ts.ones(3))\n", status=1, line=2,
         fragments=["outer", "1-d"]),
    dict(name="diff_of_0d", script="local y = ts.diff(ts.ones(3):sum())\n", status=1, line=2,
         fragments=["diff requires input that is at least one dimensional"]),
    dict(name="diff_negative_n", script="local y = ts.ones(3):diff{n = -1}\n", status=1, line=2,
         fragments=["order must be non-negative but got -1"]),
    dict(name="diff_axis_out_of_range", script="local y = ts.diff(ts.ones({3, 3}), 1, 2)\n", status=1, line=2,
         fragments=["diff", "axis 2 is out of bounds for array of dimension 2"]),
    # map_blocks / map_overlap: refused at build time, or failing on a worker.
    dict(name="map_blocks_not_a_function", script="local y = ts.ones(4):map_blocks(3)\n", status=1, line=2,
         fragments=["bad argument", "map_blocks", "function expected"]),
    dict(name="map_blocks_upvalue_thread",
         script="local co = coroutine.create(print)\nlocal y = ts.ones(4):map_blocks(function(b) return co and b end)\n",
         status=1, line=3, fragments=["upvalue 'co'", "map_blocks", "thread", "travel to the workers"]),
    dict(name="map_blocks_upvalue_lazy_array",
         script="local z = ts.ones(4)\nlocal y = ts.ones(4):map_blocks(function(b) return b + z end)\n",
         status=1, line=3, fragments=["upvalue 'z'", "lazy array", "input of ts.map_blocks"]),
    dict(name="map_blocks_upvalue_cycle",
         script="local t = {}\nt.self = t\nlocal y = ts.ones(4):map_blocks(function(b) return t and b end)\n",
         status=1, line=4, fragments=["upvalue 't'", "contains itself"]),
    dict(name="map_blocks_error_in_function",
         script="local y = ts.arange(10, {chunks = 3}):map_blocks(function(b, idx)\n"
                "  if idx[1] == 2 then error('boom in block ' .. idx[1]) end\n  return b\nend)\nprint(y:compute())\n",
         status=1, line=6, fragments=["block (2,)", "case.lua:3: boom in block 2", "stack traceback", "rank"]),
    dict(name="map_blocks_wrong_dtype",
         script="local y = ts.arange(10, {chunks = 3}):map_blocks(function(b) return b / 2 end)\nprint(y:compute())\n",
         status=1, line=3, fragments=["returned float64 values", "dtype is int64", 'dtype = "float64"']),
    dict(name="map_blocks_wrong_shape",
         script="local y = ts.arange(10, {chunks = 3}):map_blocks(function(b) return b:slice('1:') end)\n"
                "print(y:compute())\n",
         status=1, line=3, fragments=["block of shape (2,)", "expected (3,)", "chunks ="]),
    dict(name="map_blocks_returns_table",
         script="local y = ts.ones(4):map_blocks(function(b) return {} end)\nprint(y:compute())\n",
         status=1, line=3, fragments=["must return a local array", "got table"]),
    dict(name="map_blocks_lazy_inside_task",
         script="local y = ts.ones(4):map_blocks(function(b) return ts.linspace(0, 1, 4) end)\nprint(y:compute())\n",
         status=1, line=3, fragments=["linspace is not available inside a task", "local arrays"]),
    dict(name="map_blocks_os_exit_in_task",
         script="local y = ts.ones(4):map_blocks(function(b) os.exit(0) end)\nprint(y:compute())\n",
         status=1, line=3, fragments=["os.exit is not available inside a task"]),
    dict(name="map_blocks_block_counts_differ",
         script="local y = ts.map_blocks(function(a, b) return a end, ts.ones(10, {chunks = 5}), ts.ones(12, {chunks = 4}))\n",
         status=1, line=2, fragments=["map_blocks", "2 and 3 blocks", "cannot be paired"]),
    dict(name="map_blocks_chunks_count",
         script="local y = ts.ones(10, {chunks = 5}):map_blocks(function(b) return b end, {chunks = {{2, 2, 2}}})\n",
         status=1, line=2, fragments=["map_blocks", "3 blocks on axis 0", "2 blocks there"]),
    dict(name="map_blocks_unknown_option",
         script="local y = ts.ones(4):map_blocks(function(b) return b end, {chunk = 2})\n", status=1, line=2,
         fragments=["unknown option", "chunk", "drop_axis"]),
    dict(name="map_blocks_drop_axis_out_of_range",
         script="local y = ts.ones({4, 4}):map_blocks(function(b) return b end, {drop_axis = 2})\n", status=1,
         line=2, fragments=["drop_axis 2 is out of bounds"]),
    dict(name="map_overlap_depth_too_large",
         script="local y = ts.ones(4):map_overlap(function(b) return b end, {depth = 5, boundary = 'reflect'})\n",
         status=1, line=2, fragments=["map_overlap", "depth 5", "larger than the axis", "reflect"]),
    # delayed tasks: refused at build time, or failing on a worker.
    dict(name="delayed_not_a_function", script="local d = ts.delayed(42)\n", status=1, line=2,
         fragments=["bad argument", "delayed", "function expected"]),
    dict(name="delayed_unknown_option", script="local d = ts.delayed(print, {nmae = 'x'})\n", status=1, line=2,
         fragments=["unknown option", "nmae", "name, cost"]),
    dict(name="delayed_upvalue_userdata",
         script="local out = io.stdout\nlocal d = ts.delayed(function(x) out:write(x) end)\n", status=1, line=3,
         fragments=["upvalue 'out'", "userdata", "travel to the workers"]),
    dict(name="delayed_upvalue_function_cycle",
         script="local f, g\nf = function() return g() end\ng = function() return f() end\n"
                "local d = ts.delayed(f)\n", status=1, line=5,
         fragments=["upvalue 'f'", "refers back to a function"]),
    dict(name="delayed_argument_function",
         script="local function sq(x) return x * x end\nlocal d = ts.delayed(sq)(function() end)\n", status=1,
         line=3, fragments=["argument 1 of 'sq'", "is a function", "cannot be arguments"]),
    dict(name="delayed_argument_cycle",
         script="local t = {}\nt.me = t\nlocal d = ts.delayed(function(x) return x end, {name = 'ident'})(1, t)\n",
         status=1, line=4, fragments=["argument 2 of 'ident'", "contains itself"]),
    dict(name="delayed_argument_coroutine",
         script="local d = ts.delayed(function(x) return x end)(coroutine.create(print))\n", status=1, line=2,
         fragments=["argument 1", "thread"]),
    dict(name="delayed_error_in_task",
         script="local function square(x)\n  if x == 7 then error('seven is unlucky') end\n  return x * x\nend\n"
                "local dsq = ts.delayed(square)\nlocal rs = {}\nfor i = 1, 12 do rs[i] = dsq(i) end\n"
                "print(ts.compute(rs))\n",
         status=1, line=9, fragments=["task 'square'", "failed on rank", "case.lua:3: seven is unlucky",
                                     "stack traceback"]),
    dict(name="delayed_result_cannot_travel",
         script="local d = ts.delayed(function() return coroutine.create(print) end, {name = 'co'})()\n"
                "print(d:compute())\n", status=1, line=3,
         fragments=["task 'co'", "the task's result is a thread"]),
    dict(name="delayed_random_inside_task",
         script="local d = ts.delayed(function() return ts.random.random(3) end)()\nprint(d:compute())\n",
         status=1, line=3, fragments=["random is not available inside a task"]),
    dict(name="delayed_compute_bad_item",
         script="local d = ts.delayed(function() return 1 end)()\nprint(ts.compute({d, 3}))\n", status=1, line=3,
         fragments=["bad argument", "compute", "index 2", "got number"]),
    dict(name="from_delayed_wrong_shape",
         script="local d = ts.delayed(function() return ts.arange(3) end, {name = 'three'})()\n"
                "print(ts.from_delayed(d, {4}, 'int64'):compute())\n", status=1, line=3,
         fragments=["from_delayed", "shape (3,)", "expected (4,)"]),
    dict(name="from_delayed_wrong_dtype",
         script="local d = ts.delayed(function() return ts.arange(3) end)()\n"
                "print(ts.from_delayed(d, {3}, 'float64'):compute())\n", status=1, line=3,
         fragments=["from_delayed", "int64 values", "expected float64"]),
    dict(name="from_delayed_not_an_array",
         script="local d = ts.delayed(function() return 'text' end)()\n"
                "print(ts.from_delayed(d, {3}):compute())\n", status=1, line=3,
         fragments=["from_delayed", "must return a local array or a number"]),
    dict(name="map_overlap_wrong_shape",
         script="local y = ts.ones(8, {chunks = 4}):map_overlap(function(b) return b:slice('3:') end,\n"
                "  {depth = 1, boundary = 'reflect'})\nprint(y:compute())\n", status=1, line=4,
         fragments=["map_overlap block (0,)", "shape (3,)", "expected (6,) (the block with its halo) or (4,)"]),
    dict(name="map_overlap_bad_boundary",
         script="local y = ts.ones(4):map_overlap(function(b) return b end, {depth = 1, boundary = 'mirror'})\n",
         status=1, line=2, fragments=["boundary", "'mirror'", "periodic"]),
]

# Expectations that are the catalogue's guesses, not yet texts the authors
# have fixed: the lead should confirm or correct them.
GUESSED = {
    "missing_script": "exit status 1 (like lua.c) and the file name in the message",
    "negative_dimension": "one of 'negative', 'dimension', 'shape'",
    "chunks_do_not_add_up": "'chunk' and one of 'add up', 'sum', '10', 'match'",
    "repeated_axis": "'repeat' or 'duplicate'",
    "local_index_out_of_bounds": "'out of bounds' (NumPy's IndexError text) and a script line",
    "item_of_size_3": "NumPy's 'can only convert an array of size 1' wording",
    "result_over_budget": "'budget' plus 'store' or 'reduce', within 10 s",
    "int_negative_power_scalar": "no line demanded: may be found at build time or on a worker",
    "bad_cli_option": "exit status 2 and the option or its value named",
    "save_to_missing_directory": "the path named, exit 1, script line",
    "h5_directory": "'Is a directory' (strerror) or 'not an HDF5'",
    "h5_truncated": "the file named and 'truncated', 'not an HDF5' or 'corrupt'; at from_hdf5's line",
    "h5_store_exists": "found before any work, so at the store call's line (also for the other store errors)",
    "h5_store_parent_is_file": "strerror's 'Not a directory' and the path",
    "h5_store_targets_length": "'target' or 'length'",
    "h5_store_bad_level": "the word 'level'",
    "h5_store_disk_full": "strerror's 'No space left on device' (or 'disk full') and the file; no line demanded",
    "matmul_batch_mismatch": "NumPy's word 'broadcast' for leading axes that do not broadcast",
}


def run(cmd, timeout_s):
    env = dict(os.environ, OMPI_MCA_mpi_yield_when_idle="1", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        rc = None
    return rc, (out + err).decode(errors="replace"), time.monotonic() - start


def check_case(case, tessera, nranks, workdir):
    """Returns a list of problems (empty: the case passed)."""
    script = os.path.join(workdir, "case.lua")
    if "setup" in case:
        case["setup"](workdir)
    if case["script"] is not None:
        with open(script, "w") as f:
            f.write(PRELUDE + case["script"].replace("@DIR@", workdir))
        os.chmod(script, 0o644)
    argv = case.get("argv") or ["run", "{script}"]
    argv = [a.format(script=script, dir=workdir) for a in argv]
    cmd = [tessera] + argv
    if nranks:
        # mpirun normally kills the other ranks once one fails, which would
        # hide a worker that never exits; here it lets each rank end on its
        # own, and each rank's exit status is written down by a wrapper.
        record = 's=$?; echo $s > "%s/status.$OMPI_COMM_WORLD_RANK"; exit $s' % workdir
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--mca", "orte_abort_on_non_zero_status", "0",
               "-np", str(nranks), "sh", "-c", '"$0" "$@"; ' + record] + cmd
    if case.get("user"):
        cmd = ["setpriv", "--reuid=" + case["user"], "--regid=nogroup", "--clear-groups",
               "env", "HOME=" + workdir] + cmd
    rc, text, secs = run(cmd, HANG_TIMEOUT_S)
    problems = []
    if rc is None:
        return [f"hang: no exit within {HANG_TIMEOUT_S} s (process group killed)"]
    if rc < 0:
        problems.append(f"killed by signal {-rc}")
    elif nranks == 0 and rc != case["status"]:
        problems.append(f"exit status {rc}, expected {case['status']}")
    for rank in range(nranks):
        try:
            with open(os.path.join(workdir, f"status.{rank}")) as f:
                status = int(f.read())
        except (OSError, ValueError):
            problems.append(f"rank {rank} did not exit on its own")
            continue
        if status != case["status"]:
            problems.append(f"rank {rank} exit status {status}, expected {case['status']}")
    if case.get("line") is not None and f"case.lua:{case['line']}:" not in text:
        problems.append(f"no 'case.lua:{case['line']}:' in the message")
    low = text.lower()
    for frag in case["fragments"]:
        options = frag if isinstance(frag, tuple) else (frag,)
        if not any(o.lower() in low for o in options):
            problems.append("message lacks " + " or ".join(repr(o) for o in options))
    if "max_seconds" in case and secs > case["max_seconds"]:
        problems.append(f"took {secs:.1f} s, expected under {case['max_seconds']} s")
    if "after" in case:
        problems += case["after"](workdir)
    if problems:
        problems.append("output: " + text.strip()[-800:].replace("\n", "\n      "))
    return problems


def run_one(case, tessera, nranks):
    """(skip reason or None, problems, seconds) of one case in a fresh directory."""
    with tempfile.TemporaryDirectory(prefix="tessera-errors-") as workdir:
        start = time.monotonic()
        skipped = case["skip"](workdir) if "skip" in case else None
        try:
            problems = [] if skipped else check_case(case, tessera, nranks, workdir)
        finally:
            if "cleanup" in case:
                case["cleanup"](workdir)
        return skipped, problems, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--ranks", default="0,3", help="0 = tessera run without mpirun")
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once")
    opts = ap.parse_args()
    only = set(filter(None, opts.only.split(",")))
    nfail = 0
    for nranks in [int(r) for r in opts.ranks.split(",")]:
        where = "1 rank (no mpirun)" if nranks == 0 else f"mpirun -np {nranks}"
        cases = [c for c in CASES if not only or c["name"] in only]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(opts.jobs, 1)) as pool:
            futures = [pool.submit(run_one, case, opts.tessera, nranks) for case in cases]
            for case, future in zip(cases, futures):
                skipped, problems, secs = future.result()
                if skipped:
                    print(f"skip {case['name']:32} {where:20} ({skipped})", flush=True)
                    continue
                status = "FAIL" if problems else "ok"
                print(f"{status:4} {case['name']:32} {where:20} {secs:5.1f} s", flush=True)
                for p in problems:
                    print("       - " + p)
                nfail += bool(problems)
    print(f"{nfail} failure(s)")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
