"""
cli.py: what the command-line modules share: argument parsing whose errors
are one line (status 2, no usage dump, no traceback), flag types that
explain what they expected, and stopping cleanly between steps on Ctrl-C.

train.py and the other `python -m microgpt.X` commands use it; the library
itself never prints or exits.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import signal
import sys


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a mistake prints one line: 'prog: error: ...'."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def run(main):
    """Run a command's main(); a closed pipe (as in `... | head`) just ends it,
    and Ctrl-C anywhere ends it with one line and status 130."""
    try:
        main()
    except BrokenPipeError:
        sys.stderr.close()  # nothing more can be written; exit quietly
        sys.exit(1)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)


def fail(prog, message, status=2):
    """Print 'prog: error: message' on stderr and exit."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(status)


def whole_number(minimum):
    """A flag type: an int >= minimum."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    return parse


def number(minimum, inclusive=True):
    """A flag type: a finite float >= minimum (or > minimum)."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if value < minimum or (value == minimum and not inclusive):
            bound = "at least" if inclusive else "above"
            raise argparse.ArgumentTypeError(f"must be {bound} {minimum:g}, got {text}")
        return value
    return parse


class StopRequest:
    """A signal handler that only raises a flag (.requested), so a loop can
    finish its step before it stops; the same signal again stops at once."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


@contextlib.contextmanager
def stop_requests():
    """Within the block, Ctrl-C (SIGINT) and SIGTERM set a StopRequest's flag."""
    stop = StopRequest()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
