"""
matrices.py: a model's weight matrices as a table: each one's name, shape
and count, and the total, without building the model.

`param_table(config)` reads params.param_shapes and params.param_count;
its text is a ParamTable, a str that a notebook shows as an HTML table
(plumbing/notebook.py). train --verbose and python -m microgpt size print it.

Builds on params.py. Left out on purpose: the weights' values (a run's
state holds those), memory in bytes (plumbing/memory.py).
"""
from __future__ import annotations

from ..params import param_count, param_shapes


class ParamTable(str):
    """param_table's text; a notebook shows it as an HTML table (plumbing/notebook.py)."""


def param_table(config):
    """Every weight matrix with its shape and count, and the total, as text
    (a ParamTable: a str).

    >>> from microgpt.config import Config
    >>> print(param_table(Config()))
    matrix            shape     count
    wte               27 x 16     432
    wpe               16 x 16     256
    lm_head           27 x 16     432
    layer0.attn_wq    16 x 16     256
    layer0.attn_wk    16 x 16     256
    layer0.attn_wv    16 x 16     256
    layer0.attn_wo    16 x 16     256
    layer0.mlp_fc1    64 x 16    1024
    layer0.mlp_fc2    16 x 64    1024
    total                        4192
    """
    lines = [f"{'matrix':<17} {'shape':<8} {'count':>6}"]
    for name, rows, cols in param_shapes(config):
        lines.append(f"{name:<17} {f'{rows} x {cols}':<8} {rows * cols:>6}")
    lines.append(f"{'total':<26} {param_count(config):>6}")
    return ParamTable("\n".join(lines))
