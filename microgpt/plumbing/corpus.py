"""
corpus.py: data files: read once and checked, and the datasets that ship
with microgpt.

A data file is read once, as bytes: the checksum a checkpoint records is of
those very bytes, so a pipe or a FIFO works too. A UTF-8 byte-order mark
(which some Windows editors write) is not text and is dropped. Problems a
learner can cause (a missing file, a folder, a device, an empty file, bytes
that are not UTF-8, a file name that cannot be one) raise DataError with a
message that says what is wrong and where. A bare name such as names.txt
falls back to the bundled dataset of that name, so it works from any folder.

Builds on config.py, data.py (split_docs), files.py (read_bytes),
memory.py (what fits) and shipped.py (the bundled datasets, by name). Left out on purpose: streaming, other encodings.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..config import ConfigError
from ..data import split_docs
from . import files, memory
from .shipped import bundled_names, find_bundled, no_such_file  # noqa: F401 (corpus.find_bundled)

BYTES_PER_CHARACTER = 20  # the text, decoded and split; a token id (8) in a list; BPE's words
BYTES_PER_LINE = 150      # a document's string and list


class DataError(Exception):
    """A data file that cannot be used, with a message meant for a person."""


def decode(raw, path):
    """raw as text (UTF-8, a leading byte-order mark dropped); DataError if not
    UTF-8, or if the documents made from it would not fit in this machine's
    memory (BYTES_PER_CHARACTER, BYTES_PER_LINE: its text, each document a
    string and a list of token ids, BPE's words).

    >>> decode("\\ufeffzoë\\n".encode("utf-8"), "names.txt")
    'zoë\\n'
    """
    lines = raw.count(b"\n") + 1
    try:
        memory.check_holds(BYTES_PER_CHARACTER * len(raw) + BYTES_PER_LINE * lines,
                           f"{path}: its {lines:,} lines")
    except ConfigError as e:
        raise DataError(e) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise DataError(
            f"{path}: not UTF-8 text: byte 0x{raw[e.start]:02x} at line {line}, "
            f"column {column} (byte offset {e.start})"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def docs_of(raw, path):
    """The documents in a file's bytes; DataError when there are none."""
    docs = split_docs(decode(raw, path))
    if not docs:
        raise DataError(f"{path}: no documents (the file is empty or blank)")
    return docs


def read_bytes(path):
    """The bytes of a data file (files.read_bytes); DataError for anything a person can fix."""
    try:
        return files.read_bytes(path, "a text file", missing=no_such_file(os.fspath(path)))
    except files.InputError as e:
        raise DataError(e) from None


def load_docs(path):
    """The documents of a text file, or of the bundled dataset of that name
    when there is no such file here; DataError when there are none.

    >>> load_docs("names.txt")[:3]        # the bundled names, when no names.txt is here
    ['mary', 'patricia', 'linda']
    """
    return load_docs_and_sha256(locate(path))[0]


def load_docs_and_sha256(path):
    """(documents, hex SHA-256 of the file's bytes), from one reading of the
    file at path (as given: locate() first for the bundled fallback)."""
    raw = read_bytes(path)
    return docs_of(raw, path), hashlib.sha256(raw).hexdigest()


def locate(path):
    """The file to read for path: path itself when it exists, else the bundled
    dataset of that name (so `names.txt` works from any folder), else path
    unchanged, for reading to report (as is a name no file can have: '',
    too long, with NUL in it)."""
    name = os.fspath(path)
    try:
        missing = name != "" and not Path(name).exists()
    except (OSError, ValueError):  # too long, or NUL in it
        missing = False
    bundled = find_bundled(name) if missing else None
    if bundled is not None:
        return bundled
    return Path(name) if name else name


def data_files(name, path):
    """{file: "the data"}: what a command's outputs must not be. The file
    read (path), and the name it was given (name) when that fell back to
    the bundled dataset: a picture written there would be read as the data
    next time (`--plot-lr names.txt` in a folder without names.txt)."""
    return {path: "the data", os.fspath(name): "the data"} if name else {path: "the data"}


def locate_saved(name, sha256=None):
    """The file a checkpoint's data name (the path train was given) stands
    for: locate(name), or when nothing is there (a run resumed from another
    folder), the bundled dataset of that file name. With the checkpoint's
    checksum, the first of the two whose bytes have it: a run trained on the
    bundled names.txt finds it although a different names.txt is here."""
    path = locate(name)
    missing = name != "" and not os.path.exists(path)
    if sha256 is not None and not missing:
        bundled = find_bundled(Path(name).name)
        if bundled is not None and checksum(path) != sha256 and checksum(bundled) == sha256:
            return bundled
    return (find_bundled(Path(name).name) or path) if missing else path


def line_number(path, index):
    """The line of the file at path (1 = the first) that holds its document
    docs[index], blank lines counted; None when the file cannot be read
    again (a pipe gives its bytes once).

    >>> line_number(find_bundled("names.txt"), 2)
    3
    """
    try:
        if not Path(path).is_file():
            return None
        text = decode(read_bytes(path), path).replace("\r\n", "\n").replace("\r", "\n")
    except (OSError, ValueError, DataError):
        return None
    lines = [n for n, line in enumerate(text.split("\n"), 1) if line.strip()]  # as split_docs keeps
    return lines[index] if index < len(lines) else None


def checksum(path):
    """The hex SHA-256 of the file at path, None if it cannot be read."""
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except DataError:
        return None


def not_the_data(path, sha256, checkpoint_path, data_name):
    """The message for a data file whose checksum is not the run's, saying
    which copy the run trained on when it is the bundled one, and how to
    choose it."""
    said = f"{path} is not the data file {checkpoint_path} was trained on"
    bundled = find_bundled(Path(data_name).name)
    if bundled is not None and not same_path(bundled, path) and checksum(bundled) == sha256:
        return (f"{said}: it trained on the bundled {Path(data_name).name} ({bundled}); give "
                f"that path, or no data file, to resume on it")
    return f"{said} ({data_name}, sha256 {sha256[:12]}...)"


def same_path(a, b):
    return os.path.realpath(a) == os.path.realpath(b)
