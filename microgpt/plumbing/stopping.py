"""
stopping.py: Ctrl-C between two training steps. A step can take a minute
(`--block-size 600`); stopping inside it would lose it, so the first Ctrl-C
(or SIGTERM) only asks the loop to stop after this step, and says so at
once; the second stops at once. Before that, while a command's modules
still load, `stop_at_once_while_loading` ends it at the first: nothing is
done yet.

Builds on the standard library only; the training loops run inside
`stop_requests` (sessions.session), and cli.run prints the one line a stop at
once ends with.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys


class StopRequest:
    """A signal handler that only raises a flag (.requested), so a loop can
    finish its step before it stops, and says so at once (a step can take a
    minute); the same signal again stops at once."""

    def __init__(self, prog):
        self.requested, self.prog = False, prog

    def __call__(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        with contextlib.suppress(OSError, ValueError, AttributeError):  # a closed stderr: quiet
            # os.write, not print: the handler may run inside a print to stderr
            os.write(sys.stderr.fileno(), f"\n{self.prog}: stopping after this step (Ctrl-C "
                                          f"again to stop now)\n".encode("utf-8"))


@contextlib.contextmanager
def stop_requests(prog):
    """Within the block, Ctrl-C (SIGINT) and SIGTERM set a StopRequest's flag."""
    stop = StopRequest(prog)
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def hold_signals():
    """From now on Ctrl-C and SIGTERM are ignored: a command that was stopped
    is showing what it finished, and a second signal must not cut that short."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def _end_now(signum, frame):
    os.write(2, b"\ninterrupted\n")
    os._exit(130)


def stop_at_once_while_loading():
    """Until a command's cli.run takes over, Ctrl-C or SIGTERM ends it at once
    (status 130, one line): its modules are still loading and nothing is done
    yet. Left alone where the shell ignores the signal (a job run with &)."""
    for sig, default in ((signal.SIGINT, signal.default_int_handler),
                         (signal.SIGTERM, signal.SIG_DFL)):
        if signal.getsignal(sig) is default:
            signal.signal(sig, _end_now)
