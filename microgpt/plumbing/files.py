"""
files.py: the files a command reads and writes, checked before any work,
written so that nothing is lost.

Every file microgpt reads (data, checkpoints) comes through `read_bytes`
(inputs.py, reached from here too: files.read_bytes), which turns what a
person can get wrong into one InputError with a message that says so.

A command that trains for minutes must not find out at the end that it
cannot write its result, nor overwrite what it was given. `check_output`
looks at an output path before any work starts: its folder exists and takes
a new file, and the path is not a folder, a device, a pipe, the command's
own stdout, one of its inputs or another of its outputs; a file already
there is replaced only if microgpt wrote it (owned.py). `write_atomically` then writes: a
temporary file beside the target, flushed to disk, renamed over it in one
step, so the path holds the old contents or the new, never half a file,
even when the disk fills up or the process is killed. A symlink is
followed: its target is replaced and the link kept.

Builds on inputs.py (read_bytes, name_problem), lock.py (the temporaries' names, so a
save removes only what a killed save left) and owned.py (which files an
output may replace); checkpoint.py saves through it, and the
commands check their --out, --plot and --svg paths with it. Left out on
purpose: locking (lock.py keeps a second run off a run's checkpoint).
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile

from .inputs import InputError, name_problem, read_bytes, rereadable  # noqa: F401 (files.read_bytes)
from .lock import is_left_by_killed_save, temporary_prefix
from .owned import HEAD, is_own_stream, kind_of, replace_problem


class OutputError(OSError):
    """An output path that cannot be written, with a message for a person
    (an OSError, as a failed write is)."""


def same_file(a, b):
    """True if paths a and b name the same file (through links, '..', etc.)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one does not exist (yet): compare where they point
        return os.path.realpath(a) == os.path.realpath(b)


def check_output(path, taken=None, kind=None):
    """Raise OutputError unless a file of this kind (a key of KINDS; None:
    any microgpt writes) can be written at path now.

    taken: {path: what it is} of files the command reads or writes besides
    (the data, another output), which path must not be. A file already at
    path may be replaced only if it is a regular file microgpt wrote, of
    this kind, that the user may write (replace_problem); never a device,
    a pipe or this command's own stdout. Creates and removes one temporary
    file beside the target: the surest test that the folder takes a new
    file (permissions, a read-only disk).
    """
    name = os.fspath(path)
    if name_problem(name):
        raise OutputError(name_problem(name))
    target = os.path.realpath(name)  # a symlink's target: that is the file replaced
    folder = os.path.dirname(target)
    try:
        info = os.stat(name)  # through the links: /dev/stdout is the terminal, or a pipe
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise OutputError(f"{folder} is not a folder") from None
    except OSError as e:
        raise OutputError(e.strerror) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError("is a directory; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputError("is not a regular file (a device, a pipe, this command's own "
                          "output?); give a file name")
    if info is not None and is_own_stream(info):
        raise OutputError("is where this command's own output goes (its stdout or stderr); "
                          "give another file name")
    if not os.path.isdir(folder):
        raise OutputError(f"no such folder: {folder}")
    for other, what in (taken or {}).items():
        if other is not None and same_file(name, other):
            raise OutputError(f"is {what} ({other}); give another file name")
    if info is not None and replace_problem(name, kind):
        raise OutputError(replace_problem(name, kind))
    try:
        fd, probe = tempfile.mkstemp(prefix=temporary_prefix(os.path.basename(target)),
                                     suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"cannot write in {folder} ({e.strerror})") from None
    os.close(fd)
    os.unlink(probe)


def new_file_mode(target):
    """The permissions the file at target should get: its own if it exists,
    else what a plain open() would give (0o666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path, text):
    """Write text (UTF-8), or a list of bytes (pieces written in turn), to
    path: a temporary file, flushed to disk, renamed over the target. On any failure (OSError: a full disk, say) the target is as it
    was and the temporary file gone. A file at path is replaced only if
    check_output would let a file of text's kind replace it (OutputError, an
    OSError, if not: a file that appeared while a run trained, or a save
    from a REPL over the data). Temporaries that earlier saves left when
    they were killed part-way are removed afterwards; no other file is, not
    even another live run's temporary."""
    target = os.path.realpath(path)
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(name), suffix=".tmp", dir=folder)
    try:
        binary = not isinstance(text, str)  # a safetensors file's pieces (tensorfile.py)
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8") as f:
            if binary:
                f.writelines(text)
            else:
                f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, new_file_mode(target))
        if os.path.exists(target):
            head = text[:HEAD].encode("utf-8") if not binary else b"".join(text[:2])[:HEAD]
            problem = replace_problem(target, kind_of(head))
            if problem:
                raise OutputError(f"{path} {problem}")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    for entry in os.listdir(folder):
        if is_left_by_killed_save(entry, name):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, entry))
