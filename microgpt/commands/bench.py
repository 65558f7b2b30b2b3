"""
bench.py: the command `python -m microgpt bench`: how fast, how big.

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
of the two. With --block-sizes 16,32,64,128 it prints instead how a step's
cost grows with the context: ms/step, graph nodes and edges at each block
size T, and the ratio per doubling.

Every timed run happens in a child process (plumbing/children.py), so each
peak-memory figure is that run's alone; the step profile runs last, in this
process. Timings move by 10%
or more between runs on a shared machine; rerun to see the spread.

Builds on config.py and catalog.py, and the plumbing's children.py, cli.py,
files.py, corpus.py and step_costs.py (the step profile).
"""
from __future__ import annotations

import os
import platform
import sys
import tempfile
from pathlib import Path

from ..config import Config, ConfigError
from ..plumbing import children, cli, files
from ..plumbing.corpus import DataError, find_bundled, load_docs, locate
from ..architectures import catalog
from ..plumbing.step_costs import collector_cost, step_profile

PROG = "python -m microgpt bench"
ROOT = Path(__file__).resolve().parent.parent
NAIVE = ROOT / "examples" / "naive_gpt.py"
MODELS = {  # name -> Config fields
    "default 1x16": {},
    "deep 4x64": {"n_layer": 4, "n_embd": 64, "block_size": 32},
}
LONG_LINE = 300  # characters per line of the file --block-sizes makes
COLLECTOR_STEPS = 50  # steps of the cycle-collector comparison


