"""
bench.py: the command `python -m microgpt.bench`: how fast, how big.

It prints, for the default model and for a deeper one (4 layers, 64 wide,
block 32): milliseconds per training step and the peak memory of the process;
then graph nodes and edges per step, and where a step's time goes: the
forward pass that builds (and records) the graph, the chain-rule loop, Adam,
freeing the graph; and beside them what a topological sort of the same graph
costs, the work that recording the graph saves; and, under CPython, a step
with the cycle collector on and off. With --full it also times
the complete default run (all steps and samples) in CPU seconds; with
--reference, the same run of examples/naive_gpt.py (the one-node-per-op
engine written like the reference file) in the same sitting, and the ratio
of the two.

Every timed run happens in a child process, so each peak-memory figure is
that run's alone (os.wait4 reports the child's own CPU time and peak RSS);
the step profile runs last, in this process. Timings move by 10% or more
between runs on a shared machine; rerun to see the spread.

Builds on value.py, config.py, params.py, model.py, optim.py, training.py,
and the plumbing's cli.py and datasets.py.
"""
from __future__ import annotations

import contextlib
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

from .plumbing import cli
from .config import Config
from .plumbing.datasets import DataError, load_docs, locate
from .model import document_loss
from .params import flatten
from .optim import adam_step
from .training import cycle_collector_off, start, train_step
from .value import recording, topological_order

PROG = "python -m microgpt.bench"
NAIVE = Path(__file__).resolve().parent.parent / "examples" / "naive_gpt.py"
MODELS = {  # name -> train flags
    "default 1x16": [],
    "deep 4x64": ["--n-layer", "4", "--n-embd", "64", "--block-size", "32"],
}


def run_child(argv):
    """Run a command quietly; return (wall s, CPU s, peak RSS MB, stderr)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    start_time = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            text=True)
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:  # Ctrl-C (or SIGTERM) reached this process alone: end the child too
        proc.kill()
        proc.wait()
        raise
    wall = time.perf_counter() - start_time
    err = proc.stderr.read()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) in (cli.INTERRUPTED, -signal.SIGINT, -signal.SIGTERM):
        raise KeyboardInterrupt  # Ctrl-C in a terminal reaches the child as well
    if os.waitstatus_to_exitcode(status) != 0:  # say why, in the child's own last line
        last = err.strip().splitlines()[-1] if err.strip() else "no message"
        cli.fail(PROG, f"a benchmark run failed: {last}")
    peak_mb = usage.ru_maxrss / 1024  # ru_maxrss is in KB on Linux
    return wall, usage.ru_utime + usage.ru_stime, peak_mb, err


def interpreter(exe):
    """Which Python exe is, say "CPython 3.11.7"; None if it does not run."""
    try:
        return subprocess.run([exe, "-c", "import platform; print(platform.python_implementation(), "
                               "platform.python_version())"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def step_profile(path, flags, docs_n=10):
    """Where a training step goes, as means over the first docs_n documents.

    Returns (nodes, edges, ms): graph nodes and edges per step, and CPU ms per
    step for the forward pass (recording the graph, as train_step does), the
    chain-rule loop along that record, Adam, and freeing the graph; plus
    "sort": what topological_order of the same graph takes, which is what
    loss.backward() without a tape would add.
    """
    args = dict(zip([f[2:].replace("-", "_") for f in flags[::2]], map(int, flags[1::2])))
    examples, state = start(load_docs(path), Config(**args))
    flat, config = flatten(state.params), state.config
    nodes = edges = 0
    ms = dict.fromkeys(("forward", "chain rule", "adam", "free", "sort"), 0.0)
    with cycle_collector_off():  # as in training
        for step, ids in enumerate(examples[:docs_n]):
            t0 = time.process_time()
            with recording() as tape:
                loss = document_loss(ids, state.params, config)
            t1 = time.process_time()
            loss.backward(tape)
            t2 = time.process_time()
            adam_step(flat, state.m, state.v, step, config)
            t3 = time.process_time()
            order = topological_order(loss)  # for the (sort) column only
            t4 = time.process_time()
            nodes += len(tape)
            edges += sum(len(n._children) for n in tape)
            t5 = time.process_time()
            del loss, tape, order  # the last references to this step's graph
            t6 = time.process_time()
            for key, seconds in zip(ms, (t1 - t0, t2 - t1, t3 - t2, t6 - t5, t4 - t3)):
                ms[key] += seconds * 1000
    return nodes / docs_n, edges / docs_n, {key: total / docs_n for key, total in ms.items()}


def collector_cost(path, steps=50):
    """CPU ms per training step of the default model over its first `steps`
    steps, with CPython's cycle collector on, then off as training has it."""
    ms = []
    for off in (False, True):
        examples, state = start(load_docs(path), Config())
        with cycle_collector_off() if off else contextlib.nullcontext():
            t0 = time.process_time()
            while state.step < steps:
                train_step(state, examples)
            ms.append(1000 * (time.process_time() - t0) / steps)
    return ms


