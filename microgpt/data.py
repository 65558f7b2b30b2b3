"""
data.py: documents from a text file, one per line.

A document is one training example: for the names datasets, one name. The
model never sees the file, only the list this module returns; tokenizer.py
turns each document into ids.

Reading follows the reference exactly (strip the text, split on newlines,
strip each line, drop empty ones), because the order of the documents decides
which name each training step sees. Problems a learner can cause (a missing
file, a folder, an empty file, bytes that are not UTF-8) raise DataError with a
message that says what is wrong and where.

Left out on purpose: streaming, other encodings, shuffling (train.py shuffles
with the run's random generator, so the order belongs to the seed).
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


class DataError(Exception):
    """A data file that cannot be used, with a message meant for a person."""


def split_docs(text):
    """The documents in a text: non-empty stripped lines, in file order.

    >>> split_docs("  emma\\n\\nolivia \\n ava\\n\\n")
    ['emma', 'olivia', 'ava']
    """
    return [line.strip() for line in text.strip().split("\n") if line.strip()]


def read_text(path):
    """The whole file at path as text; DataError for anything a person can fix."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(no_such_file(path)) from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a text file") from None
    except PermissionError:
        raise DataError(f"{path}: permission denied") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise DataError(
            f"{path}: not UTF-8 text: byte 0x{raw[e.start]:02x} at line {line}, "
            f"column {column} (byte offset {e.start})"
        ) from None


def load_docs(path):
    """The documents of a text file; DataError when there are none."""
    docs = split_docs(read_text(path))
    if not docs:
        raise DataError(f"{path}: no documents (the file is empty or blank)")
    return docs


def locate(path):
    """The file to read for path: path itself when it exists, else the bundled
    dataset of that name (so `names.txt` works from any folder), else path
    unchanged, for reading to report."""
    if not Path(path).exists():
        bundled = find_bundled(str(path))
        if bundled is not None:
            return bundled
    return Path(path)


# -------------------------------------------------------------------------
# the datasets that ship with microgpt

def is_bare_name(name):
    """True for a plain file name such as names.txt: no folder in it.

    >>> [is_bare_name(n) for n in ("names.txt", "data/names.txt", "..", "")]
    [True, False, False, False]
    """
    return name not in ("", ".", "..") and not set(name) & {"/", "\\"}


def datasets_folder():
    """The installed package's datasets/ folder (a folder, since pip unpacks packages)."""
    return resources.files("microgpt") / "datasets"


def bundled_names():
    """The file names of the bundled datasets, sorted.

    >>> "names.txt" in bundled_names()
    True
    """
    return sorted(f.name for f in datasets_folder().iterdir() if f.name.endswith(".txt"))


def find_bundled(name):
    """The bundled dataset with this bare file name, as a Path, or None.

    >>> find_bundled("names.txt").name
    'names.txt'
    >>> find_bundled("data/names.txt") is None  # a path is the user's file, never ours
    True
    """
    name = os.fspath(name)
    if not is_bare_name(name):
        return None
    candidate = datasets_folder() / name
    return Path(str(candidate)) if candidate.is_file() else None


def no_such_file(path):
    """The message for a missing file; a bare name also lists the bundled datasets."""
    if not is_bare_name(os.fspath(path)):
        return f"{path}: no such file"
    return f"{path}: no such file (bundled datasets: {', '.join(bundled_names())})"
