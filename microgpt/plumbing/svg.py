"""
svg.py: pictures as SVG text, with the standard library only.

Two kinds: a row of attention heatmaps (inspect.py --svg; `grids` for
matrices of any shape, the encoder-decoder's) and a line chart of the
training loss (train.py --plot) or of any series (compare, longrange), which
`stacked` puts one above the other. An SVG file is plain XML that any browser
opens; these functions return it as a string.

Left out on purpose: axes with "nice" tick algorithms, legends beyond a line
of text, any styling a learner would have to read past.
"""
from __future__ import annotations

import math
import re
from html import escape as escape_html

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text):
    """text as XML character data: &, <, > and quotes escaped, and characters
    XML cannot hold at all (most control characters) shown as their code.

    >>> escape("a<b\x0b")
    'a&lt;bU+000B'
    """
    return NOT_XML.sub(lambda m: f"U+{ord(m.group()):04X}", escape_html(text))


def _svg(width, height, body):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif">\n'
            f'<rect width="{width}" height="{height}" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")


def _blue(w):
    """White (0) to dark blue (1)."""
    w = min(max(w, 0.0), 1.0)
    return f"rgb({round(255 - 225 * w)},{round(255 - 180 * w)},{round(255 - 90 * w)})"


def heatmaps(panels, labels, cell=28, hidden=None, note="grey: the future, masked"):
    """Attention heatmaps side by side.

    panels: list of (title, matrix), matrix T x T with rows = query positions;
    labels: T token labels. Cells above the diagonal (the masked future) are
    grey, or those hidden[n][i][j] marks in panel n; every other cell is
    shaded by its weight and shows it to 2 decimals.
    """
    T = len(labels)
    margin, gap = 50, 30
    size = T * cell
    width = margin + len(panels) * (size + gap + margin)
    height = margin + size + 40
    body = []
    for n, (title, matrix) in enumerate(panels):
        x0, y0 = margin + n * (size + gap + margin), margin
        body.append(f'<text x="{x0}" y="{y0 - 28}" font-size="13">{escape(title)}</text>')
        for i in range(T):
            body.append(f'<text x="{x0 - 4}" y="{y0 + i * cell + cell * 0.65}" font-size="11" '
                        f'text-anchor="end">{escape(labels[i])}</text>')
            body.append(f'<text x="{x0 + i * cell + cell / 2}" y="{y0 - 6}" font-size="11" '
                        f'text-anchor="middle">{escape(labels[i])}</text>')
            for j in range(T):
                x, y = x0 + j * cell, y0 + i * cell
                if (hidden[n][i][j] if hidden else j > i):
                    body.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="#e8e8e8"/>')
                    continue
                w = matrix[i][j]
                body.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{_blue(w)}" '
                            f'stroke="white"><title>{w:.4f}</title></rect>')
                ink = "white" if w > 0.55 else "black"
                body.append(f'<text x="{x + cell / 2}" y="{y + cell * 0.62}" font-size="9" '
                            f'text-anchor="middle" fill="{ink}">{w:.2f}</text>')
    body.append(f'<text x="{margin}" y="{margin + size + 22}" font-size="11" fill="#555">rows: query '
                f'position, columns: key position; {escape(note)}</text>')
    return _svg(width, height, body)


