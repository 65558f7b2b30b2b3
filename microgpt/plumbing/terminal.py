"""
terminal.py: pictures made of characters, for a terminal: a heatmap of a
T x T attention matrix as shades (or its numbers), the masked cells as dots.

Builds on nothing. svg.py draws the same matrices as a picture.
"""
from __future__ import annotations

SHADES = "░▒▓█"  # weight 0 .. 1; even 0 gets the lightest, so the triangle shows


def shade(w):
    """Two characters whose darkness shows w in [0, 1].

    >>> [shade(w) for w in (0.0, 0.3, 0.6, 1.0)]
    ['░░', '▒▒', '▓▓', '██']
    """
    return SHADES[min(int(w * len(SHADES)), len(SHADES) - 1)] * 2


def heatmap_text(matrix, labels, numbers=False, masked=None, col_labels=None):
    """The T x T matrix as text rows; the masked future (or what masked[i][j]
    marks) is shown as dots. col_labels: the columns', when they differ from
    the rows' (cross-attention: output x source)."""
    width = max(len(l) for l in labels)
    cell = 5 if numbers else 4
    cols = labels if col_labels is None else col_labels
    lines = [" " * width + " " + "".join(l.center(cell) for l in cols)]
    for i, row in enumerate(matrix):
        cells = []
        for j, w in enumerate(row):
            if (masked[i][j] if masked else j > i):
                cells.append("·".center(cell))          # masked: the future, or PAD
            elif numbers:
                cells.append(f"{w:.2f}".rjust(cell))
            else:
                cells.append(shade(w).center(cell))
        lines.append(labels[i].rjust(width) + " " + "".join(cells))
    return lines
