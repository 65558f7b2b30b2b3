"""
floats.py: the engine on plain floats: the forward pass with no graph.

Training needs the graph (value.py) for its gradients; reading a text or
sampling does not. So when the numbers are plain floats instead of Values,
fused.py's dot, dots, vsum and softmax compute here: the same sums, with
the same float operations in the same order, and no node made. model.gpt()
then runs unchanged on floats and gives the very logits it gives on Values
holding the same numbers, while the weights can be held compactly: rows of
the array module's 'f' type take 4 bytes a weight, where a Value (its
object, its float, its gradient) takes about a hundred. That is how GPT-2's
124M weights fit in this machine's memory (docs/gpt2.md has the figures).

What gpt() asks of a number besides arithmetic, `Data` answers: the
functions here return it, a plain float that also has what a Value has in
the forward pass: .data (the float itself, as a Value's .data is its
float), .relu() and .gelu() (Value's ops, on the float), and division as
the reference writes it, x * n ** -1, not x / n (the two can differ in the
last bit).

    >>> y = dot([1.0, 2.0], [3.0, 4.0])
    >>> y, y.data, y / 4, Data(-1.5).relu(), round(Data(2.0).gelu(), 4)
    (11.0, 11.0, 2.75, 0.0, 1.9546)

Builds on value.py (GELU_C, GPT-2's GELU constant). Left out on purpose:
gradients (a float has none: to train, use Values), and a float path for
the loss, which only training needs.
"""
from __future__ import annotations

import math

from .value import GELU_C


class Data(float):
    """A plain float with what the forward pass asks of a Value: .data,
    .relu(), .gelu(), and division as multiplication by the inverse. Any
    other arithmetic is float's own and gives a plain float."""

    __slots__ = ()

    @property
    def data(self):
        return float(self)

    def relu(self):  # Value.relu's max(0, x)
        return float(self) if self > 0 else 0.0

    def gelu(self):  # Value.gelu's forward value, the same float operations
        x = float(self)
        t = math.tanh(GELU_C * (x + 0.044715 * (x * x * x)))
        return 0.5 * x * (1 + t)

    def __truediv__(self, other):  # Value's a / b = a * b ** -1
        return float(self) * other ** -1


def dot(ws, xs):
    """w0*x0 + w1*x1 + ..., a left fold from 0, as fused.dot adds."""
    acc = 0.0
    for w, x in zip(ws, xs):
        acc += w * x
    return Data(acc)


def dots(rows, xs, bias=None):
    """[dot(row, xs) (+ b) for each row (and bias entry b)]: a linear layer.
    The bias is added after the sum, as fused.dots adds it on Values."""
    xs = [float(x) for x in xs]  # (n_in,) plain floats: read once for all rows
    out = []
    for ws in rows:
        acc = 0.0
        for w, x in zip(ws, xs):
            acc += w * x
        out.append(acc)
    if bias is not None:
        out = [y + b for y, b in zip(out, bias)]
    return [Data(y) for y in out]


def vsum(xs):
    """x0 + x1 + ..., a left fold from 0, as fused.vsum adds."""
    acc = 0.0
    for x in xs:
        acc += x
    return Data(acc)
