"""
heatmaps.py: matrices as heatmaps, laid out in a grid that fits a page.

A model's heads draw as one grid: a row per layer, a column per head, each
panel captioned ("layer 1, head 2"), under a title that says what was read
by which model. Every cell is shaded on one colour scale (0..1 for
attention weights, or the matrices' own min..max), whose legend bar sits
under the grid. A cell is grey only where the caller says a mask hid it, so
any matrix (the similarities of positional encodings, an encoder's full
attention) draws as it is. The cells shrink as the text grows; a cell too
small for its number keeps it in its tooltip (the cell's <title>); column
labels stand upright when they are wider than a cell; every caption is
wrapped to the room it has.

Builds on drawing.py and labels.py. Left out on purpose: a diverging colour
scale (a negative similarity is as light as the scale's low end), zoom.
"""
from __future__ import annotations

import math

from .drawing import MASKED, colour_bar, document, paragraph, shade, swatch, text, text_width
from .labels import visible

NOTE = "rows: query position, columns: key position"
BOS_LABEL = "<BOS>"  # trace.BOS_LABEL; this module reads traces without importing the model
MARGIN, GAP_X, GAP_Y = 12, 24, 18


def heatmaps(panels, labels, hidden=None, **options):
    """T x T matrices in a grid: panels (caption, matrix) each; labels: the
    T positions' (rows and columns alike); hidden: None (no mask: every
    cell drawn) or per panel T x T booleans, True where a mask hid the cell
    (grey). options: those of grids."""
    return grids([(caption, matrix, labels, labels, hidden[n] if hidden else None)
                  for n, (caption, matrix) in enumerate(panels)], **options)


def grids(panels, cell=None, columns=None, title=None, note=NOTE, masked="masked",
          scale=(0.0, 1.0), measure="attention weight"):
    """Matrices of any shape in a grid of `columns` panels a row (default:
    up to 4). panels: (caption, matrix, row labels, column labels, hidden)
    each, hidden None or booleans (True: masked, grey). cell: a cell's side
    (default 28, less for long texts or many columns); title: over the
    grid; note: under it; masked: what grey means (said only if a cell is
    grey); scale: (lo, hi) of the colours, or None for the values' own;
    measure: what the values are, the colour bar's title."""
    columns = max(1, min(columns or 4, len(panels)))
    widest = max(len(p[3]) for p in panels)
    cell = cell or max(8, min(28, int((1200 / columns - 60) / widest)))
    size = min(11.0, max(6.0, round(cell * 0.45, 1)))              # the labels' font
    digits = min(9.0, round(cell * 0.33, 1)) if cell >= 22 else 0  # the numbers': 0, none
    rows = [[visible(str(label)) for label in p[2]] for p in panels]
    cols = [[visible(str(label)) for label in p[3]] for p in panels]
    shown = [w for _, m, _, _, hide in panels for i, r in enumerate(m) for j, w in enumerate(r)
             if not (hide and hide[i][j])]
    lo, hi = scale or (min(shown, default=0.0), max(shown, default=1.0))
    left = math.ceil(max(text_width(l, size) for r in rows for l in r)) + 6
    upright = [_crowded([text_width(l, size) for l in c], cell) for c in cols]  # per panel
    band = math.ceil(max([size] + [text_width(l, size) for c, up in zip(cols, upright) if up
                                   for l in c])) + 6  # the column labels' height
    grid = [list(range(n, min(n + columns, len(panels)))) for n in range(0, len(panels), columns)]
    widths = [max(left + cell * max(len(cols[n]) for row in grid for n in row[k:k + 1]), 110)
              for k in range(columns)]  # at least room for a caption such as "layer 0, head 0"
    needed = max(sum(widths) + GAP_X * (columns - 1), 400, min(text_width(title or "", 14), 1000))
    width = math.ceil(needed) + 2 * MARGIN
    inner = width - 2 * MARGIN
    body, y = [], MARGIN
    if title:
        lines, h = paragraph(MARGIN, y, title, inner, 14)
        body += lines
        y += h + 6
    grey = False
    for row in grid:
        xs = [MARGIN + sum(widths[:k]) + GAP_X * k for k in range(len(row))]
        # a caption may reach into the gap after its panel, the last one to the edge
        room = [w + GAP_X - 6 for w in widths[:len(row) - 1]] + [MARGIN + inner - xs[-1]]
        captions = [paragraph(x, y, panels[n][0], w, 12) for n, x, w in zip(row, xs, room)]
        top = y + max(h for _, h in captions) + band  # the cells' top
        for n, x, (lines, _) in zip(row, xs, captions):
            body += lines
            body += _cells(x + left, top, panels[n], rows[n], cols[n], cell, size, digits,
                           upright[n], lo, hi)
            grey = grey or any(any(r) for r in panels[n][4] or [])
        y = top + cell * max(len(rows[n]) for n in row) + GAP_Y
    bar, (used, h) = colour_bar(MARGIN, y, lo, hi, measure)
    body += bar
    if grey:
        mark, w = swatch(MARGIN + used, y, MASKED, masked)
        body += mark
    lines, h_note = paragraph(MARGIN, y + h + 4, note, inner, 11, fill="#555") if note else ([], 0)
    body += lines
    return document(width, math.ceil(y + h + 4 + h_note + MARGIN), body)


