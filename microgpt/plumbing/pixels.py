"""
pixels.py: an image and a heatmap over its pixels, in the terminal and as
SVG: what `vit --image` shows (a digit, and where CLS looks).

A Vision Transformer's attention is over patches, not pixels: `spread`
gives each patch's weight to its P x P pixels, so the heatmap lies on the
image's own grid, and a patch of 2 x 2 pixels is a block of 2 x 2 cells.
In the terminal the image and the heatmap stand side by side, each pixel
two characters wide, darker for more ink or more weight (the darkest: the
image's largest value, blank: none); the SVG lays the ink over the heatmap
itself, one panel per head.

Builds on drawing.py (text, the colour scale) and terminal.py (the shades, the
heatmap's key).
"""
from __future__ import annotations

import math

from .drawing import colour_bar, document, paragraph, shade, text
from . import terminal
from .terminal import SHADES

INK = " " + SHADES  # pixel 0 (blank) .. pixel_max (█)
CELL, GAP, MARGIN = 18, 22, 12


def spread(weights, side, P):
    """One value per patch (left to right, top to bottom) as a side x side
    grid: each patch's value over its P x P pixels.

    >>> spread([1, 2, 3, 4], 4, 2)
    [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    """
    across = side // P  # patches in a row
    return [[weights[(i // P) * across + j // P] for j in range(side)] for i in range(side)]


def rows_of(pixels, side):
    """A flat image, row by row, as side rows."""
    return [pixels[i * side:(i + 1) * side] for i in range(side)]


def cells(grid, top):
    """Each value as two characters of INK, the nearest of its five shades
    from blank (0) to █ (top).

    >>> cells([[0, 1, 8, 13, 16]], 16)
    ['    ▒▒▓▓██']
    """
    shade = lambda v: INK[min(len(INK) - 1, round(v / top * (len(INK) - 1)))] if top else INK[0]
    return ["".join(shade(v) * 2 for v in row) for row in grid]


def side_by_side(panels):
    """Text panels [(title, lines)] in boxes, left to right, titles over them.

    >>> for line in side_by_side([("a", ["ab", "cd"]), ("b", ["ef", "gh"])]):
    ...     print(line)
    a     b
    ┌──┐  ┌──┐
    │ab│  │ef│
    │cd│  │gh│
    └──┘  └──┘
    """
    boxes = [[title, "┌" + "─" * len(lines[0]) + "┐", *("│" + line + "│" for line in lines),
              "└" + "─" * len(lines[0]) + "┘"] for title, lines in panels]
    widths = [max(map(len, box)) for box in boxes]
    return ["  ".join(part.ljust(w) for part, w in zip(row, widths)).rstrip()
            for row in zip(*boxes)]


def image_and_heat(pixels, side, pixel_max, grid, heat_title):
    """The image and a heatmap on its grid, side by side, as text lines; the
    heatmap's darkest cell is its largest value; under them, its key."""
    return side_by_side([(f"the image ({side} x {side})", cells(rows_of(pixels, side), pixel_max)),
                         (heat_title, cells(grid, max(max(row) for row in grid)))]
                        ) + terminal.heatmap_key("image")


def overlay_svg(pixels, side, pixel_max, panels, title, note, columns=5):
    """SVG: each panel (caption, side x side grid of weights) as a heatmap
    with the image's ink laid over it (a dot per pixel, larger for more
    ink), `columns` a row, all on one colour scale from 0 to the largest
    weight."""
    per_row = min(len(panels), columns)
    top = max(max(max(row) for row in grid) for _, grid in panels) or 1.0
    size = side * CELL
    width = MARGIN * 2 + per_row * size + (per_row - 1) * GAP
    body, y = [], MARGIN
    lines, h = paragraph(MARGIN, y, title, max(width - 2 * MARGIN, 300), 14)
    body += lines
    y += h + 8
    for start in range(0, len(panels), per_row):
        for k, (caption, grid) in enumerate(panels[start:start + per_row]):
            x0 = MARGIN + k * (size + GAP)
            body.append(text(x0, y + 12, caption, 12))
            body += _panel(x0, y + 20, rows_of(pixels, side), pixel_max, grid, top)
        y += 20 + size + GAP
    bar, (_, h) = colour_bar(MARGIN, y, 0.0, top, "attention weight")
    body += bar
    lines, h_note = paragraph(MARGIN, y + h + 4, note, max(width - 2 * MARGIN, 300), 11,
                              fill="#555")
    body += lines
    return document(max(width, 330), math.ceil(y + h + 4 + h_note + MARGIN), body)


def _panel(x0, y0, image, pixel_max, grid, top):
    """One heatmap: a cell per pixel shaded by its weight, the ink a dark dot."""
    out = []
    for i, row in enumerate(grid):
        for j, w in enumerate(row):
            x, y = x0 + j * CELL, y0 + i * CELL
            out.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
                       f'fill="{shade(w / top)}"><title>{w:.4f}</title></rect>')
            ink = image[i][j] / pixel_max
            if ink > 0:
                r = 0.42 * CELL * math.sqrt(ink)  # the dot's area grows with the ink
                out.append(f'<circle cx="{x + CELL / 2}" cy="{y + CELL / 2}" r="{r:.1f}" '
                           f'fill="#333" fill-opacity="0.75"/>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{len(grid) * CELL}" height="{len(grid) * CELL}" '
               f'fill="none" stroke="#999"/>')
    return out