def long_lines_file(folder, length=LONG_LINE, count=200):
    """Write a file of `count` lines of `length` characters, the bundled
    diagnoses.txt's lines joined with spaces and cut, into folder; its path."""
    words, lines = " ".join(load_docs(find_bundled("diagnoses.txt"))), []
    while len(lines) < count:
        start_at = (len(lines) * length) % (len(words) - length)
        lines.append(words[start_at:start_at + length].strip())
    path = os.path.join(folder, f"lines_{length}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def scaling(path, sizes, steps):
    """The --block-sizes table: at each block size T, ms/step and peak MB (a
    child each), then graph nodes and edges per step (the first 3 documents,
    in this process), and the ratio of each figure to the one before."""
    print(f"{'T':>5} {'ms/step':>9} {'x':>5} {'peak MB':>8} {'nodes':>9} {'x':>5} "
          f"{'edges':>11} {'x':>5}")
    timed = [children.time_steps(PROG, path, {"block_size": T}, steps, f"block size {T}")
             for T in sizes]  # children first
    before = None
    for T, (ms, peak) in zip(sizes, timed):
        nodes, edges, _ = step_profile(path, {"block_size": T}, docs_n=3)
        ratio = lambda now, i: f"{now / before[i]:5.2f}" if before else f"{'':5}"
        print(f"{T:>5} {ms:>9.1f} {ratio(ms, 0)} {peak:>8.1f} {nodes:>9,.0f} {ratio(nodes, 1)} "
              f"{edges:>11,.0f} {ratio(edges, 2)}", flush=True)
        before = (ms, nodes, edges)
    print("  x: the figure divided by the one in the row above (a doubling of T, for 16,32,64,...)")


def main(argv=None):
    p = cli.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[1])
    p.add_argument("path", nargs="?", default=None,
                   help="data file (default: names.txt; with --block-sizes, a file of "
                        f"{LONG_LINE}-character lines made from the bundled diagnoses.txt)")
    p.add_argument("--steps", type=cli.whole_number(1), default=None,
                   help="steps per model for ms/step (default: 100; with --block-sizes, 4)")
    p.add_argument("--full", action="store_true", help="also time the complete default run")
    p.add_argument("--reference", action="store_true",
                   help="also time examples/naive_gpt.py on the complete default run (minutes)")
    p.add_argument("--reference-python", metavar="EXE", default=sys.executable,
                   help="interpreter for --reference (default %(default)s, this one), e.g. python3 when "
                        "benchmarking under pypy3")
    p.add_argument("--block-sizes", type=cli.whole_numbers(1), metavar="T,T,...",
                   help="print instead how a step grows with the context: ms/step, nodes and "
                        "edges of the default model at each --block-size T (say 16,32,64,128), "
                        "and the ratio per doubling. Give a file of long lines (each at least T "
                        "characters: shorter documents are not cut to T), or none: the bench "
                        f"then makes one of {LONG_LINE}-character lines by joining the lines of "
                        "the bundled diagnoses.txt, in a temporary folder")
    args = p.parse_args(argv)
    prog = p.prog
    if args.block_sizes:
        p.refuse_given(args, ("full", "reference", "reference_python"),
                       "does not apply with --block-sizes, which prints only the growth table")
    elif not args.reference:
        p.refuse_given(args, ("reference_python",), "goes with --reference")
    if args.block_sizes:
        steps = args.steps or 4
        with tempfile.TemporaryDirectory() as folder:
            try:
                path = (files.rereadable(str(locate(args.path))) if args.path
                        else long_lines_file(folder))
                planned = catalog.plan(load_docs(path), Config(block_size=max(args.block_sizes)))
            except (DataError, files.InputError, ConfigError) as e:  # said now, not after minutes
                cli.fail(prog, e)
            longest = max(len(ids) for ids in planned.examples) - 1  # positions read, at most
            beyond = [T for T in args.block_sizes if T > longest]
            if beyond:  # the table would show a growth that is only wpe's rows
                print(f"{prog}: note: the longest document is {longest} positions: at block size "
                      f"{', '.join(map(str, beyond))} a step reads no further (more rows of wpe, "
                      f"no more positions)", file=sys.stderr)
            data = args.path if args.path else f"lines of {LONG_LINE} characters"
            print(f"microgpt benchmark: {platform.python_implementation()} "
                  f"{platform.python_version()}, {data}, default model, {steps} steps")
            scaling(path, args.block_sizes, steps)
        return
    steps = args.steps or 100
    name = str(locate(args.path or "names.txt"))
    try:
        path = files.rereadable(name)
        load_docs(path)  # what is wrong with the data, said now and not after minutes
    except (DataError, files.InputError) as e:
        cli.fail(prog, e)
    if args.reference:  # say what is wrong now, not after minutes of benchmarking
        if not NAIVE.is_file():
            cli.fail(prog, f"--reference needs {NAIVE} (run from a clone of the repository)")
        ref_python = children.interpreter(args.reference_python)
        if ref_python is None:
            cli.fail(prog, f"--reference-python {args.reference_python}: cannot run it as Python")

    # Every timed run first, in child processes: a child's peak memory counts the
    # parent's pages from before it starts, so this process must stay small until
    # the end, when it trains a few steps itself to profile them.
    py = sys.executable
    print(f"microgpt benchmark: {platform.python_implementation()} {platform.python_version()}, "
          f"{cli.one_line(name)}")
    print(f"{'model':<14} {'steps':>5} {'ms/step':>8} {'peak MB':>8}")
    for name, fields in MODELS.items():
        ms, peak = children.time_steps(PROG, path, fields, steps, name)
        print(f"{name:<14} {steps:>5} {ms:>8.1f} {peak:>8.1f}", flush=True)

    if args.full or args.reference:
        print("\ncomplete default run (1000 steps, 20 samples):")
        _, ours, peak = children.run_child(PROG, [py, "-m", "microgpt.train", path])
        print(f"  microgpt          {ours:8.1f} s CPU   peak {peak:5.1f} MB", flush=True)
    if args.reference:
        _, ref, ref_peak = children.run_child(PROG, [args.reference_python, str(NAIVE), path])
        print(f"  naive_gpt.py      {ref:8.1f} s CPU   peak {ref_peak:5.1f} MB   "
              f"({ref_python})")
        print(f"  speed-up          {ref / ours:8.1f} x")

    print("\nwhere a step goes (mean of the first 10 documents; CPU ms, noisy at this size):")
    print(f"  {'model':<14} {'nodes':>7} {'edges':>10} {'forward':>8} {'chain rule':>10} "
          f"{'Adam':>7} {'free':>7} {'(sort)':>7}")
    for name, fields in MODELS.items():
        nodes, edges, ms = step_profile(path, fields)
        print(f"  {name:<14} {nodes:>7,.0f} {edges:>10,.0f} {ms['forward']:>8.1f} "
              f"{ms['chain rule']:>10.1f} {ms['adam']:>7.1f} {ms['free']:>7.1f} "
              f"{ms['sort']:>7.1f}", flush=True)
    print("  (sort): not part of a training step, which records the order the graph is made in;\n"
          "  it is what loss.backward() without that record would add.")
    if sys.implementation.name == "cpython":  # PyPy's collector is its memory manager: always on
        on, off = collector_cost(path, COLLECTOR_STEPS)
        print(f"\nCPython's cycle collector, default model, first {COLLECTOR_STEPS} steps: "
              f"on {on:.1f} ms/step, "
              f"off {off:.1f} ms/step (training turns it off)")


if __name__ == "__main__":
    cli.run(main)
