"""
progression.py: the command `python -m microgpt progression`: from counting
bigrams to the GPT, one ingredient at a time, each stage's loss on the same
documents (instruments/ingredients.py trains and scores them).

    python -m microgpt progression names.txt --svg progression.svg --json progression.json

It prints one table, a stage a row: what it adds, its parameters, its
training loss (the mean of the last 50 steps), its held-out loss (the mean
over every held-out document of that document's mean loss per token), the
CPU seconds it took and three samples; then the bigram counts' likeliest
next tokens after the busiest few. --svg draws the held-out losses as bars
and the training curves; --json writes a list, one object per stage in
order: {"stage", "name", "params", "train_losses" (one per step),
"held_out_loss"}. Progress and the time left go to stderr; Ctrl-C (or
SIGTERM) stops at once and shows the stages that finished.

Builds on config.py, data.py, ingredients.py, and the plumbing's cli.py,
corpus.py, memory.py, progress.py and svg.py.
"""
from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

from ..config import ConfigError
from ..data import held_out_count
from ..instruments.ingredients import ATTENTION_LR, MLP_LR, STAGES, progression
from ..plumbing import cli, corpus, svg
from ..plumbing.corpus import DataError
from ..plumbing.memory import cycle_collector_off
from ..plumbing.progress import Progress

PROG = "python -m microgpt progression"
WINDOW = 50  # the training loss shown: the mean of the last 50 steps
COLOURS = ("#999", "#963", "#c80", "#939", "#36c", "#393", "#c33")


def table(results, held):
    """The results as text lines, a stage a row; held: the held-out documents."""
    names = [f"{r.stage} {r.name}: {STAGES[r.stage][1]}" for r in results]
    width = max(map(len, names))
    lines = [f"{'stage':<{width}}  {'params':>6}  {'train':>6}  {'held-out':>8}  {'cpu s':>5}  "
             f"samples"]
    for r, name in zip(results, names):
        row = f"{name:<{width}}  {r.params:>6}  "
        if r.diverged:
            lines.append(row + f"diverged at step {r.diverged} (the loss or a gradient was no "
                               f"longer finite: try a smaller learning rate)")
            continue
        row += f"{svg.running_mean(r.train_losses, WINDOW)[-1]:>6.4f}  {r.held_out_loss:>8.4f}  "
        lines.append(row + f"{r.seconds:>5.1f}  " + ", ".join(map(cli.shown_sample, r.samples)))
    window = min(WINDOW, len(results[0].train_losses))
    lines.append(f"(train: the training loss, mean of the last {window} steps; held-out: the mean "
                 f"over all {held} held-out documents of each one's mean loss per token)")
    for r in results:
        if r.likeliest:
            lines.append(f"{r.name}, the likeliest tokens after the {len(r.likeliest)} busiest:")
        lines += [f"  after {token}: " + ", ".join(f"{b} {p:.3f}" for b, p in guesses)
                  for token, guesses in r.likeliest]
    return lines


def chart(results):
    """The held-out losses as bars, over the training curves (running means)."""
    bars = svg.bar_chart([(f"{r.stage} {r.name}", r.held_out_loss, COLOURS[r.stage])
                          for r in results], "held-out loss of each stage (lower is better)",
                         y_title="loss")
    curves = svg.line_chart({f"{r.stage} {r.name}": (COLOURS[r.stage],
                                                     svg.running_mean(r.train_losses, WINDOW))
                             for r in results if r.train_losses},
                            f"training loss, running mean of {WINDOW} steps", y_title="loss",
                            styles=True)
    return svg.stacked([bars, curves])


def as_json(results):
    """The results as JSON text: a list, one object a line, in stage order."""
    return "[\n" + ",\n".join(json.dumps(
        {"stage": r.stage, "name": r.name, "params": r.params, "train_losses": r.train_losses,
         "held_out_loss": r.held_out_loss}) for r in results) + "\n]\n"


def parse_args(argv=None):
    p = cli.ArgumentParser(prog=PROG, description=(
        "Train every stage from counting bigrams to the GPT on the same documents and score "
        "each on the same held-out ones: one table, one chart."))
    p.add_argument("path", nargs="?", default="names.txt",
                   help="text file, one document per line (default names.txt; a bare name "
                        "falls back to the bundled dataset of that name)")
    p.add_argument("--steps", type=cli.whole_number(1), default=1000,
                   help="training steps of every stage (default 1000)")
    p.add_argument("--val-fraction", type=cli.fraction(one_allowed=False), default=0.1,
                   metavar="F", help="hold out the last max(1, round(F * docs)) documents after "
                                     "the shuffle, as train does (default 0.1)")
    p.add_argument("--seed", type=cli.whole_number(0), default=42, help="random seed (default 42)")
    p.add_argument("--mlp-lr", type=cli.number(0, inclusive=False), default=MLP_LR, metavar="LR",
                   help=f"SGD's learning rate in stages 2 and 3 (default {MLP_LR})")
    p.add_argument("--attention-lr", type=cli.number(0, inclusive=False), default=ATTENTION_LR,
                   metavar="LR", help=f"SGD's learning rate in stages 4 and 5 (default {ATTENTION_LR})")
    p.add_argument("--svg", metavar="FILE",
                   help="draw the held-out losses as bars and the training curves here")
    p.add_argument("--json", metavar="FILE",
                   help="write every stage's name, parameters, losses per step and held-out loss")
    args = p.parse_args(argv)
    if args.val_fraction == 0:
        p.error("--val-fraction must be above 0: every stage is scored on held-out documents")
    return args


def main(argv=None):
    args = parse_args(argv)
    path = corpus.locate(args.path)
    taken = corpus.data_files(args.path, str(path))
    cli.check_output(PROG, "--svg", args.svg, taken)
    cli.check_output(PROG, "--json", args.json, {**taken, args.svg: "the --svg picture"}, "stages")
    options = dict(steps=args.steps, val_fraction=args.val_fraction, seed=args.seed,
                   mlp_lr=args.mlp_lr, attention_lr=args.attention_lr)
    try:
        docs = corpus.load_docs(path)
        progress = Progress(PROG, 5 * args.steps)  # the steps of the stages that train: 2 to 6
        stages = progression(docs, progress, **options)  # every stage's settings checked
    except (DataError, ConfigError) as e:
        cli.fail(PROG, e)
    held = held_out_count(len(docs), args.val_fraction)
    if path != Path(args.path):
        print(f"{PROG}: {args.path} not found here; using the bundled {path}", file=sys.stderr)
    print(f"{PROG}: {len(STAGES)} stages on {path} ({len(docs)} documents, {held} held out), "
          f"{args.steps} steps each", file=sys.stderr)
    done = []
    try:
        with cycle_collector_off():
            for result in stages:
                done.append(result)
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM: the finished stages are shown, not lost
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second one must not cut the table
            signal.signal(sig, signal.SIG_IGN)
        print(f"\n{PROG}: interrupted in stage {len(done)} ({STAGES[len(done)][0]}); "
              f"{'shown: the stages before it' if done else 'no stage had finished'}",
              file=sys.stderr)
        show(args, done, held)
        sys.exit(cli.INTERRUPTED)
    show(args, done, held)


def show(args, results, held):
    """The table, and with --svg and --json the chart and the numbers, of results."""
    if not results:
        return
    print("\n".join(table(results, held)))
    if args.svg:
        cli.write(PROG, args.svg, chart(results), "the held-out losses and training curves")
    if args.json:
        cli.write(PROG, args.json, as_json(results), "every stage's losses")


if __name__ == "__main__":
    cli.run(main)
