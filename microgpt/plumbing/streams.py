"""
streams.py: stdout and stderr that never crash a command.

A learner pipes a run into `head`, sends it to a full disk, or runs it in a
terminal that cannot show "ł". Python would answer each with a traceback.
`Stream` wraps sys.stdout and sys.stderr instead (cli.run installs it):
characters the encoding lacks are escaped, and a stream that can no longer
be written ends the command quietly (stdout), or is simply dropped
(stderr).

Builds on nothing; cli.py uses it.
"""
from __future__ import annotations

import contextlib
import os


class OutputClosed(Exception):
    """stdout cannot be written any more: its reader has gone (`| head`) or its disk is full."""


class Stream:
    """sys.stdout or sys.stderr as a command uses it.

    Characters the stream's encoding lacks are escaped (\\u0142), not fatal.
    The first write that fails (OSError) points the file descriptor at
    os.devnull, so nothing later fails again, not even the flush at exit;
    then stdout raises OutputClosed, so the command can stop (and save), and
    stderr drops the message: one nobody can read is not worth failing over.
    """

    def __init__(self, stream, raises):
        with contextlib.suppress(AttributeError, ValueError):  # a stream without reconfigure()
            stream.reconfigure(errors="backslashreplace")
        self.stream, self.raises = stream, raises

    def write(self, text):
        return self._do(self.stream.write, text)

    def flush(self):
        return self._do(self.stream.flush)

    def _do(self, method, *args):
        try:
            return method(*args)
        except OSError as e:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.stream.fileno())
                os.close(devnull)
            if self.raises:
                raise OutputClosed(e) from None

    def __getattr__(self, name):  # encoding, isatty, fileno, ...
        return getattr(self.stream, name)
