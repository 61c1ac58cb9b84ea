#!/usr/bin/python3
"""make_seeds.py — writes the seed corpora of the fuzz harnesses into
tests/fuzz/<harness>/ (run it again after changing a harness's decoder;
the files are committed). Each seed is the first byte a harness reads as
its mode, then an input that reaches one feature: index texts NumPy
accepts and ones it refuses, .npy files as NumPy writes them (every dtype,
versions 1.0 to 3.0, empty, Fortran order, big-endian, structured), and
byte patterns for the structure decoders of fuzz_chunks and fuzz_h5_meta.

Usage: /usr/bin/python3 tests/fuzz/make_seeds.py
"""
import io
import os
import shutil
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(harness, name, data):
    d = os.path.join(HERE, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def slice_text():
    texts = ["5:100:3, ..., None, -1", "::-1, ::-1", "1,", "", ":", "0", "-1", "None",
             "...", "1:2:3:4", "1, 2x", "::0", "9223372036854775807", "-9223372036854775808",
             " 1 : 2 : 3 ,\t... ,\nNone", "Nonesuch", "+3:-3", "1 2", "..., ..."]
    for i, t in enumerate(texts):
        write("slice_text", f"text{i:02d}", b"\x01" + t.encode())
    write("slice_text", "shrunk_cap", b"\x04" + b"1, 2, 3")


def npy_bytes(arr, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, arr, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, arr, version=version, allow_pickle=False)
    return buf.getvalue()


def npy():
    arrays = {
        "f8_2d": np.arange(6, dtype="<f8").reshape(2, 3),
        "f4_1d": np.linspace(0, 1, 5, dtype="<f4"),
        "i8_scalar": np.array(7, dtype="<i8"),
        "i4_3d": np.arange(24, dtype="<i4").reshape(2, 3, 4),
        "b1": np.array([True, False, True]),
        "empty": np.zeros((0, 3)),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "big_endian": np.arange(3, dtype=">f8"),
        "structured": np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")]),
        "u2": np.arange(4, dtype="<u2"),
    }
    for name, a in arrays.items():
        write("npy", "read_" + name, b"\x00" + npy_bytes(a))
    a = np.arange(4.0)
    write("npy", "read_v2", b"\x00" + npy_bytes(a, (2, 0)))
    write("npy", "read_v3", b"\x00" + npy_bytes(a, (3, 0)))
    full = npy_bytes(np.arange(10, dtype="<i8"))
    write("npy", "read_truncated", b"\x00" + full[:-8])
    write("npy", "read_header_only", b"\x00" + full[:40])
    # write mode: dtype byte, ndim byte, then extents and data bytes
    write("npy", "write_2d", b"\x01" + bytes([4, 2]) + bytes([1, 2] + [0] * 7 + [3] + [0] * 7) + bytes(range(48)))
    write("npy", "write_scalar", b"\x01" + bytes([0, 0, 1]))
    write("npy", "write_empty_huge", b"\x01" + bytes([2, 2, 0] + [0xff] * 8 + [1, 0] + [0] * 7))


def chunks():
    # mode byte % 4 != 0: normalise; == 0: common refinement
    write("chunks", "auto_3d", bytes([1, 3, 4, 0, 1, 1, 0, 0]) + bytes([0, 4, 0xe8, 0x03] + [0] * 6) * 3)
    write("chunks", "sizes", bytes([1, 2, 4, 1, 2, 1, 1, 1, 4, 100] + [0] * 7 + [1, 10] + [0] * 7) * 2)
    write("chunks", "lists", bytes([2, 1, 4, 1, 2, 1, 0, 3, 5, 10] + [0] * 7 + [1, 1, 3] + [0] * 7 + [0]))
    write("chunks", "previous", bytes([3, 2, 4, 1, 3, 1, 1, 1, 0, 3, 4, 200] + [0] * 7 + [1, 1, 17] + [0] * 7) * 2)
    write("chunks", "refine", bytes([0, 2, 4, 100] + [0] * 7 + [1, 30] + [0] * 7 + [0, 1, 45] + [0] * 7 + [0]))
    write("chunks", "empty_axis", bytes([1, 1, 4, 0, 1, 1, 0, 1, 0, 0, 0]))


def h5_meta():
    # dtype known, dtype, type name, ndim (8 bytes), null, chunked, chunk ndim, mark, extents
    def raw(ndim, chunked, dims, chunk):
        b = bytes([1, 4, 0]) + struct.pack("<Q", ndim + 2) + bytes([1, chunked, 1, 2])
        for n, c in zip(dims, chunk):
            b += bytes([2]) + bytes([5]) + struct.pack("<Q", n) + bytes([1]) + struct.pack("<Q", c - 1)
        return b
    write("h5_meta", "contiguous_2d", raw(2, 0, [1000, 20], [1, 1]))
    write("h5_meta", "chunked_3d", raw(3, 1, [365, 180, 360], [30, 90, 90]))
    write("h5_meta", "scalar", raw(0, 0, [], []))
    write("h5_meta", "unknown_dtype", bytes([0, 4, 7]) + struct.pack("<Q", 3))
    write("h5_meta", "huge_extent", bytes([1, 4, 0]) + struct.pack("<Q", 3) + bytes([1, 0, 1, 2, 0]) + b"\xff" * 8)


if __name__ == "__main__":
    for h in ("slice_text", "npy", "chunks", "h5_meta"):
        shutil.rmtree(os.path.join(HERE, h), ignore_errors=True)
    slice_text()
    npy()
    chunks()
    h5_meta()