def main(argv=None):
    p = cli.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[1])
    p.add_argument("path", nargs="?", default="names.txt", help="data file (default names.txt)")
    p.add_argument("--steps", type=cli.whole_number(1), default=100,
                   help="steps per model for ms/step (default 100)")
    p.add_argument("--full", action="store_true", help="also time the complete default run")
    p.add_argument("--reference", action="store_true",
                   help="also time examples/naive_gpt.py on the complete default run (minutes)")
    p.add_argument("--reference-python", metavar="EXE", default=sys.executable,
                   help="interpreter for --reference (default: this one), e.g. python3 when "
                        "benchmarking under pypy3")
    args = p.parse_args(argv)
    prog = p.prog
    path = str(locate(args.path))
    try:
        load_docs(path)  # what is wrong with the data, said now and not after minutes
    except DataError as e:
        cli.fail(prog, e)
    if args.reference:  # say what is wrong now, not after minutes of benchmarking
        if not NAIVE.is_file():
            cli.fail(prog, f"--reference needs {NAIVE} (run from a clone of the repository)")
        ref_python = interpreter(args.reference_python)
        if ref_python is None:
            cli.fail(prog, f"--reference-python {args.reference_python}: cannot run it as Python")

    # Every timed run first, in child processes: a child's peak memory counts the
    # parent's pages from before it starts, so this process must stay small until
    # the end, when it trains a few steps itself to profile them.
    py = sys.executable
    print(f"microgpt benchmark: {platform.python_implementation()} {platform.python_version()}, {path}")
    print(f"{'model':<14} {'steps':>5} {'ms/step':>8} {'peak MB':>8}")
    for name, flags in MODELS.items():
        _, _, peak, err = run_child([py, "-m", "microgpt.train", path, "--steps", str(args.steps),
                                     "--num-samples", "1", *flags])
        ms = float(err.rsplit("(", 1)[1].split(" ms/step")[0])
        print(f"{name:<14} {args.steps:>5} {ms:>8.1f} {peak:>8.1f}", flush=True)

    if args.full or args.reference:
        print("\ncomplete default run (1000 steps, 20 samples):")
        _, ours, peak, _ = run_child([py, "-m", "microgpt.train", path])
        print(f"  microgpt          {ours:8.1f} s CPU   peak {peak:5.1f} MB", flush=True)
    if args.reference:
        _, ref, ref_peak, _ = run_child([args.reference_python, str(NAIVE), path])
        print(f"  naive_gpt.py      {ref:8.1f} s CPU   peak {ref_peak:5.1f} MB   "
              f"({ref_python})")
        print(f"  speed-up          {ref / ours:8.1f} x")

    print("\nwhere a step goes (mean of the first 10 documents; CPU ms, noisy at this size):")
    print(f"  {'model':<14} {'nodes':>7} {'edges':>10} {'forward':>8} {'chain rule':>10} "
          f"{'Adam':>7} {'free':>7} {'(sort)':>7}")
    for name, flags in MODELS.items():
        nodes, edges, ms = step_profile(path, flags)
        print(f"  {name:<14} {nodes:>7,.0f} {edges:>10,.0f} {ms['forward']:>8.1f} "
              f"{ms['chain rule']:>10.1f} {ms['adam']:>7.1f} {ms['free']:>7.1f} "
              f"{ms['sort']:>7.1f}", flush=True)
    print("  (sort): not part of a training step, which records the order the graph is made in;\n"
          "  it is what loss.backward() without that record would add.")
    if sys.implementation.name == "cpython":  # PyPy's collector is its memory manager: always on
        on, off = collector_cost(path)
        print(f"\nCPython's cycle collector, default model, first 50 steps: on {on:.1f} ms/step, "
              f"off {off:.1f} ms/step (training turns it off)")


if __name__ == "__main__":
    cli.run(main)
