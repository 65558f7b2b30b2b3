"""
gap_charts.py: longrange's three measurements as one picture: the
held-out accuracy after "=" against the gap, the fresh models' gradient
norms (log10) against the distance from the end, and the longest path
through the graph against T; each model its colour, a run not done a gap
in its line.

Builds on svg.py. Leaves out the runs and the measurements themselves:
commands/longrange.py and reach.py.
"""
from __future__ import annotations

import math

from . import svg

COLOURS = {"gpt": "#333", "lstm": "#c33", "gru": "#36c", "rnn": "#393"}


def pictures(acc, norms, depth, models, Ts):
    """The three measurements as charts; a run not done is a gap in its line."""
    gaps, nan, T = list(Ts), math.nan, len(next(iter(norms.values()), []))
    lines = lambda ys: {m: (COLOURS.get(m, "#999"), ys(m)) for m in models if ys(m) is not None}
    charts = [svg.line_chart(lines(lambda m: [acc.get((m, g), nan) for g in gaps]),
                             "held-out accuracy after '=' against the gap", x_labels=gaps,
                             x_title="gap (digits between the key and '=')", styles=True),
              svg.line_chart(lines(lambda m: [depth.get((m, g), (nan,))[0] for g in gaps]),
                             "longest path from the first input to the loss against T",
                             x_labels=list(Ts.values()), x_title="T (positions)", styles=True)]
    if norms:  # the fresh models' gradients, at the longest gap
        charts.insert(1, svg.line_chart(
            lines(lambda m: [math.log10(max(norms[m][T - 1 - d], 1e-300)) for d in range(T)]
                  if m in norms else None),
            "log10 |d loss / d x_t| against the distance from the end",
            x_labels=[d if d % 4 == 0 else "" for d in range(T)],
            x_title="distance from the end (positions)", styles=True))
    return svg.stacked(charts)
