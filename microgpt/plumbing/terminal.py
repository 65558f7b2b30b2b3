"""
terminal.py: pictures made of characters, for a terminal: a heatmap of a
T x T attention matrix as shades (or its numbers), the masked cells as dots.

Every column is as wide as the widest label (at least a cell's width, at
most LABEL_COLUMNS), counted in the columns a terminal gives a character,
so the rows of a BPE model's heatmap line up; a label too long for its
column is cut (…) and written in full under the heatmap. Invisible
characters are drawn (␣ for a space: labels.visible). `heatmap_key` is the
key every heatmap is printed with (and the explorer page shows): what each
shade means, its scale, and what to look for in that kind of attention.

Builds on labels.py. svg.py draws the same matrices as a picture.
"""
from __future__ import annotations

from .labels import clip, columns, pad, visible

SHADES = "░▒▓█"  # weight 0 .. 1; even 0 gets the lightest, so the triangle shows
LABEL_COLUMNS = 8  # the widest a column gets; longer labels are cut to fit
LOOK_FOR = {  # what to look for, by kind of attention (three_kinds.KINDS' names too)
    "causal": "each row sums to 1; the upper triangle of {masked} cells is the causal mask: a "
              "position cannot see the future; a heavy diagonal is a head looking at the current "
              "token, the column left of it the previous one; a heavy first column, a head "
              "resting on BOS",
    "whole": "each row sums to 1 over every position, later ones too: no causal mask ({masked} "
             "only where the mask hides PAD); a heavy column is a token every position reads",
    "cross": "each row (a character written) sums to 1 over the source: its heaviest cell is the "
             "source character read to write it; copying draws a diagonal, reversing the "
             "anti-diagonal",
    "image": "heavy cells on the digit's strokes are the patches CLS reads to tell the digit; "
             "heavy cells on blank paper, a head that learned little",
}
SAME_AS = {"decoder": "causal", "encoder": "whole", "additive": "cross", "dot": "cross"}


def heatmap_key(kind, numbers=False, page=False):
    """The key to a heatmap of one kind of attention (LOOK_FOR's, or
    SAME_AS's): what each shade (numbers=True: number; page=True: the
    explorer's colour) means and its scale, then what to look for.

    >>> print(heatmap_key("decoder")[0][:62])
    key: ░ weight under 0.25, ▒ 0.25 to 0.5, ▓ 0.5 to 0.75, █ 0.75
    """
    kind = SAME_AS.get(kind, kind)
    if kind == "image":  # pixels.cells: scaled to the picture's largest value
        scale = ("blank: under 1/8 of the largest weight, ░ about 1/4, ▒ 1/2, ▓ 3/4, █ the "
                 "largest; one scale for the whole picture (the darkest cell is its largest)")
    else:
        shades = ("each number is the weight" if numbers else
                  "white: weight 0, dark blue: weight 1" if page else
                  " ".join(f"{s} {w}," for s, w in zip(SHADES, ("weight under 0.25", "0.25 to 0.5",
                                                               "0.5 to 0.75")))
                  + f" {SHADES[-1]} 0.75 to 1")
        heavy = "0.5 and over" if numbers else "dark blue" if page else "▓ and █"
        scale = shades + f"; one scale for every row and head (not rescaled per row); heavy: {heavy}"
    return ["key: " + scale, "look for: " + LOOK_FOR[kind].format(masked="grey" if page else "dotted")]


def shade(w):
    """Two characters whose darkness shows w in [0, 1].

    >>> [shade(w) for w in (0.0, 0.3, 0.6, 1.0)]
    ['░░', '▒▒', '▓▓', '██']
    """
    return SHADES[min(int(w * len(SHADES)), len(SHADES) - 1)] * 2


def heatmap_text(matrix, labels, numbers=False, masked=None, col_labels=None):
    """The T x T matrix as text rows; the masked future (or what masked[i][j]
    marks) is shown as dots. col_labels: the columns', when they differ from
    the rows' (cross-attention: output x source). Labels cut to fit are
    listed in full after the rows.

    >>> for line in heatmap_text([[1.0, 0.0], [0.25, 0.75]], ["BOS", " cholera"]):
    ...     print(line + "|")                   # every row as wide as the next
              BOS   ␣chole… |
        BOS    ██      ·    |
    ␣chole…    ▒▒      ██   |
    (cut to fit: ␣chole… is ␣cholera)|
    """
    rows = [visible(label) for label in labels]
    cols = rows if col_labels is None else [visible(label) for label in col_labels]
    fit = lambda label: clip(label, LABEL_COLUMNS - 1)  # a space between two columns' labels
    cell = max(5 if numbers else 4, max(columns(fit(label)) for label in cols) + 1)
    width = max(columns(fit(label)) for label in rows)
    lines = [" " * width + " " + "".join(pad(fit(label), cell) for label in cols)]
    for i, row in enumerate(matrix):
        cells = []
        for j, w in enumerate(row):
            if (masked[i][j] if masked else j > i):
                cells.append("·".center(cell))          # masked: the future, or PAD
            elif numbers:
                cells.append(f"{w:.2f}".rjust(cell))
            else:
                cells.append(shade(w).center(cell))
        lines.append(pad(fit(rows[i]), width, "right") + " " + "".join(cells))
    cut = sorted({label for label in rows + cols if fit(label) != label}, key=(rows + cols).index)
    if cut:
        lines.append("(cut to fit: " + "; ".join(f"{fit(label)} is {label}" for label in cut) + ")")
    return lines
