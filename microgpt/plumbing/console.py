"""
console.py: stdout and stderr that never crash a command.

A learner pipes a run into `head`, sends it to a full disk, or runs it in a
terminal that cannot show "ł". Python would answer each with a traceback.
`Stream` wraps sys.stdout and sys.stderr instead (cli.run installs it):
characters the encoding lacks are escaped, and a stream that can no longer
be written ends the command quietly (stdout), or is simply dropped
(stderr). Control characters (ESC, BEL, NUL, U+0085, U+2028, ...) from the
data or a file name, in a sample or a message, are escaped as Python writes
them in a string (\\x1b): the terminal shows them, never obeys them.

Builds on nothing; cli.py uses it.
"""
from __future__ import annotations

import contextlib
import os


# every control character but the newline and the tab, as repr() escapes it
CONTROL = {c: repr(chr(c))[1:-1] for c in [*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029]
           if chr(c) not in "\n\t"}


def escape_controls(text):
    """text with its control characters escaped.

    >>> escape_controls("a\\x1b[31mb\\x07\\u2028c\\n")
    'a\\\\x1b[31mb\\\\x07\\\\u2028c\\n'
    """
    return text.translate(CONTROL)


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
        return self._do(self.stream.write, escape_controls(text))

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