def _crowded(widths, cell):
    """True if labels of these widths, centred over cells of this side, would
    touch: each may reach half a cell into its neighbours' room, not more."""
    return (any(w > 1.5 * cell for w in widths) or
            any(a + b > 2 * cell - 4 for a, b in zip(widths, widths[1:])))


def _cells(x0, y0, panel, rows, cols, cell, size, digits, upright, lo, hi):
    """One panel's labels and cells, its first cell's corner at (x0, y0)."""
    _, matrix, _, _, hide = panel
    out = []
    for j, label in enumerate(cols):
        cx = x0 + j * cell + cell / 2
        if upright:  # read bottom to top, ending just above the cells
            bx, by = round(cx + size * 0.35, 1), y0 - 4
            out.append(text(bx, by, label, size, extra=f' transform="rotate(-90 {bx} {by})"'))
        else:
            out.append(text(cx, y0 - 5, label, size, anchor="middle"))
    for i, label in enumerate(rows):
        y = y0 + i * cell
        out.append(text(x0 - 4, round(y + cell / 2 + size * 0.35, 1), label, size, anchor="end"))
        for j, w in enumerate(matrix[i]):
            x = x0 + j * cell
            if hide and hide[i][j]:
                out.append(f'<rect class="cell" x="{x}" y="{y}" width="{cell}" height="{cell}" '
                           f'fill="{MASKED}"/>')
                continue
            f = (w - lo) / (hi - lo) if hi > lo else 0.5
            out.append(f'<rect class="cell" x="{x}" y="{y}" width="{cell}" height="{cell}" '
                       f'fill="{shade(f)}" stroke="white"><title>{w:.4f}</title></rect>')
            if digits:
                out.append(text(x + cell / 2, round(y + cell / 2 + digits * 0.35, 2), f"{w:.2f}",
                                digits, anchor="middle", fill="white" if f > 0.55 else "black"))
    return out


def trace_heatmaps(positions, title=None, **options):
    """A trace's heads (readout.trace's or trace_whole's Positions) as one
    grid: a row per layer, a column per head, grey where a head could not
    see a key. The matrices and masks are readout.attention_matrix's and
    readout.hidden's, rebuilt here: a notebook draws a trace without this
    module importing the model. options: those of grids."""
    labels = ["BOS" if p.token == BOS_LABEL else p.token for p in positions]
    n_layer, n_head, T = len(positions[0].layers), len(positions[0].layers[0]), len(positions)
    panels, hidden = [], []
    for layer in range(n_layer):
        for head in range(n_head):
            row = [p.layers[layer][head] for p in positions]  # (T,) Heads, one per query
            panels.append((f"layer {layer}, head {head}",
                           [h.attn_weights + [0.0] * (T - len(h.attn_weights)) for h in row]))
            hidden.append([[j >= len(h.attn_logits) or h.attn_logits[j] == float("-inf")
                            for j in range(T)] for h in row])
    future = T > 1 and all(m[i][j] for m in hidden for i in range(T) for j in range(i + 1, T))
    pad = any(m[i][j] and not (future and j > i)  # any other cell a mask hid: a PAD key
              for m in hidden for i in range(T) for j in range(T))
    kinds = (("the future (causal mask)", future), ("PAD (padding mask)", pad))
    options.setdefault("masked", "masked: " + " and ".join(w for w, seen in kinds if seen))
    return heatmaps(panels, labels, hidden, columns=n_head, title=title, **options)
