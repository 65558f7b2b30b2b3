"""
notebook.py: what a learner's objects look like in a Jupyter notebook.

In Jupyter, the last value of a cell is shown by the richest picture its
type offers. These functions are those pictures:

    trace_svg(positions)     a trace (readout.trace): every layer and head's heatmap
    run_html(state)          a run (training.RunState): one line and its loss curve
    param_table_html(table)  matrices.param_table's text as an HTML table

The algorithm's types cannot draw themselves (the algorithm never imports
the plumbing), so `register(ipython)` tells IPython which function draws
which type, by the type's name: nothing is imported until a picture is
asked for. It is an IPython extension: `%load_ext microgpt.plumbing.notebook`
in a notebook's first cell calls it (load_ipython_extension); nothing is
hooked up by importing microgpt itself. Without it, the objects print as
text, as outside Jupyter.

Builds on svg.py. Left out on purpose: widgets and JavaScript (the explorer
page, python -m microgpt explore, is the interactive view).
"""
from __future__ import annotations

from html import escape

from . import svg

def trace_svg(positions):
    """Every layer and head's attention over the trace's tokens, as one SVG:
    a row per layer, a column per head."""
    read = "".join(p.token for p in positions[1:])
    return svg.trace_heatmaps(positions, title=f"attention while reading {read!r}")


def run_html(state):
    """A run's one-line summary, and its loss curve once it has taken steps."""
    line = f"<p><code>{escape(repr(state))}</code></p>"
    return line + (svg.loss_chart(state.losses) if len(state.losses) > 1 else "")


def param_table_html(table):
    """matrices.param_table's columns (matrix, shape, count) as an HTML table."""
    rows = [line.split("  ") for line in str(table).splitlines()]
    rows = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    head, body = rows[0], rows[1:]
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    out = [f"<table><thead><tr>{cells}</tr></thead><tbody>"]
    for row in body:
        if len(row) == 2:  # the total: no shape
            row = [row[0], "", row[1]]
        out.append("<tr>" + "".join(f'<td style="text-align:{a}">{escape(c)}</td>'
                                    for c, a in zip(row, ("left", "left", "right"))) + "</tr>")
    return "".join(out) + "</tbody></table>"


PICTURES = (  # (mime type, module, type name, function name in this module)
    ("image/svg+xml", "microgpt.instruments.readout", "Trace", "trace_svg"),
    ("text/html", "microgpt.training", "RunState", "run_html"),
    ("text/html", "microgpt.instruments.matrices", "ParamTable", "param_table_html"),
)


def register(ipython):
    """Tell an IPython shell to draw each type of PICTURES with its function."""
    formatters = ipython.display_formatter.formatters
    for mime, module, name, function in PICTURES:
        formatters[mime].for_type_by_name(module, name, globals()[function])


def load_ipython_extension(ipython):
    """`%load_ext microgpt.plumbing.notebook`: draw microgpt's objects as pictures."""
    register(ipython)
