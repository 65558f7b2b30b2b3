"""
tensorfile.py: safetensors files, read and written with the standard library.

A safetensors file (Hugging Face's format for weights) has three parts:

    8 bytes     N, the header's length: an unsigned little-endian integer
    N bytes     the header, JSON: {name: {"dtype": "F32", "shape": [768, 2304],
                "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}
    the rest    the tensors' bytes, little-endian, row-major, tensor `name`
                at [begin, end) counted from the end of the header

`read_header` checks the whole layout before a weight is read, so a
malformed file is one TensorFileError naming what is wrong: a file too short
for its header, a header that is not JSON, an unknown dtype, a shape whose
bytes are not its offsets' span, tensors that overlap or leave a hole
between them (every byte of the data belongs to one tensor), data that ends
before or after the file does. `tensors` then reads the tensors asked for,
one at a time, each as a flat array of floats: F32, F16 and BF16 as 4-byte
'f' (a BF16 is an F32's upper two bytes; an F16 is unpacked by struct),
F64 as 8-byte 'd'. `save` writes F32 or F64.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> save(path, {"w": ([2, 2], [1.0, 2.0, 3.0, 0.5])})
    >>> [(name, shape, list(values)) for name, shape, values in tensors(path)]
    [('w', [2, 2], [1.0, 2.0, 3.0, 0.5])]

Builds on files.py (the file written atomically). Left out on purpose:
the values of integer, boolean and 8-bit tensors (their layout is checked;
no weight microgpt reads is stored so), memory mapping.
"""
from __future__ import annotations

import json
import os
import struct
import sys
from array import array

from .files import write_atomically

ITEM_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2,
              "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}
READABLE = ("F32", "F16", "BF16", "F64")  # the dtypes whose values tensors() reads
WRITTEN = {"F32": "f", "F64": "d"}        # dtype -> the array module's type
MAX_HEADER = 100_000_000  # bytes: the safetensors library's own limit
CHUNK = 1 << 16           # F16 values unpacked at a time


class TensorFileError(Exception):
    """A safetensors file that cannot be read, with a message for a person."""


def count(shape):
    """How many numbers a tensor of this shape holds.

    >>> count([768, 2304]), count([]), count([3, 0])
    (1769472, 1, 0)
    """
    n = 1
    for d in shape:
        n *= d
    return n


def _expect(ok, path, message):
    if not ok:
        raise TensorFileError(f"{path}: {message}")


def _no_repeats(pairs):
    """json.loads' object_pairs_hook: a name given twice is an error, not the last one."""
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"{key!r} appears twice")
        out[key] = value
    return out


def _open(path):
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise TensorFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TensorFileError(f"{path}: is a directory, not a safetensors file") from None
    except OSError as e:
        raise TensorFileError(f"{path}: cannot read ({e.strerror})") from None


