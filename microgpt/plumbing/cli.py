"""
cli.py: what the command-line modules share: argument parsing whose errors
are one line (status 2, no usage dump, no traceback) and where every flag
is used or refused (an option given twice, one that does not apply:
refuse_given), flag types that explain what they expected (argtypes.py), output paths
checked before any work (a file is replaced only if microgpt wrote it), ending
cleanly (on Ctrl-C or SIGTERM, between steps where it matters: stopping.py;
on a closed or full output stream; on characters the terminal cannot show). The flags
that set a run's Config are flags.py's; how a message is worded (spelled,
plural), wording.py's.

Every command ends with one of these exit statuses (EXIT_STATUSES, for
--help): 0 done; 1 an output could not be written after the work began (a
full disk, a closed pipe), or gradcheck found a wrong gradient; 2 a mistake
in the command or its files, refused before any work; 3 training diverged;
130 interrupted (Ctrl-C or SIGTERM).

train.py and the other `python -m microgpt NAME` commands use it; the library
itself never prints or exits. Builds on config.py (a ConfigError said in
flags), files.py, lock.py, checkpoint.py, console.py, options.py (an
option given twice refused, the flags given known), argtypes.py and
wording.py (both reached from here too: cli.whole_number, cli.plural).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys

from ..config import ConfigError
from . import checkpoint, files
from .lock import Lock, LockError
from .console import OutputClosed, Stream, one_line
from .options import given_distinct, given_once
from .argtypes import fraction, names, number, whole_number, whole_numbers  # noqa: F401 (cli.number)
from .wording import a_model, plural, shown_sample, spelled  # noqa: F401 (cli.plural)

FAILED, MISTAKE, DIVERGED, INTERRUPTED = 1, 2, 3, 130
EXIT_STATUSES = ("exit status: 0 done; 1 an output could not be written after the work began "
                 "(a full disk, a closed pipe), or gradcheck found a wrong gradient; 2 a mistake in the command or its files, refused "
                 "before any work; 3 training diverged (try a smaller --lr); 130 interrupted "
                 "(Ctrl-C or SIGTERM; with --out the checkpoint is saved first)")
UNWRITTEN = []  # files a command could not write (see save, write): run() then exits 1


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a mistake prints one line: 'prog: error: ...', and
    --help ends with the exit statuses (every command's).

    A flag is used or refused, never silently dropped: an option given twice
    is refused (argparse would keep the last), and so is a repeatable one
    given the same value twice. After parsing, args.given maps the dest of
    every option the command line gave to the option as typed ({"steps":
    "--steps"}), so a command can tell a flag given from one left at its
    default (flags.run_config) and refuse one that does not apply
    (refuse_given)."""

    def __init__(self, *args, **kw):
        kw.setdefault("epilog", EXIT_STATUSES)
        super().__init__(*args, **kw)
        for name in (None, "store", "store_const", "store_true", "store_false"):
            self.register("action", name, given_once(self._registry_get("action", name)))
        self.register("action", "append", given_distinct(self._registry_get("action", "append")))

    def parse_known_args(self, args=None, namespace=None):
        self.given, self.appended = {}, {}  # dest -> option as typed; dest -> values given
        args, extras = super().parse_known_args(args, namespace)
        args.given = self.given
        return args, extras

    def error(self, message):
        if isinstance(message, ConfigError):  # the library's words, in flags
            message = spelled(str(message))
        self.exit(MISTAKE, f"{self.prog}: error: {one_line(str(message))}\n")

    def refuse_given(self, args, dests, why):
        """Refuse, in one line, the first option among dests (their dests)
        that the command line gave: "OPTION why"."""
        for dest in dests:
            if dest in args.given:
                self.error(f"{args.given[dest]} {why}")


def interrupt(signum, frame):
    """A signal handler: SIGTERM stops a command just as Ctrl-C does."""
    raise KeyboardInterrupt


