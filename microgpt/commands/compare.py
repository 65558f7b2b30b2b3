"""
compare.py: the command `python -m microgpt compare`: train the reference
recipe and some textbook variants side by side, on the same data, seed and
steps, and show how each did.

    python -m microgpt compare names.txt --steps 300 \\
        --variant "layernorm: --norm layernorm" --variant "gelu: --activation gelu" \\
        --variant "no scale: --no-attention-scale" --svg compare.svg

Each --variant is "NAME: FLAGS", FLAGS being train's run flags (the model's
shape, --lr, the variants; they start after the last ':'); flags outside
--variant apply to every run, the baseline too, and a variant's own flags
win (recipes.with_variant). A run that diverged is marked so, without a loss. It prints one table: parameter
count, the final training loss (the mean of the last 50 steps: one step's
loss is noisy), the held-out loss when --val-fraction asks for a split, the
milliseconds per step, and a few samples. --svg draws every run's
running-mean loss curve in one chart, each its own dashes and markers
(curves that coincide stay apart); with --delta, under it, each run's
difference from the baseline's curve. Progress goes to stderr. Ctrl-C (or
SIGTERM) stops at once, with the table and chart of the runs that finished.

The runs take turns in this process (training.start, train_step): each is
the very run `python -m microgpt.train` with the same flags would make. In
Python, compare(docs, {name: Config}) returns the same table as a Comparison,
which a notebook shows with the loss curves (scoreboard.py).
Builds on config.py, catalog.py, params.py, data.py, training.py, held_out.py
and generate.py,
and on the plumbing's cli.py, corpus.py, flags.py, recipes.py, progress.py,
memory.py and scoreboard.py.
"""
from __future__ import annotations

import dataclasses
import math
import signal
import sys
import time

from ..plumbing import cli, corpus, flags, recipes
from ..plumbing.scoreboard import Comparison, Result, table
from ..config import Config, ConfigError
from ..plumbing.corpus import DataError
from ..architectures import catalog
from ..data import held_out_examples
from ..generate import sample
from ..params import param_count
from ..plumbing.progress import Progress, reporter
from ..plumbing.memory import cycle_collector_off
from ..instruments.held_out import held_out_loss
from ..training import Diverged, start_planned, train_step

PROG = "python -m microgpt compare"


def train_one(name, docs, planned, progress, label):
    """Train one run (planned: training.plan's result) to the end; its Result."""
    examples, state = start_planned(planned)
    config = state.config
    held = held_out_examples(docs, state.tokenizer, config)
    with cycle_collector_off():
        t0 = time.perf_counter()
        try:
            while state.step < config.steps:
                train_step(state, examples)
                progress.step(label, state.step, config.steps)
        except Diverged:  # the loss or a gradient is no longer finite: too high a learning rate
            progress.skip(config.steps - state.step)
            return Result(name, param_count(config), state.losses, None, math.nan, [],
                          diverged=state.step + 1)
        ms = 1000 * (time.perf_counter() - t0) / config.steps
    nll = held_out_loss(state, held, smoothing=0.0) if held else None  # every run alike
    smoothed = held_out_loss(state, held) if held and config.label_smoothing else None
    texts = [sample(state.params, config, state.tokenizer, state.rng,
                    reader=catalog.reader_of(config))
             for _ in range(config.num_samples)]
    return Result(name, param_count(config), state.losses, nll, ms, texts, smoothed=smoothed)



def compare(docs, configs, num_samples=3):
    """Train each run of configs ({name: Config}) on docs, in turn, as the
    command does; a Comparison of their Results, with num_samples samples
    each. Progress goes to stderr."""
    plans = [(name, catalog.plan(docs, dataclasses.replace(config, num_samples=num_samples)))
             for name, config in configs.items()]
    progress = Progress(PROG, sum(planned.config.steps for _, planned in plans))
    return Comparison(train_one(name, docs, planned, progress, f"run {i + 1} of {len(plans)} ({name})")
                      for i, (name, planned) in enumerate(plans))


