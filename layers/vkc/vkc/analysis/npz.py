"""Read float32/int arrays from a NumPy ``.npz`` file with the standard library only.

Why: the trained weights are written by NumPy at training time, but the analyze worker's layer
does not ship NumPy (45 MB and a slower cold start for a few dot products the engine does in plain
Python). An ``.npz`` is a zip of ``.npy`` files: a small header, then the raw little-endian data.
"""

from __future__ import annotations

import ast
import struct
import sys
import zipfile
from array import array
from pathlib import Path

_MAGIC = b"\x93NUMPY"
_TYPECODES = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q"}


class NpzError(ValueError):
    """The file is not an .npz this reader understands (dtype, byte order or layout)."""


def _read_npy(blob: bytes, name: str) -> tuple[array[float] | array[int], tuple[int, ...]]:
    if not blob.startswith(_MAGIC):
        raise NpzError(f"{name}: not a .npy array")
    major = blob[6]
    if major == 1:
        (hlen,) = struct.unpack_from("<H", blob, 8)
        start = 10
    else:
        (hlen,) = struct.unpack_from("<I", blob, 8)
        start = 12
    header = ast.literal_eval(blob[start : start + hlen].decode("latin-1"))
    descr, fortran, shape = header["descr"], header["fortran_order"], tuple(header["shape"])
    if descr not in _TYPECODES or fortran:
        raise NpzError(f"{name}: unsupported dtype {descr!r} (fortran_order={fortran})")
    data = array(_TYPECODES[descr])
    data.frombytes(blob[start + hlen :])
    if sys.byteorder != "little":
        data.byteswap()
    expected = 1
    for dim in shape:
        expected *= dim
    if len(data) != expected:
        raise NpzError(f"{name}: {len(data)} values for shape {shape}")
    return data, shape


def load_npz(path: Path) -> dict[str, tuple[array[float] | array[int], tuple[int, ...]]]:
    """``{name: (flat array in C order, shape)}`` for every array in the file."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for member in zf.namelist():
            name = member.removesuffix(".npy")
            out[name] = _read_npy(zf.read(member), name)
    return out
