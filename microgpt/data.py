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
import sys
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
        raise DataError(f"{path}: no such file") from None
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


# -------------------------------------------------------------------------
# the datasets that ship with microgpt

def bundled_data_dirs():
    """Where the bundled datasets live: the repository's data/ folder, or the
    copy `pip install` puts under <prefix>/share/microgpt/data."""
    here = Path(__file__).resolve().parent
    return [here.parent / "data", Path(sys.prefix) / "share" / "microgpt" / "data"]


def find_bundled(name):
    """The bundled dataset with this file name, or None."""
    if os.path.basename(name) != name:
        return None  # only a bare file name like names.txt can mean a bundled set
    for folder in bundled_data_dirs():
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None