def grids(panels, cell=28):
    """Heatmaps of any shape side by side (the encoder-decoder's three kinds
    of attention). panels: (title, matrix, row labels, column labels,
    hidden) each, hidden[i][j] True for a masked cell (grey)."""
    margin, gap = 60, 30
    width = margin + sum(len(cols) * cell + gap + margin for _, _, _, cols, _ in panels)
    height = margin + max(len(rows) for _, _, rows, _, _ in panels) * cell + 40
    body, x0 = [], margin
    for title, matrix, rows, cols, hide in panels:
        body.append(f'<text x="{x0}" y="{margin - 28}" font-size="13">{escape(title)}</text>')
        for j, label in enumerate(cols):
            body.append(f'<text x="{x0 + j * cell + cell / 2}" y="{margin - 6}" font-size="11" '
                        f'text-anchor="middle">{escape(label)}</text>')
        for i, label in enumerate(rows):
            y = margin + i * cell
            body.append(f'<text x="{x0 - 4}" y="{y + cell * 0.65}" font-size="11" '
                        f'text-anchor="end">{escape(label)}</text>')
            for j, w in enumerate(matrix[i]):
                x = x0 + j * cell
                if hide[i][j]:
                    body.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="#e8e8e8"/>')
                    continue
                ink = "white" if w > 0.55 else "black"
                body.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{_blue(w)}" '
                            f'stroke="white"><title>{w:.4f}</title></rect>')
                body.append(f'<text x="{x + cell / 2}" y="{y + cell * 0.62}" font-size="9" '
                            f'text-anchor="middle" fill="{ink}">{w:.2f}</text>')
        x0 += len(cols) * cell + gap + margin
    body.append(f'<text x="{margin}" y="{height - 12}" font-size="11" fill="#555">rows: query '
                f'position, columns: key position; grey: masked</text>')
    return _svg(width, height, body)


def line_chart(series, title, width=640, height=360, x_labels=None, y_min=None):
    """Lines through y values at x = 1, 2, ...; series: {name: (colour, ys)}.

    x_labels: None (the x axis reads step 1 ... step n), or one label per x,
    each written under its point. y_min: where the y axis starts, if below
    the lowest y (0 for a learning rate: its size, not only its changes)."""
    left, right, top, bottom = 55, 15, 35, 40
    ys_all = [y for _, ys in series.values() for y in ys]
    n = max(len(ys) for _, ys in series.values())
    lo, hi = min(ys_all + ([] if y_min is None else [y_min])), max(ys_all)
    hi = hi if hi > lo else lo + 1
    sx = lambda i: left + (width - left - right) * (i / max(n - 1, 1))
    sy = lambda y: top + (height - top - bottom) * (1 - (y - lo) / (hi - lo))
    body = [f'<text x="{left}" y="22" font-size="14">{escape(title)}</text>',
            f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#888"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#888"/>']
    digits = max(2, 1 - math.floor(math.log10((hi - lo) / 4)))  # guides 0.0025 apart: 4 decimals
    label = lambda y: f"{y:.{digits}f}" if digits <= 6 else f"{y:.2e}"  # 1e-7 apart: 2.50e-07
    for k in range(5):  # five horizontal guides with their values
        y = lo + (hi - lo) * k / 4
        body.append(f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" font-size="10" text-anchor="end">{label(y)}</text>')
        body.append(f'<line x1="{left}" y1="{sy(y):.1f}" x2="{width - right}" y2="{sy(y):.1f}" stroke="#eee"/>')
    if x_labels is None:
        body.append(f'<text x="{width - right}" y="{height - 12}" font-size="10" text-anchor="end">step {n}</text>')
        body.append(f'<text x="{left}" y="{height - 12}" font-size="10">step 1</text>')
    for i, label in enumerate(x_labels or []):
        body.append(f'<text x="{sx(i):.1f}" y="{height - 24}" font-size="10" '
                    f'text-anchor="middle">{escape(str(label))}</text>')
    for k, (name, (colour, ys)) in enumerate(series.items()):
        points = " ".join(f"{sx(i):.1f},{sy(y):.1f}" for i, y in enumerate(ys))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.2"/>')
        y = top + 14 * (k + 1)  # the legend: a short stroke of the line's colour, its name
        body.append(f'<line x1="{width - right - 170}" y1="{y - 4}" x2="{width - right - 155}" '
                    f'y2="{y - 4}" stroke="{colour}" stroke-width="2"/>')
        body.append(f'<text x="{width - right - 150}" y="{y}" font-size="11" '
                    f'fill="{colour}">{escape(name)}</text>')
    return _svg(width, height, body)


def stacked(pictures):
    """SVG pictures (as this module writes them) one above the other, in one picture."""
    sizes = [tuple(int(x) for x in re.search(r'width="(\d+)" height="(\d+)"', p).groups())
             for p in pictures]
    body, y = [], 0
    for picture, (_, h) in zip(pictures, sizes):
        body.append(picture.replace("<svg ", f'<svg y="{y}" ', 1))
        y += h
    return _svg(max(w for w, _ in sizes), y, body)


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
