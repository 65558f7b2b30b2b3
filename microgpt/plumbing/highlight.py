"""
highlight.py: Python source as HTML, each token coloured by its kind.

The book's code column (book.py): Python's own tokenize module splits the
source, and each comment, string, number, keyword, defined name and
builtin gets a <span> with a one-letter class (c, s, n, k, f, b) that
pages/book.css colours. Everything else is the text, HTML-escaped, so the
lines read exactly as the file does.

Builds on nothing in microgpt. Left out on purpose: a highlighter library
(the page is made by the standard library) and any language but Python.
"""
from __future__ import annotations

import html
import io
import keyword
import token
import tokenize

BUILTINS = {"len", "range", "zip", "enumerate", "print", "sum", "max", "min", "list", "dict",
            "set", "tuple", "isinstance", "sorted", "float", "int", "str", "open", "super",
            "getattr", "hasattr", "repr", "round", "abs", "any", "all", "map", "next", "iter"}


def highlight(text):
    """Each line of Python source as HTML, coloured by token kind."""
    lines = text.splitlines()
    out = [[] for _ in lines]
    row, col = 1, 0  # where the text written so far ends

    def emit(upto, css=None, piece_of=None):
        nonlocal row, col
        r2, c2 = upto
        while (row, col) < (r2, c2):  # one line at a time, for tokens over several lines
            end = c2 if row == r2 else len(lines[row - 1])
            piece = html.escape(lines[row - 1][col:end])
            out[row - 1].append(f'<span class="{css}">{piece}</span>' if css and piece else piece)
            if row == r2:
                col = c2
            else:
                row, col = row + 1, 0

    previous = None
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in (token.NEWLINE, token.NL, token.INDENT, token.DEDENT, token.ENDMARKER):
            continue
        emit(tok.start)  # the spaces before it
        css = None
        if tok.type == tokenize.COMMENT:
            css = "c"
        elif tok.type == token.STRING:
            css = "s"
        elif tok.type == token.NUMBER:
            css = "n"
        elif tok.type == token.NAME and keyword.iskeyword(tok.string):
            css = "k"
        elif tok.type == token.NAME and previous in ("def", "class"):
            css = "f"
        elif tok.type == token.NAME and tok.string in BUILTINS:
            css = "b"
        emit(tok.end, css)
        previous = tok.string
    return ["".join(parts) for parts in out]
