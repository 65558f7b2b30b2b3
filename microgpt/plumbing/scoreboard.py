"""
scoreboard.py: runs side by side, as compare shows them: each run's Result
(its parameters, losses, held-out loss, time per step, samples; or the step
at which it diverged), the table of them one run a row, and a Comparison,
which prints as that table and in a notebook shows it with the loss curves,
each run its colour, dashes and markers.

Builds on checkpoint.py (the flags every run shares, as typed), cli.py (a
sample as shown) and svg.py (the running mean, the charts). Leaves out
training the runs: commands/compare.py's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from . import checkpoint, cli, svg

WINDOW = 50  # steps in the running mean of the training loss
COLOURS = ("#333", "#c33", "#36c", "#393", "#c80", "#939", "#099", "#963", "#f6c", "#99c")


@dataclass
class Result:
    name: str
    params: int           # parameter count
    losses: list          # every step's training loss
    held_out: float       # the held-out NLL after the last step (None without a split)
    ms_per_step: float
    samples: list         # a few generated documents
    diverged: int = None  # the step at which training left the finite numbers, if it did
    smoothed: float = None  # with label smoothing: the held-out loss it trains on

    @property
    def final_loss(self):
        return svg.running_mean(self.losses, WINDOW)[-1] if self.losses else math.nan


def table(results, common=None):
    """The results as text lines, one run a row; common: the flags every run
    shares, which the last line names (they make the baseline what it is)."""
    width = max(len("variant"), *(len(r.name) for r in results))
    split_asked = any(r.held_out is not None for r in results)
    smoothing = any(r.smoothed is not None for r in results)
    head = f"{'variant':<{width}}  {'params':>6}  {'loss':>8}  "
    head += f"{'held-out':>8}  " if split_asked else ""
    head += f"{'smoothed':>8}  " if smoothing else ""
    lines = [head + f"{'ms/step':>7}  samples"]
    for r in results:
        row = f"{r.name:<{width}}  {r.params:>6}  "
        if r.diverged:  # no loss to rank: its last steps' mean is not the run's result
            lines.append(row + f"{'diverged':>8}  at step {r.diverged} (the loss or a gradient "
                               f"was no longer a finite number; try a smaller --lr or --warmup)")
            continue
        row += f"{r.final_loss:>8.4f}  "
        if split_asked:  # "-": this run has no split of its own
            row += f"{r.held_out:>8.4f}  " if r.held_out is not None else f"{'-':>8}  "
        if smoothing:
            row += f"{r.smoothed:>8.4f}  " if r.smoothed is not None else f"{'-':>8}  "
        samples = ", ".join(cli.shown_sample(text) for text in r.samples)
        lines.append(row + f"{r.ms_per_step:>7.1f}  {samples}")
    windows = {min(WINDOW, len(r.losses)) for r in results}
    window = f"{windows.pop()} steps" if len(windows) == 1 else f"min({WINDOW}, steps) steps"
    lines.append(f"(loss: the training loss, mean of the last {window}"
                 + ("; held-out: the mean negative log-likelihood of the held-out "
                    "documents, the same quantity for every run" if split_asked else "")
                 + ("; smoothed: the held-out loss label smoothing trains on" if smoothing else "")
                 + ")")
    shared = " ".join(checkpoint.as_flag(k, v) for k, v in (common or {}).items()
                      if k not in ("steps", "val_fraction", "eval_every", "num_samples",
                                   "temperature"))
    if shared:  # without them the baseline is the reference's recipe
        lines.append(f"(baseline: the reference's recipe with {shared}, which every run shares)")
    return lines


class Comparison(list):
    """Results side by side (what compare() returns): prints as the table,
    and in a notebook shows the table and the loss curves."""

    def __repr__(self):
        return "\n".join(table(self))

    def chart(self, delta=False):
        """Every run's running-mean loss curve, as SVG, each its colour,
        dashes and markers so that curves that coincide stay apart; delta:
        and under it, each run's curve minus the baseline's (the first run's)."""
        series = {r.name: (COLOURS[i % len(COLOURS)], svg.running_mean(r.losses, WINDOW))
                  for i, r in enumerate(self) if r.losses}
        curves = svg.line_chart(series, f"training loss, running mean of {WINDOW} steps",
                                y_title="loss", styles=True)
        first = self[0].name
        if not delta or first not in series:
            return curves
        return svg.stacked([curves, svg.delta_chart(
            series, first, f"each run's running mean minus {first}'s (below 0: a lower loss)",
            y_title="loss difference", styles=True)])

    def _repr_html_(self):
        text = svg.escape("\n".join(table(self)))  # the svg module's escaping: &, <, >, quotes
        return f"<pre>{text}</pre>" + (self.chart() if any(r.losses for r in self) else "")