def parse_args(argv=None):
    p = cli.ArgumentParser(prog=PROG, description=(
        "Train the baseline and each --variant on the same data, seed and steps, and "
        "show them side by side."))
    p.add_argument("path", nargs="?", default="names.txt",
                   help="text file, one document per line (default names.txt; a bare name "
                        "falls back to the bundled dataset of that name)")
    p.add_argument("--variant", action="append", default=[], metavar='"NAME: FLAGS"',
                   help='a run to compare with the baseline, e.g. "gelu: --activation gelu"; '
                        "FLAGS are train's run flags (give --variant once per run)")
    p.add_argument("--svg", metavar="FILE", help="draw every run's loss curve (running mean) here")
    p.add_argument("--delta", action="store_true",
                   help="with --svg: also draw each run's running mean minus the baseline's")
    p.add_argument("--num-samples", type=cli.whole_number(0), default=3,
                   help="samples shown per run (default %(default)s)")
    p.add_argument("--temperature", type=cli.number(0), default=Config().temperature,
                   help="sampling temperature (default %(default)s)")
    flags.add_run_flags(p, not_here=("eval_every",),  # these apply to every run
                        what="compare, which scores the held-out documents once, after training")
    args = p.parse_args(argv)
    if args.delta and not (args.svg and args.variant):
        p.error("--delta draws each --variant's difference from the baseline into --svg FILE: "
                "give both")
    common = flags.run_config(args)
    runs = [("baseline", common)]
    for text in args.variant:
        try:
            name, variant = recipes.parse_variant(text)
        except recipes.VariantError as e:
            p.error(f"--variant {text!r}: {e}")
        if name in [n for n, _ in runs]:
            p.error(f"--variant {text!r}: two runs named {name!r}")
        if "eval_every" in variant:
            p.error(f"--variant {text!r}: --eval-every does not apply to compare, which scores "
                    f"the held-out documents once, after training")
        runs.append((name, recipes.with_variant(common, variant)))
    return p, args, runs


def main(argv=None):
    parser, args, runs = parse_args(argv)
    prog = parser.prog
    path = corpus.locate(args.path)
    cli.check_output(prog, "--svg", args.svg, corpus.data_files(args.path, str(path)))
    try:
        docs = corpus.load_docs(path)
        plans = []
        for name, given in runs:  # every mistake now, before any run trains
            try:
                flags.check_language_model(Config(**given))  # the other rooms have their commands
                planned = catalog.plan(docs, Config(**given),  # and checked: it fits in memory
                                       reporter(prog, f"{name}: learning BPE merges"))
                plans.append((name, planned))
            except ConfigError as e:
                raise ConfigError(f"{name}: {e}") from None
    except (DataError, ConfigError) as e:
        cli.fail(prog, e)
    steps = sum(planned.config.steps for _, planned in plans)
    cli.say(f"{prog}: {len(plans)} runs on {path} ({len(docs)} documents), {steps} steps in all")
    progress, results = Progress(prog, steps), []
    try:
        for i, (name, planned) in enumerate(plans):
            label = f"run {i + 1} of {len(plans)} ({name})"
            results.append(train_one(name, docs, planned, progress, label))
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM: the finished runs are shown, not lost
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second one must not cut the table
            signal.signal(sig, signal.SIG_IGN)
        done = (f"shown: the {cli.plural(len(results), 'run')} finished before it" if results
                else "no run had finished")
        print(f"\n{prog}: interrupted in run {len(results) + 1} of {len(plans)} "
              f"({plans[len(results)][0]}); {done}", file=sys.stderr)
        show(prog, args, results, runs[0][1])
        sys.exit(cli.INTERRUPTED)
    show(prog, args, results, runs[0][1])


def show(prog, args, results, common):
    """The table, and with --svg the chart, of the runs in results."""
    if not results:
        return
    print("\n".join(table(results, common)))
    if args.svg:
        cli.write(prog, args.svg, Comparison(results).chart(args.delta), "the loss curves")


if __name__ == "__main__":
    cli.run(main)