def read_header(path):
    """({name: (dtype, shape, begin, end)}, metadata, data_start): every
    tensor's entry, in the file's data order, begin and end counted from
    data_start, the byte where the data begins; TensorFileError for a
    malformed file."""
    with _open(path) as f:
        size = os.fstat(f.fileno()).st_size
        _expect(size >= 8, path, f"{size} bytes, too short for a safetensors file (its header's "
                                 f"length alone takes 8)")
        n = int.from_bytes(f.read(8), "little")
        _expect(n <= size - 8, path, f"the header is {n:,} bytes long by its first 8 bytes, longer "
                                     f"than the {size - 8:,} bytes after them (not a safetensors "
                                     f"file, or a truncated one)")
        _expect(n <= MAX_HEADER, path, f"a header of {n:,} bytes (at most {MAX_HEADER:,})")
        raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_repeats)
    except (UnicodeDecodeError, ValueError) as e:  # JSONDecodeError is a ValueError
        raise TensorFileError(f"{path}: the header is not JSON ({e})") from None
    _expect(isinstance(header, dict), path, "the header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    _expect(isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values()),
            path, "__metadata__ should map names to strings")
    entries = {}
    for name, t in header.items():
        _expect(isinstance(t, dict) and set(t) == {"dtype", "shape", "data_offsets"}, path,
                f"tensor {name!r} should have exactly dtype, shape and data_offsets")
        dtype, shape, offsets = t["dtype"], t["shape"], t["data_offsets"]
        _expect(dtype in ITEM_BYTES, path, f"tensor {name!r} has the unknown dtype {dtype!r} "
                                           f"(safetensors has {', '.join(ITEM_BYTES)})")
        whole = lambda x: isinstance(x, int) and not isinstance(x, bool) and x >= 0
        _expect(isinstance(shape, list) and all(map(whole, shape)), path,
                f"tensor {name!r}: shape {shape!r} is not a list of sizes")
        _expect(isinstance(offsets, list) and len(offsets) == 2 and all(map(whole, offsets))
                and offsets[0] <= offsets[1], path,
                f"tensor {name!r}: data_offsets {offsets!r} is not [begin, end] with begin <= end")
        need = count(shape) * ITEM_BYTES[dtype]
        _expect(need == offsets[1] - offsets[0], path,
                f"tensor {name!r}: shape {shape} of {dtype} is {need:,} bytes, but its "
                f"data_offsets {offsets} span {offsets[1] - offsets[0]:,}")
        entries[name] = (dtype, shape, offsets[0], offsets[1])
    entries = dict(sorted(entries.items(), key=lambda kv: kv[1][2:]))
    end, last = 0, None  # where the data seen so far ends, and which tensor ended it
    for name, (_, _, begin, stop) in entries.items():
        if begin < end:
            raise TensorFileError(f"{path}: tensors {last!r} (data bytes {entries[last][2]}..{end}) "
                                  f"and {name!r} (bytes {begin}..{stop}) overlap")
        where = f"after tensor {last!r}" if last else "at the start"
        _expect(begin == end, path, f"data bytes {end}..{begin} belong to no tensor (a hole {where})")
        end, last = stop, name
    data = size - 8 - n
    _expect(end <= data, path, f"the file ends {end - data:,} bytes before tensor {last!r} does "
                               f"(truncated?)")
    _expect(end == data, path, f"{data - end:,} bytes after the last tensor belong to no tensor")
    return entries, metadata, 8 + n


def _floats(raw, dtype):
    """The values of one tensor's bytes, as a flat array ('d' for F64, else 'f')."""
    if dtype == "F16":  # struct unpacks halves; in pieces, so no tuple of them all is made
        out = array("f")
        for at in range(0, len(raw), 2 * CHUNK):
            piece = raw[at:at + 2 * CHUNK]
            out.extend(struct.unpack(f"<{len(piece) // 2}e", piece))
        return out
    if dtype == "BF16":  # bfloat16 is float32's upper half: put its two bytes on top of two zeros
        wide = bytearray(2 * len(raw))
        wide[2::4], wide[3::4] = raw[0::2], raw[1::2]
        raw = bytes(wide)
    out = array("d" if dtype == "F64" else "f")
    out.frombytes(raw)
    if sys.byteorder == "big":  # the file is little-endian
        out.byteswap()
    return out


def tensors(path, names=None, each=None):
    """(name, shape, flat array of floats) for each tensor of names (default:
    all), in the order given, read one at a time; each(name), if given, is
    called after each (a command's progress). TensorFileError for a
    malformed file, a name it lacks, or a dtype whose values are not read."""
    entries, _, start = read_header(path)
    names = list(entries) if names is None else names
    for name in names:
        _expect(name in entries, path, f"no tensor {name!r}")
        _expect(entries[name][0] in READABLE, path,
                f"tensor {name!r} is {entries[name][0]}; weights are read from "
                f"{', '.join(READABLE)}")
    with _open(path) as f:
        for name in names:
            dtype, shape, begin, end = entries[name]
            f.seek(start + begin)
            yield name, shape, _floats(f.read(end - begin), dtype)
            if each is not None:
                each(name)


def save(path, named, metadata=None, dtype="F32"):
    """Write named = {name: (shape, flat values)} to path as a safetensors
    file of dtype (F32 or F64), in that order, atomically; metadata: {str: str}."""
    header, data, at = {}, [], 0
    for name, (shape, values) in named.items():
        values = values if isinstance(values, array) and values.typecode == WRITTEN[dtype] \
            else array(WRITTEN[dtype], values)
        if len(values) != count(shape):
            raise ValueError(f"tensor {name!r}: {len(values)} values for shape {shape}")
        if sys.byteorder == "big":
            values = array(values.typecode, values)
            values.byteswap()
        raw = values.tobytes()
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [at, at + len(raw)]}
        data.append(raw)
        at += len(raw)
    # the writer first: an output may replace a file microgpt wrote, and only such (owned.py)
    header = {"__metadata__": {"writer": "microgpt", **(metadata or {})}, **header}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-aligned, as the safetensors library writes
    write_atomically(path, [len(text).to_bytes(8, "little"), text, *data])