def run(main):
    """Run a command's main(), ending as every command ends.

    SIGTERM is Ctrl-C; Ctrl-C anywhere prints one line and exits 130. A
    closed or full stdout ends the command quietly with status 1 (main may
    catch OutputClosed first, to save its work), as does a file that save()
    or write() could not write, once main has shown what it still could.
    """
    sys.stdout, sys.stderr = Stream(sys.stdout, raises=True), Stream(sys.stderr, raises=False)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # stopping.py's, while loading
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
        signal.signal(signal.SIGTERM, interrupt)
    try:
        try:
            main()
        finally:
            sys.stdout.flush()  # now, so a full disk shows here and not at exit
    except OutputClosed:
        sys.exit(FAILED)
    except KeyboardInterrupt:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second one must not break this line
            signal.signal(sig, signal.SIG_IGN)
        print("\ninterrupted", file=sys.stderr)
        sys.exit(INTERRUPTED)
    sys.exit(FAILED if UNWRITTEN else 0)


def fail(prog, message, status=MISTAKE):
    """Print 'prog: error: message' on stderr and exit; a library's
    ConfigError is said in command-line spelling (spelled)."""
    if isinstance(message, ConfigError):
        message = spelled(str(message))
    say(f"{prog}: error: {message}")
    sys.exit(status)


def say(line):
    """One line on stderr: a file name or a name in it with a newline stays on it."""
    print(one_line(line), file=sys.stderr)


OUTPUT_KINDS = {"--out": "checkpoint", "--resume": "checkpoint", "--html": "page",
                "--svg": "picture", "--plot": "picture", "--plot-lr": "picture",
                "--write": "documents"}  # what each output flag writes (files.KINDS)


def check_output(prog, flag, path, taken=None, kind=None):
    """Fail (one line, status 2) unless a file can be written at path now;
    nothing to do when path is None. taken: {path: what it is} of the
    command's other files, which path must not be; kind: what the flag
    writes (files.KINDS; default OUTPUT_KINDS[flag], else any kind): a file
    already there is replaced only if microgpt wrote it, of that kind
    (files.check_output)."""
    if path is None:
        return
    try:
        files.check_output(path, taken, kind or OUTPUT_KINDS.get(flag))
    except files.OutputError as e:
        fail(prog, f"{flag} {path!r}: {e}" if not path or "\0" in path else f"{flag} {path}: {e}")


def lock_output(prog, flag, path):
    """Fail (one line, status 2) if another live run writes path now; else
    hold its lock until this process ends (lock.py). Nothing when path is None."""
    if path is None:
        return None
    try:
        return Lock(path)
    except LockError as e:
        fail(prog, f"{flag} {path}: {e}")


def save(prog, state, path, why=None):
    """Save a checkpoint and say so on stderr in one line (unless why is
    None); True if it was written. A failed save (a full disk; a diverged
    state) leaves the file at path as it was and says that, so the command
    can go on to show what it still can."""
    try:
        checkpoint.save(state, path)
    except OSError as e:
        kept = "it holds what it held before" if os.path.exists(path) else "no file written"
        say(f"{prog}: error: step {state.step} not saved to {path} ({e.strerror or e}); {kept}")
        UNWRITTEN.append(path)
        return False
    except checkpoint.CheckpointError as e:
        say(f"{prog}: error: {e}")
        UNWRITTEN.append(path)
        return False
    if why is not None:
        say(f"{prog}: {why}: saved step {state.step} to {path}")
    return True


def write(prog, path, text, what):
    """Write text to path atomically and say so on stderr in one line; True
    if it was written. A failure is one line too, and the file as it was."""
    try:
        files.write_atomically(path, text)
    except OSError as e:
        say(f"{prog}: error: {what} not written to {path} ({e.strerror or e})")
        UNWRITTEN.append(path)
        return False
    say(f"{prog}: wrote {what} to {path}")
    return True
