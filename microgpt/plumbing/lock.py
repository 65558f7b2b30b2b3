"""
lock.py: which run may write a file: the lock a training run holds on its
checkpoint, and the names of the temporary files a save writes.

Two runs given the same --out would each save over the other, and the last
writer would silently win. So a run takes `Lock(path)` at its start: a file
path + ".lock" beside the checkpoint, created in one step (O_EXCL: of two
runs, exactly one creates it) and holding the run's process id, removed when
the run ends. A second run finds it and is refused in one line; a lock whose
process is no longer alive (a run killed with SIGKILL) is taken over.

A save writes a temporary file first (files.write_atomically). Its name
holds the process id (`temporary_prefix`), so a later save removes only the
temporaries of saves that were killed part-way (`is_left_by_killed_save`):
never another live run's, never a user's file that looks like one.

Builds on the standard library only; files.py and runs.py use it. Left out
on purpose: locks over a network file system, and Windows, where whether a
process is alive is not asked (a lock is then taken over only once removed).
"""
from __future__ import annotations

import atexit
import contextlib
import os
import re


class LockError(Exception):
    """Another run writes this file now, with a message for a person."""


def temporary_prefix(name):
    """The start of the name of a temporary file this process writes for the
    target name: hidden, short enough to stay a legal name, and with this
    process's id, so a later save can tell a temporary a killed save left
    from one another run is writing now.

    >>> temporary_prefix("model.json") == f".model.json.{os.getpid()}."
    True
    """
    return f".{name[:60]}.{os.getpid()}."


def process_alive(pid):
    """True if a process with this id runs now, or if that cannot be told
    (Windows): a file of a process that may be alive is never touched."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)  # signal 0: no signal sent, only the check
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's process; not a pid at all
        return pid > 0
    return True


def is_left_by_killed_save(entry, name):
    """True if entry is a temporary file that a killed save of name left: a
    save's pattern (see temporary_prefix, then tempfile's 8 random characters,
    '.tmp') from a process that is no longer alive. A file of the user's that
    happens to look like one (model.json.20251201.tmp) never matches.

    >>> [is_left_by_killed_save(e, "m.json") for e in (".m.json.999999999.k2x_9abq.tmp",
    ...     f".m.json.{os.getpid()}.k2x_9abq.tmp", "m.json.k2x_9abq.tmp", "m.json.20251201.tmp")]
    [True, False, False, False]
    """
    match = re.fullmatch(re.escape(f".{name[:60]}.") + r"(\d{1,12})\.[a-z0-9_]{8}\.tmp", entry)
    return match is not None and not process_alive(int(match.group(1)))


def lock_path(path):
    """The lock file of an output path: beside its target (a symlink's), + '.lock'."""
    return os.path.realpath(path) + ".lock"


def holder(lock):
    """The process id written in a lock file, or None (unreadable, half-written)."""
    with contextlib.suppress(OSError, ValueError):
        with open(lock, encoding="utf-8") as f:
            return int(f.read().strip())
    return None


class Lock:
    """This process's lock on path, taken now; LockError if a live run holds it."""

    def __init__(self, path):
        self.path = lock_path(path)
        for _ in range(3):  # a stale lock is removed, then created afresh
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except OSError as e:
                if not isinstance(e, FileExistsError):  # a folder that takes no new file
                    raise LockError(f"cannot create {self.path} ({e.strerror})") from None
                pid = holder(self.path)
                if pid == os.getpid():  # this process holds it already (main() run twice)
                    return
                if pid is None or process_alive(pid):
                    who = f"another run (process {pid})" if pid else "another run"
                    raise LockError(f"{who} is writing it now ({self.path} says so); wait for "
                                    f"it to end or give another file name (no run going? "
                                    f"remove {self.path})") from None
                with contextlib.suppress(FileNotFoundError):  # its run is gone: take it over
                    os.unlink(self.path)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(f"{os.getpid()}\n")
            atexit.register(self.release)  # at any exit but SIGKILL, whose lock is then stale
            return
        raise LockError(f"cannot take {self.path}: other runs are taking it too")

    def release(self):
        """Remove the lock file, if it is still this process's."""
        if holder(self.path) == os.getpid():
            with contextlib.suppress(OSError):
                os.unlink(self.path)
