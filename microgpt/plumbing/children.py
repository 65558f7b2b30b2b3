"""
children.py: runs in child processes, measured by the kernel: their CPU
time and peak memory (os.wait4), so each figure is that run's alone.

`time_steps` times training steps in a child that calls the library
(training.train_step) and writes its figure to a file this process reads:
no command's output is parsed. bench.py times with it.

Builds on catalog.py, config.py, training.py, cli.py, corpus.py, memory.py
and progress.py.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..architectures import catalog
from ..config import Config
from ..training import train_step
from . import cli
from .corpus import load_docs
from .memory import cycle_collector_off
from .progress import Progress

ROOT = Path(__file__).resolve().parent.parent.parent
CHILD = "import sys; from microgpt.plumbing.children import child_main; child_main(sys.argv[1:])"


def run_child(prog, argv):
    """Run a command quietly; return (wall s, CPU s, peak RSS MB).

    Its output is thrown away, but for its progress lines ("prog: ... left",
    passed on as they come: a long run is not silent); if it fails, its last
    line on stderr is shown in this command's error message (relayed, never
    read for figures)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    lines = []

    def relay(stream):  # the child's stderr: progress passed on, the rest kept for a failure
        for line in stream:
            (sys.stderr.write if line.startswith(f"{prog}: ") and line.rstrip().endswith(" left")
             else lines.append)(line)
    start_time = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            text=True, encoding="utf-8", errors="replace")
    reader = threading.Thread(target=relay, args=(proc.stderr,), daemon=True)
    reader.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:  # Ctrl-C (or SIGTERM) reached this process alone: end the child too
        proc.kill()
        proc.wait()
        raise
    wall = time.perf_counter() - start_time
    reader.join()
    proc.stderr.close()  # read to its end: closed here, not left to the garbage collector
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4: Popen must not wait for it again
    if code in (cli.INTERRUPTED, -signal.SIGINT, -signal.SIGTERM):
        raise KeyboardInterrupt  # Ctrl-C in a terminal reaches the child as well
    if code != 0:
        last = "".join(lines).strip().splitlines()
        cli.fail(prog, f"a benchmark run failed: {last[-1] if last else 'no message'}")
    peak_mb = usage.ru_maxrss / 1024  # ru_maxrss is in KB on Linux
    return wall, usage.ru_utime + usage.ru_stime, peak_mb


def time_steps(prog, path, fields, steps, label="timing"):
    """CPU ms per training step over the first `steps` steps of a run with
    these Config fields, as train does it (the cycle collector off); returns
    (ms/step, peak RSS MB), measured in a child process, which shows its
    progress under label."""
    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, "report.json")
        _, _, peak = run_child(prog, [sys.executable, "-c", CHILD, report, str(path),
                                json.dumps(fields), str(steps), prog, label])
        with open(report, encoding="utf-8") as f:
            return json.load(f)["ms_per_step"], peak


def child_main(argv):
    """The child of time_steps: argv is [report file, data file, Config fields
    as JSON, steps, prog, label]; writes {"ms_per_step": ...} to the report
    file, and progress lines to stderr."""
    report, path, fields, steps, prog, label = argv
    examples, state = catalog.start(load_docs(path), Config(**dict(json.loads(fields), steps=int(steps))))
    progress = Progress(prog, int(steps), last=False)
    with cycle_collector_off():
        t0 = time.process_time()
        while state.step < int(steps):
            train_step(state, examples)
            progress.step(label, state.step, int(steps))
        ms = 1000 * (time.process_time() - t0) / int(steps)
    with open(report, "w", encoding="utf-8") as f:
        json.dump({"ms_per_step": ms}, f)


def interpreter(exe):
    """Which Python exe is, say "CPython 3.11.7"; None if it does not run."""
    try:
        return subprocess.run([exe, "-c", "import platform; print(platform.python_implementation(), "
                               "platform.python_version())"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
