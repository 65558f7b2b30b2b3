"""
shipped.py: the datasets that ship with microgpt, in the installed
package's bundled/ folder (in the repository, data/ points there): found
by a bare file name such as names.txt (find_bundled), listed
(bundled_names), and named in the message for a missing file
(no_such_file), so `names.txt` works from any folder.

Builds on no other module. Leaves out reading them and checking what they
hold: corpus.py's, which reaches these as corpus.find_bundled too.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def is_bare_name(name):
    """True for a plain file name such as names.txt: no folder in it.

    >>> [is_bare_name(n) for n in ("names.txt", "data/names.txt", "..", "")]
    [True, False, False, False]
    """
    return name not in ("", ".", "..") and not set(name) & {"/", "\\"}


def datasets_folder():
    """The installed package's bundled/ folder (a folder, since pip unpacks packages)."""
    return resources.files("microgpt") / "bundled"


def bundled_names():
    """The file names of the bundled datasets, sorted.

    >>> "names.txt" in bundled_names()
    True
    """
    return sorted(f.name for f in datasets_folder().iterdir() if f.name.endswith((".txt", ".tsv")))


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
    try:
        return Path(str(candidate)) if candidate.is_file() else None
    except (OSError, ValueError):  # not a name any file can have (too long, NUL)
        return None


def no_such_file(path):
    """The message for a missing file; a bare name also lists the bundled datasets."""
    if not is_bare_name(os.fspath(path)):
        return f"{path}: no such file"
    return f"{path}: no such file (bundled datasets: {', '.join(bundled_names())})"
