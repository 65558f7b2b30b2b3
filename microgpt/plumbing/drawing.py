"""
drawing.py: the pieces the SVG pictures are made of.

A document whose viewBox lets a browser shrink it to its page; text whose
width is estimated, so a caption is wrapped to the room it has instead of
running off the edge; round tick values (a step of 1, 2 or 5 times a power
of ten); the colour scale heatmaps are shaded by, and its legend bar; the
dash patterns and markers that keep lines apart where they coincide.

Builds on nothing. Left out on purpose: real font metrics. The estimate
errs wide (it assumes DejaVu Sans, the widest common sans-serif), so text
fits in whichever sans-serif font the browser picks.
"""
from __future__ import annotations

import math
import unicodedata
from html import escape as escape_html


SHRINK = ' style="max-width:100%;height:auto"'  # a picture wider than its page shrinks to fit
MASKED = "#e8e8e8"  # the grey of a cell a mask hid
DASHES = ("", "7 3", "2 2", "9 3 2 3", "4 4", "12 3 2 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "plus")


class Codes(dict):
    """str.translate's table: each character a picture must not hold as it
    is, shown as its code (U+202E): those XML cannot hold (most controls, a
    lone surrogate, U+FFFE), and those that would move or hide the text
    around them (the rest of the controls, a tab, a newline; format
    characters, Unicode's Cf, such as the bidi override U+202E, which would
    draw the rest of a label backwards; the line separators). Filled as
    characters are met."""

    def __missing__(self, code):
        hidden = (unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
                  or code in (0xFFFE, 0xFFFF))
        self[code] = shown = f"U+{code:04X}" if hidden else code
        return shown


CODES = Codes()


def escape(text):
    """text as XML character data: &, <, > and quotes escaped, and every
    control or format character shown as its code (Codes).

    >>> escape("a<b\x0b\u202ec\\td")
    'a&lt;bU+000BU+202EcU+0009d'
    """
    return escape_html(text).translate(CODES)


def document(width, height, body):
    """An SVG picture of width x height units, on white: at its natural size
    where there is room, shrunk to the page's width where there is not."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif"{SHRINK}>\n'
            f'<rect width="{width}" height="{height}" fill="white"/>\n'
            + "\n".join(body) + "\n</svg>\n")


def em(ch):
    """A character's width, in units of the font size (DejaVu Sans's, rounded up)."""
    if unicodedata.combining(ch):
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F") or ch in "mwMW@%\u2026":
        return 1.0
    if ch in "ijltf.,:;'!|()[]{} ":
        return 0.4
    if ch.isascii() and ch.isupper():
        return 0.8
    if ch.isascii() and (ch.islower() or ch.isdigit()):
        return 0.64
    return 0.85  # signs (=, +, <, ...) and symbols (␣, ↵)


def text_width(text, size):
    """The width text takes at font size `size`, estimated (a little wide).

    >>> text_width("emma", 10), text_width("layer 0", 10)
    (32.8, 40.0)
    """
    return round(size * sum(em(ch) for ch in text), 3)


def wrap(text, width, size):
    """text as lines that each fit in width at font size `size`: broken at
    spaces, and a word too long for a line of its own cut where it must.

    >>> wrap("rows: query position, columns: key position", 130, 10)
    ['rows: query position,', 'columns: key position']
    >>> wrap("cholecystitis", 40, 10)
    ['cholec', 'ystitis']
    """
    lines, line = [], ""
    for word in text.split(" "):
        joined = f"{line} {word}" if line else word
        if text_width(joined, size) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:  # the word on lines of its own, cut where it does not fit
            if line and text_width(line + ch, size) > width:
                lines.append(line)
                line = ""
            line += ch
    return lines + [line] if line or not lines else lines


def text(x, y, content, size, anchor="start", fill=None, extra=""):
    """One <text> element at (x, y), its baseline."""
    colour = f' fill="{fill}"' if fill else ""
    align = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (f'<text x="{x:g}" y="{y:g}" font-size="{size:g}"{align}{colour}{extra}>'
            f'{escape(content)}</text>')


def paragraph(x, y, content, width, size, fill=None):
    """content wrapped to width, a <text> per line, the first line's top at
    y: (the elements, the whole height they take). Wrapped, the lines are a
    group whose <title> holds content whole (a tooltip, and a search finds it)."""
    rows = wrap(content, width, size)
    step = round(size * 1.3, 1)
    lines = [text(x, round(y + size + k * step, 1), row, size, fill=fill)
             for k, row in enumerate(rows)]
    if len(rows) > 1:
        lines = [f"<g><title>{escape(content)}</title>", *lines, "</g>"]
    return lines, math.ceil(len(rows) * step + size * 0.3)


def nice_ticks(lo, hi, count=5):
    """About count round values from lo to hi: multiples of a step of 1, 2
    or 5 times a power of ten (the step nearest (hi - lo) / count).

    >>> nice_ticks(0, 1)
    [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    >>> nice_ticks(2.31, 3.37)
    [2.4, 2.6, 2.8, 3.0, 3.2]
    >>> nice_ticks(1, 300)
    [50.0, 100.0, 150.0, 200.0, 250.0, 300.0]
    >>> nice_ticks(-0.013, 0.021, 4)
    [-0.01, 0.0, 0.01, 0.02]
    """
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / count
    power = 10.0 ** math.floor(math.log10(raw))
    f = raw / power
    step = (1 if f < 1.5 else 2 if f < 3 else 5 if f < 7 else 10) * power
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return [round(k * step, 12) + 0.0 for k in range(first, last + 1)]


def tick_text(value, ticks):
    """A tick's label, with the decimals its step needs.

    >>> [tick_text(t, [-0.2, 0.0, 0.2]) for t in (-0.2, -1e-17, 0.2)]
    ['-0.2', '0.0', '0.2']
    >>> tick_text(150.0, [50.0, 100.0])
    '150'
    """
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(value) or 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    label = f"{value:.{decimals}f}"
    return label.lstrip("-") if float(label) == 0 else label  # never "-0.0"


def shade(fraction):
    """White (0) to dark blue (1): the colour of a cell."""
    w = min(max(fraction, 0.0), 1.0)
    return f"rgb({round(255 - 225 * w)},{round(255 - 180 * w)},{round(255 - 90 * w)})"


def colour_bar(x, y, lo, hi, title, width=160):
    """The legend of the colour scale: title, then a bar shaded from lo to hi
    with round values under it. (elements, (width, height) taken)."""
    label = text(x, y + 10, title, 11)
    x0 = x + round(text_width(title, 11)) + 8
    body = [label, '<defs><linearGradient id="microgpt-shade">'  # shade() is linear: two stops
                   f'<stop offset="0" stop-color="{shade(0)}"/>'
                   f'<stop offset="1" stop-color="{shade(1)}"/></linearGradient></defs>',
            f'<rect x="{x0}" y="{y}" width="{width}" height="11" fill="url(#microgpt-shade)" '
            f'stroke="#999"/>']
    ticks = nice_ticks(lo, hi, 4)
    for t in ticks:
        tx = round(x0 + width * (t - lo) / (hi - lo), 1) if hi > lo else x0
        body.append(f'<line x1="{tx}" y1="{y + 11}" x2="{tx}" y2="{y + 14}" stroke="#555"/>')
        body.append(text(tx, y + 24, tick_text(t, ticks), 10, anchor="middle"))
    return body, (x0 + width + 12 - x, 26)


def swatch(x, y, colour, label):
    """A small square of colour and what it means. (elements, width taken)."""
    return ([f'<rect x="{x}" y="{y}" width="11" height="11" fill="{colour}" stroke="#999"/>',
             text(x + 16, y + 10, label, 11)], 16 + round(text_width(label, 11)) + 12)


def marker(kind, x, y, colour, r=3.0):
    """A point's marker: one of MARKERS, centred on (x, y)."""
    paint = f'fill="{colour}" stroke="{colour}"'
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {paint}/>'
    if kind == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" {paint}/>'
    corners = {"triangle": ((0, -1.2), (1.1, 0.9), (-1.1, 0.9)),
               "diamond": ((0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0))}.get(kind)
    if corners:
        points = " ".join(f"{x + r * dx:.1f},{y + r * dy:.1f}" for dx, dy in corners)
        return f'<polygon points="{points}" {paint}/>'
    arms = {"cross": ((-1, -1, 1, 1), (-1, 1, 1, -1))}.get(kind, ((-1.2, 0, 1.2, 0), (0, -1.2, 0, 1.2)))
    return "".join(f'<line x1="{x + r * a:.1f}" y1="{y + r * b:.1f}" x2="{x + r * c:.1f}" '
                   f'y2="{y + r * d:.1f}" stroke="{colour}" stroke-width="1.5"/>'
                   for a, b, c, d in arms)  # a cross, or a plus
