"""
scale.py: the command `python -m microgpt scale`: the table that answers
"why divide by sqrt(d_k), and not by d_k?".

    python -m microgpt scale --d-k 4,16,64,256,1024 --svg scale.svg

For each head width d_k it prints the spread of q . k for random unit-variance
queries and keys (sqrt(d_k), as the sum of d_k unit-variance products), and
the mean entropy of a softmax over --keys keys with no scale, with
1/sqrt(d_k) and with 1/d_k, beside a uniform row's (log of the keys).
dot_products.py does the work; --svg draws the entropies against d_k.

Builds on config.py, dot_products.py, and the plumbing's cli.py, memory.py, progress.py,
stopping.py and svg.py. Ctrl-C (or SIGTERM) keeps the widths measured, and draws them.
"""
from __future__ import annotations

import math
import random
import sys

from ..instruments.dot_products import measure
from ..config import ConfigError
from ..plumbing import cli, memory, stopping, svg
from ..plumbing.progress import Progress

PROG = "python -m microgpt scale"
FLOAT_BYTES = 32  # a float and its place in a list


def main(argv=None):
    p = cli.ArgumentParser(prog=PROG, description="Dot products of random queries and keys "
                           "at several head widths: their spread, and how sharp a softmax over "
                           "them is with no scale, 1/sqrt(d_k) and 1/d_k.",
                           epilog=cli.EXIT_STATUSES)
    p.add_argument("--d-k", type=cli.whole_numbers(1, 100_000), default="4,16,64,256,1024",
                   metavar="LIST", help="head widths, comma-separated (default %(default)s)")
    p.add_argument("--keys", type=cli.whole_number(2), default=8,
                   help="keys in each softmax row (default %(default)s)")
    p.add_argument("--trials", type=cli.whole_number(1), default=200,
                   help="rows drawn per width (default %(default)s)")
    p.add_argument("--seed", type=cli.whole_number(0), default=0, help="random seed (default %(default)s)")
    p.add_argument("--svg", metavar="FILE", help="draw the mean entropies against d_k here")
    args = p.parse_args(argv)
    cli.check_output(PROG, "--svg", args.svg)
    try:  # every row's logits are kept for their spread; a row and its softmaxes at once
        memory.check_holds(FLOAT_BYTES * args.keys * (args.trials + 4),
                           f"--keys {args.keys} --trials {args.trials}")
    except ConfigError as e:
        cli.fail(PROG, e)
    rng, rows, uniform = random.Random(args.seed), [], math.log(args.keys)
    print(f"{args.trials} rows of {args.keys} keys per width; entries drawn from gauss(0, 1); "
          f"entropy in nats (uniform: log {args.keys} = {uniform:.3f})\n")
    print(f"{'d_k':>6}  {'std of q.k':>10}  {'sqrt(d_k)':>9}  {'entropy: none':>13}  "
          f"{'1/sqrt(d_k)':>11}  {'1/d_k':>7}")
    progress = Progress(PROG, sum(args.d_k) * args.trials)  # a row's work: d_k * keys draws
    try:  # each width's line as it is measured: Ctrl-C keeps them, and draws them
        for d_k in args.d_k:
            each = lambda n: progress.step(f"d_k {d_k}", n, args.trials, d_k)
            rows.append((d_k, *measure(d_k, args.keys, args.trials, rng, each)))
            _, std, h = rows[-1]
            print(f"{d_k:>6}  {std:>10.3f}  {math.sqrt(d_k):>9.3f}  {h['none']:>13.3f}  "
                  f"{h['1/sqrt(d_k)']:>11.3f}  {h['1/d_k']:>7.3f}", flush=True)
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM: the widths measured stay, drawn too
        stopping.hold_signals()  # a second one must not cut the picture
        print(f"{PROG}: interrupted after {cli.plural(len(rows), 'width')} of {len(args.d_k)}",
              file=sys.stderr)
    if args.svg and rows:
        series = {f"scale {name}": (colour, [h[name] for _, _, h in rows])
                  for name, colour in (("none", "#c33"), ("1/sqrt(d_k)", "#36c"), ("1/d_k", "#393"))}
        series[f"uniform, log {args.keys}"] = ("#999", [uniform] * len(rows))
        chart = svg.line_chart(series, "mean softmax entropy (nats) against d_k",
                               x_labels=args.d_k[:len(rows)], x_title="d_k, the head's width",
                               y_title="entropy (nats)", styles=True)
        cli.write(PROG, args.svg, chart, "the chart")
    if len(rows) < len(args.d_k):
        sys.exit(cli.INTERRUPTED)

if __name__ == "__main__":
    cli.run(main)
