"""
inputs.py: the files a command reads (data, checkpoints), read once and
checked. `read_bytes` turns what a person can get wrong (an empty name, a
folder, a device, a missing file, a file larger than this machine could
use, a pipe that never ends) into one InputError with a message that says
so. It reads in pieces of a megabyte up to a limit (memory.py: the
machine's memory; less for a checkpoint), so an endless input stops at the
limit and a signal stops the reading at once. `rereadable` copies a pipe
that several runs must each read.

Builds on memory.py (the limits). Leaves out the files a command writes:
files.py's, which reaches these as files.read_bytes too.
"""
from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile

from . import memory

CHUNK = 1 << 20  # bytes read at a time: a signal is handled between two pieces


class InputError(Exception):
    """A file that cannot be read, with a message for a person."""

def name_problem(name):
    """What is wrong with a file name no file can have, or None.

    >>> name_problem(""), name_problem("a\\0b"), name_problem("names.txt")
    ('an empty file name', 'a file name cannot contain a NUL character', None)
    """
    if not name:
        return "an empty file name"
    if "\0" in name:
        return "a file name cannot contain a NUL character"
    return None


def read_bytes(path, what="a text file", missing=None, limit=None):
    """The bytes of the file at path, read once; InputError for anything a
    person can fix. what: what the file should be, for the messages;
    missing: the message for a missing file (default "no such file");
    limit: the most bytes it may have (default memory.largest_file())."""
    name = os.fspath(path)
    problem = name_problem(name)
    if problem:
        raise InputError(f"{name!r}: {problem}")
    limit = memory.largest_file() if limit is None else limit
    too_big = f"{name}: larger than {memory.human(limit)}, more than this machine can use as {what}"
    try:
        with open(name, "rb") as f:
            info = os.fstat(f.fileno())
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):  # /dev/zero never ends
                raise InputError(f"{name}: is a device, not {what}")
            if info.st_size > limit:  # refused by its size, before a byte is read
                raise InputError(too_big)
            pieces, total = [], 0
            while total <= limit:  # a pipe or /proc file has no size: read up to the limit
                piece = f.read(min(CHUNK, limit + 1 - total))
                if not piece:
                    return b"".join(pieces)
                pieces.append(piece)
                total += len(piece)
            raise InputError(too_big + " (a pipe that never ends?)")
    except FileNotFoundError:
        raise InputError(missing or f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not {what}") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read ({e.strerror})") from None
    except MemoryError:  # the limit is an estimate: other programs hold memory too
        raise InputError(f"{name}: too large to read into this machine's free memory") from None


def rereadable(path):
    """path itself, or for a pipe or a FIFO (bench <(cat names.txt)), which
    can be read only once, a copy of its bytes in a temporary folder removed
    at exit: each of several runs (a benchmark's children) reads it again.
    InputError for a file that cannot be read."""
    if os.path.isfile(path):
        return path
    folder = tempfile.mkdtemp(prefix="microgpt-")
    atexit.register(shutil.rmtree, folder, True)
    copy = os.path.join(folder, "data.txt")
    with open(copy, "wb") as f:
        f.write(read_bytes(path))
    return copy
