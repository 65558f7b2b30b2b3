"""
svg.py: pictures as SVG text, with the standard library only.

Three kinds: heatmaps of attention (inspector.py --svg, a notebook's trace,
the encoder-decoder's three kinds), drawn by heatmaps.py; line charts:
the training loss (train.py --plot), any series against any x (compare,
scale, longrange), each run's difference from a baseline (compare
--delta); and bars, one number per item (progression's held-out losses).
`stacked` puts pictures one above the other. An SVG file is
plain XML that any browser opens; these functions return it as a string.

Builds on drawing.py (the pieces: text that fits, round ticks, dashes and
markers) and heatmaps.py. Left out on purpose: log axes, any styling a
learner would have to read past.
"""
from __future__ import annotations

import math
import re

from .drawing import (DASHES, MARKERS, SHRINK, document, escape, marker, nice_ticks, text,
                      text_width, tick_text, wrap)
from .heatmaps import NOTE, grids, heatmaps, trace_heatmaps  # every picture is reached as svg.X

__all__ = ["NOTE", "bar_chart", "delta_chart", "escape", "grids", "heatmaps", "line_chart", "loss_chart",
           "running_mean", "stacked", "trace_heatmaps"]


def line_chart(series, title, width=640, height=360, x_labels=None, x_title=None,
               y_title=None, styles=False, y_min=None):
    """Lines through y values at x = 1, 2, ...; series: {name: (colour, ys)}.

    x_labels: None (the x axis counts 1 ... n, its ticks at round values,
    titled x_title, "step" unless told), or one label per x, written under
    its point (titled x_title if given). y_title: the y axis's title; its
    ticks are at round values. styles: each series its own dash pattern and
    markers, so lines that coincide stay apart. y_min: where the y axis
    starts, if below the lowest y (0 for a learning rate: its size, not only
    its changes). The legend stands right of the plot, where it hides no
    line: width is the plot's, the legend's added."""
    left, right, top, bottom = 58 + (16 if y_title else 0), 15, 40, 44
    legend = math.ceil(36 + max(text_width(name, 11) for name in series))  # its width
    finite = [y for _, ys in series.values() for y in ys if math.isfinite(y)] or [0.0]
    n = max(len(ys) for _, ys in series.values())
    lo, hi = min(finite), max(finite)
    pad = 0.5 if hi <= lo else 0.03 * (hi - lo)  # so that no marker is cut at the edge
    lo, hi = lo - pad if y_min is None else min(lo, y_min), hi + pad  # y_min: the axis itself
    sx = lambda i: left + (width - left - right) * (i / max(n - 1, 1))
    sy = lambda y: top + (height - top - bottom) * (1 - (y - lo) / (hi - lo))
    base = height - bottom
    fit = min(14.0, max(9.0, 14.0 * (width + legend - left) / max(text_width(title, 14), 1)))
    body = [text(left, 22, title, round(fit, 1)),  # the title, smaller if it must be to fit
            f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#888"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#888"/>']
    body += _y_axis(nice_ticks(lo, hi, 5), sy, left, width - right, (top + base) / 2, y_title)
    if x_labels is None:  # 1 .. n at round steps
        steps = [t for t in nice_ticks(1, n, 6) if t >= 1 and t == int(t)] if n > 1 else [1.0]
        x_labels = {int(t) - 1: str(int(t)) for t in steps}
        x_title = x_title or "step"
    else:
        x_labels = dict(enumerate(x_labels))
    for i, label in x_labels.items():
        body.append(text(round(sx(i), 1), base + 14, str(label), 10, anchor="middle"))
        body.append(f'<line x1="{sx(i):.1f}" y1="{base}" x2="{sx(i):.1f}" y2="{base + 3}" '
                    f'stroke="#888"/>')
    if x_title:
        body.append(text((left + width - right) / 2, height - 8, x_title, 11, anchor="middle"))
    lx = width  # the legend: right of the plot, where it hides no line
    for k, (name, (colour, ys)) in enumerate(series.items()):
        dash = f' stroke-dasharray="{DASHES[k % len(DASHES)]}"' if styles and k % len(DASHES) else ""
        points = " ".join(f"{sx(i):.1f},{sy(y):.1f}" for i, y in enumerate(ys) if math.isfinite(y))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    f'stroke-width="{1.6 if styles else 1.2}"{dash}/>')
        y = top + 14 * (k + 1)  # the legend: a stroke of the line's colour (and dash), its name
        body.append(f'<line x1="{lx:.1f}" y1="{y - 4}" x2="{lx + 24:.1f}" y2="{y - 4}" '
                    f'stroke="{colour}" stroke-width="2"{dash}/>')
        body.append(text(round(lx + 30, 1), y, name, 11, fill=colour))
        if styles:
            kind = MARKERS[k % len(MARKERS)]
            body.append(marker(kind, lx + 12, y - 4, colour))
            body += [marker(kind, sx(i), sy(ys[i]), colour)
                     for i in _marked(len(ys), k, len(series)) if math.isfinite(ys[i])]
    return document(width + legend, height, body)


