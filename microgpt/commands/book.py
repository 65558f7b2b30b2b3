"""
book.py: the command `python -m microgpt book --html book.html`: the source
as a book, read from the installed modules, so it never goes stale.

One chapter per module of READING_ORDER, in that order: the module's
docstring, then its code in the right-hand column with its comments as prose
beside it, as the classic annotated-source pages do (each block of
full-line comments starts a row). The sidebar gives each module's one-line
summary from READING_ORDER's comments; every mention of a module's file
("model.py") links to its chapter. Code is coloured from Python's own tokenize module and a few
CSS rules (pages/book.css); the page prints as one chapter per page.

Builds on cli.py and highlight.py (the code's colours). Left out on
purpose: a highlighter or markdown library, and any network fetch: the page
is one file.
"""
from __future__ import annotations

import ast
import html
import io
import re
import token
import tokenize
from importlib import resources, util

from ..plumbing import cli
from ..plumbing.highlight import highlight

PROG = "python -m microgpt book"
def source_of(name):
    """The text of module microgpt.NAME (name "": microgpt/__init__.py), as
    installed; found, not imported, so nothing runs."""
    with open(util.find_spec("microgpt" + ("." + name if name else "")).origin,
              encoding="utf-8") as f:
        return f.read()


def reading_order():
    """[(heading or None, module, summary)] from the READING_ORDER tuple in
    __init__.py's source: a comment on a line of its own heads a group, the
    comment after a module's name is its summary."""
    text = source_of("")
    rows, heading, inside, last, last_line = [], None, False, None, 0
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == token.NAME and tok.string == "READING_ORDER":
            inside = True
        elif inside and tok.type == token.STRING:
            last = [heading, tok.string.strip("\"'"), ""]
            rows.append(last)
            heading = None
        elif inside and tok.type == tokenize.COMMENT:
            comment = tok.string.lstrip("#").strip()
            if last is not None and tok.start[0] == last_line:
                last[2] = comment
            else:
                heading = comment
        elif inside and tok.type == token.OP and tok.string == ")":
            break
        if inside and tok.type == token.STRING:
            last_line = tok.start[0]
    return [tuple(row) for row in rows]


def prose(text, modules):
    """Plain text (a docstring, comments) as HTML: paragraphs, indented
    blocks as code, "- " lists, `code`, and module files linked."""
    if not text.strip():
        return ""
    blocks, out = re.split(r"\n\s*\n", text.strip("\n")), []
    for block in blocks:
        lines = block.splitlines()
        if all(l.startswith("    ") or not l.strip() for l in lines):
            out.append("<pre>" + html.escape("\n".join(l[4:] for l in lines)) + "</pre>")
            continue
        inline = html.escape(" ".join(l.strip() for l in lines))
        inline = re.sub(r"`([^`]+)`", r"<code>\1</code>", inline)
        inline = re.sub(r"\b([\w/]+)\.py\b", lambda m: link(m, modules), inline)
        if block.lstrip().startswith("- "):
            items = re.split(r"(?:^|\s)- ", inline)
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items if i.strip()) + "</ul>")
        else:
            out.append(f"<p>{inline}</p>")
    return "\n".join(out)


def link(match, modules):
    """A mention of a module's file as a link to its chapter (when it is one)."""
    short = match.group(1).replace("/", ".").split(".")[-1]
    names = [m for m in modules if m.split(".")[-1] == short]
    return f'<a href="#{names[0]}">{match.group(0)}</a>' if names else match.group(0)


def rows_of(text):
    """The module as (comment text, first line, last line) rows, past its
    docstring: a block of full-line comments begins a row; its code follows."""
    lines, body = text.splitlines(), ast.parse(text).body
    docstring = body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    body_start = body[0].end_lineno if docstring else 0
    rows, comment, start = [], [], body_start
    for i in range(body_start, len(lines)):
        stripped = lines[i].strip()
        if stripped.startswith("#") and not stripped.startswith("#!"):
            if not comment and i > start:  # code so far ends a row
                rows.append(("", start, i))
            if not comment:
                start = i
            comment.append(stripped.lstrip("#")[1:] if stripped != "#" else "")
        elif comment:
            rows.append(("\n".join(comment), start, i))  # the comment lines themselves are prose
            comment, start = [], i
    rows.append(("\n".join(comment), start, len(lines)))
    return [(c, a, b) for c, a, b in rows if c or any(l.strip() for l in lines[a:b])]


def chapter(name, summary, modules):
    text = source_of(name)
    lines, coloured = text.splitlines(), highlight(text)
    doc = re.match(r'\s*(?:[rRuU]?"""(.*?)"""|[rRuU]?\'\'\'(.*?)\'\'\')', text, re.S)
    intro = prose((doc.group(1) or doc.group(2) or "") if doc else "", modules)
    path = "microgpt/" + name.replace(".", "/") + ".py"
    parts = [f'<section class="chapter" id="{name}">',
             f'<h2><span class="path">{path}</span> <span class="summary">{html.escape(summary)}</span></h2>',
             f'<div class="intro">{intro}</div>', '<div class="rows">']
    merged = []  # a comment row and the code after it, as one prose | code pair
    for comment, a, b in rows_of(text):
        code = [i for i in range(a, b) if not (comment and lines[i].strip().startswith("#"))]
        if comment and merged and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + "\n\n" + comment, [])
        elif comment or not merged:
            merged.append((comment, []))
        merged[-1] = (merged[-1][0], merged[-1][1] + code)
    for comment, code in merged:
        while code and not lines[code[-1]].strip():
            code.pop()
        if not comment and not code:
            continue
        parts.append(f'<div class="prose">{prose(comment, modules)}</div>')
        parts.append('<pre class="code">' + "\n".join(coloured[i] for i in code) + "</pre>")
    parts.append("</div></section>")
    return "\n".join(parts)


def book():
    """The whole book as one HTML page."""
    order = reading_order()
    modules = [m for _, m, _ in order]
    contents, chapters = [], []
    for heading, name, summary in order:
        if heading:
            contents.append(f'<li class="group">{html.escape(heading)}</li>')
        contents.append(f'<li><a href="#{name}"><b>{name}</b><br><span>{html.escape(summary)}</span></a></li>')
        chapters.append(chapter(name, summary, modules))
    start = prose(ast.get_docstring(ast.parse(source_of(""))), modules)
    css = resources.files("microgpt").joinpath("pages", "book.css").read_text(encoding="utf-8")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>microgpt: the source as a book</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
            f'<nav id="contents"><h1>microgpt</h1><ol>{"".join(contents)}</ol></nav>\n<main>\n'
            f'<section class="chapter" id="start"><h2>microgpt: the source as a book</h2>'
            f'<div class="intro">{start}</div></section>\n' + "\n".join(chapters)
            + "\n</main>\n</body>\n</html>\n")


def main(argv=None):
    p = cli.ArgumentParser(prog=PROG, description=(
        "Write microgpt's source as one web page: every module in reading order, "
        "its comments beside its code."))
    p.add_argument("--html", metavar="FILE", required=True, help="the page to write")
    args = p.parse_args(argv)
    cli.check_output(PROG, "--html", args.html)
    text = book()
    cli.write(PROG, args.html, text, f"the book ({len(text.encode()) / 1000:.0f} KB)")


if __name__ == "__main__":
    cli.run(main)
