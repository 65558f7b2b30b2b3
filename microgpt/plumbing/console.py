"""
console.py: stdout and stderr that never crash a command.

A learner pipes a run into `head`, sends it to a full disk, or runs it in a
terminal that cannot show "ł". Python would answer each with a traceback.
`Stream` wraps sys.stdout and sys.stderr instead (cli.run installs it):
characters the encoding lacks are escaped, and a stream that can no longer
be written ends the command quietly (stdout), or is simply dropped
(stderr). Control and format characters (ESC, BEL, NUL, a tab, U+0085,
U+2028, the bidi override U+202E, ...) from the data or a file name, in a
sample or a message, are escaped as Python writes them in a string (\\x1b,
\\t, \\u202e): the terminal shows them, never obeys them. A newline is the
one control a command prints itself; where a name or a text is shown inside
one line (an error, a class name), `one_line` escapes its newlines too.

Builds on nothing; cli.py uses it.
"""
from __future__ import annotations

import contextlib
import os
import unicodedata


class Escapes(dict):
    """str.translate's table: every control character but those kept (the
    newline; what a command prints keeps the tab too, a sample's TAB between
    prompt and response), every format character (Unicode's Cf: the bidi controls such
    as U+202E, which would reverse the rest of a line; zero-width ones) and
    the line and paragraph separators, as repr() writes them in a string;
    any other character as it is. Filled as characters are met: a table of
    every code point would take a while to build."""

    def __init__(self, kept):
        super().__init__()
        self.kept = kept

    def __missing__(self, code):
        ch = chr(code)
        hidden = ch not in self.kept and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        self[code] = shown = repr(ch)[1:-1] if hidden else code
        return shown


CONTROL = Escapes("\n")     # a message: one_line escapes the newline as well
PRINTED = Escapes("\n\t")  # what a command prints: lines, and tabs as they are


def escape_controls(text):
    """text with its control and format characters escaped.

    >>> escape_controls("a\\x1b[31mb\\x07\\u2028c\\td\\u202ee\\n")
    'a\\\\x1b[31mb\\\\x07\\\\u2028c\\\\td\\\\u202ee\\n'
    """
    return text.translate(CONTROL)


def one_line(text):
    """text as one line: escape_controls, and a newline escaped too (a file
    name or a class name with a newline in it, in a one-line message).

    >>> print(one_line("a\\nb\\tc"))
    a\\nb\\tc
    """
    return escape_controls(text).replace("\n", "\\n")


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
        return self._do(self.stream.write, text.translate(PRINTED))

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