def _y_axis(ticks, sy, left, right, middle, title):
    """The y axis's pieces: at each tick (a round value) its label and a
    guide across the plot, from x = left to right (the zero line darker);
    the title, if any, turned up the side at height middle."""
    body = []
    for t in ticks:
        body.append(text(left - 6, round(sy(t) + 4, 1), tick_text(t, ticks), 10, anchor="end"))
        body.append(f'<line x1="{left}" y1="{sy(t):.1f}" x2="{right}" y2="{sy(t):.1f}" '
                    f'stroke="{"#bbb" if t == 0 else "#eee"}"/>')
    if title:
        body.append(text(16, middle, title, 11, anchor="middle",
                         extra=f' transform="rotate(-90 16 {middle:g})"'))
    return body


def _marked(n, k, count, marks=8):
    """Which of n points series k of count carries a marker: all of a short
    series; of a long one, `marks` evenly spread, each series' shifted so
    markers of coinciding lines fall side by side."""
    if n <= 12:
        return range(n)
    shift = (k + 1) / (count + 1)  # of the gap between two markers
    return sorted({min(n - 1, round((m + shift) * (n - 1) / marks)) for m in range(marks)})


def delta_chart(series, baseline, title, **options):
    """Each series minus the baseline's, point by point over the points both
    have: the baseline's own curve becomes the zero line. series: {name:
    (colour, ys)} as line_chart's, options too."""
    base = series[baseline][1]
    return line_chart({(f"{name} (zero)" if name == baseline else name):
                       (colour, [y - b for y, b in zip(ys, base)])
                       for name, (colour, ys) in series.items()}, title, **options)


def stacked(pictures, across=False):
    """SVG pictures (as this module writes them) one above the other, in one
    picture; across=True: side by side, left to right, tops aligned."""
    sizes = [tuple(int(x) for x in re.search(r'width="(\d+)" height="(\d+)"', p).groups())
             for p in pictures]
    body, at = [], 0
    for picture, (w, h) in zip(pictures, sizes):  # only the whole picture shrinks to its page
        where = f'x="{at}" ' if across else f'y="{at}" '
        body.append(picture.replace("<svg ", "<svg " + where, 1).replace(SHRINK, "", 1))
        at += w if across else h
    if across:
        return document(at, max(h for _, h in sizes), body)
    return document(max(w for w, _ in sizes), at, body)


def loss_chart(losses):
    """The loss curve of a run: every step's loss and a running mean of 50."""
    return line_chart({"loss": ("#9ab", losses),
                       "running mean (50 steps)": ("#c33", running_mean(losses))},
                      title="training loss")


def running_mean(xs, window=50):
    """Mean of the last `window` values at each point.

    >>> running_mean([1.0, 3.0, 5.0, 7.0], window=2)
    [1.0, 2.0, 4.0, 6.0]
    """
    out, total = [], 0.0
    for i, x in enumerate(xs):
        total += x
        if i >= window:
            total -= xs[i - window]
        out.append(total / min(i + 1, window))
    return out


def bar_chart(bars, title, y_title=None, width=640, height=320):
    """A bar from 0 up to each value, left to right, its value written above
    it and its label under it (wrapped to the bar's room); bars: [(label,
    value, colour)], a value None (nothing to show) leaving its place empty."""
    left, right, top = 58 + (16 if y_title else 0), 15, 40
    room = (width - left - right) / max(len(bars), 1)  # each bar's share of the width
    rows = [wrap(label, room - 6, 10) for label, _, _ in bars]
    bottom = 14 + 12 * max(len(r) for r in rows)
    hi = max([v for _, v, _ in bars if v is not None] or [1.0]) * 1.12  # room for the values
    sy = lambda y: top + (height - top - bottom) * (1 - y / hi)
    base = height - bottom
    body = [text(left, 22, title, 14),
            *_y_axis(nice_ticks(0, hi, 5), sy, left, width - right, (top + base) / 2, y_title),
            f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#888"/>']
    for k, ((label, value, colour), lines) in enumerate(zip(bars, rows)):
        x, middle = left + k * room + 0.15 * room, left + (k + 0.5) * room
        body += [text(round(middle, 1), base + 14 + 12 * i, line, 10, anchor="middle")
                 for i, line in enumerate(lines)]
        if value is not None:
            body.append(f'<rect x="{x:.1f}" y="{sy(value):.1f}" width="{0.7 * room:.1f}" '
                        f'height="{base - sy(value):.1f}" fill="{colour}"/>')
            body.append(text(round(middle, 1), round(sy(value) - 4, 1), f"{value:.4f}", 10,
                             anchor="middle"))
    return document(width, height, body)
