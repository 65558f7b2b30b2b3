"""
labels.py: a token as a picture shows it. A space, a newline or a tab is
text a learner cannot see, yet BPE tokens are full of them (" the", "\\n"):
`visible` draws them as signs, in the terminal and in SVG alike. A BPE
token is several characters long, so a terminal heatmap's columns keep
their width only if every label is cut to one width (`clip`), measured in
the columns a terminal gives each character (`columns`: two for a wide
East Asian one, none for a combining accent).

Builds on nothing. Left out on purpose: a full terminal-width table
(emoji sequences, ambiguous widths count as one column).
"""
from __future__ import annotations

import unicodedata

SIGNS = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5"}  # ␣ ↵ ⇥, as the explorer page has them


def visible(label):
    """label with its invisible characters drawn: a space as ␣, a newline
    as ↵, a tab as ⇥, any other control, format or separator character as
    its code point.

    >>> visible(" the\\n"), visible("a\\tb"), visible("\\x0b\\u00a0"), visible("emma")
    ('␣the↵', 'a⇥b', 'U+000BU+00A0', 'emma')
    """
    out = []
    for ch in label:
        if ch in SIGNS:
            out.append(SIGNS[ch])
        elif unicodedata.category(ch)[0] in "CZ":  # Cc, Cf, Zs, Zl, Zp...: nothing to see
            out.append(f"U+{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def char_columns(ch):
    """The columns a terminal gives one character."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def columns(text):
    """The terminal columns text takes.

    >>> columns("emma"), columns("\u732b\u732b"), columns("e\u0301")
    (4, 4, 1)
    """
    return sum(char_columns(ch) for ch in text)


def clip(text, width):
    """text cut to at most width columns, ending in … when cut.

    >>> clip("chole", 8), clip("cholecystitis", 8), clip("\u732b\u732b\u732b\u732b\u732b", 8)
    ('chole', 'cholecy…', '\u732b\u732b\u732b…')
    """
    if columns(text) <= width:
        return text
    out, used = "", 1  # room for the …
    for ch in text:
        if used + char_columns(ch) > width:
            break
        out, used = out + ch, used + char_columns(ch)
    return out + "\u2026"


def pad(text, width, align="center"):
    """text padded with spaces to width columns: "center" (as str.center
    would, counting columns where it counts characters), "right" or "left".

    >>> pad("ab", 5), pad("猫", 5, "right")
    ('  ab ', '   猫')
    """
    room = max(width - columns(text), 0)
    left = {"right": room, "left": 0}.get(align, room // 2 + (room & width & 1))
    return " " * left + text + " " * (room - left)
