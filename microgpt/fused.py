"""
fused.py: nodes that do a whole small computation at once.

value.py's ops make one node per arithmetic step, exactly as micrograd does:
a dot product of n pairs is 2n nodes (n multiplies, n adds), each of which
the forward pass allocates and the backward pass visits. The functions here
build one node for the whole computation instead, with its local derivatives
written out by hand; a training step of the default model then makes about
3,000 nodes instead of about 56,000 (python -m microgpt bench counts them):

    dot(ws, xs)          w0*x0 + w1*x1 + ...  (one Dot node, not 2n)
    dots(rows, xs)       one dot per row: a linear layer
    vsum(xs)             x0 + x1 + ...        (one node, not n)
    softmax(logits)      exp(z_i - logsumexp(z)): one logsumexp node over all
                         the logits, then one node per output with two children
    cross_entropy(logits, target)   -log(softmax(logits)[target]) as one node
                                    (label smoothing: a share spread over every token)

No node has more children than the computation has inputs: a node over n
inputs whose outputs each depend on all n (softmax) is written with one
shared scalar node in between, so its backward pass costs O(n), as its
formula does, and not the n * n of one derivative per (output, input) pair
(LayerNorm, its formula in model.py, shares its mean and scale the same
way). Attention's cost then grows as T^2 with the context T, not T^3.

Each computes its forward value with the very same float operations, in the
same order, as the plain ops would (left folds from 0, division written as
multiplication by x ** -1): the same numbers from fewer, larger nodes
(examples/naive_gpt.py is the model on the one-node-per-op engine).

Given plain floats instead of Values (inference on weights held compactly:
docs/gpt2.md), dot, dots, vsum and softmax compute the same sums and make
no node, so gpt() runs unchanged with no graph (value.Data: a float that
answers .data, .relu(), .gelu() as a Value does).

Builds on value.py. Left out on purpose: fusing across layers (the model
code must still read like the math).
"""
from __future__ import annotations

import math

from . import value
from .value import Data, Value


class Dot(Value):
    """w0*x0 + w1*x1 + ... as one node: data is the sum, children ws then xs.

    Backward: w_i.grad += x_i * g and x_i.grad += w_i * g. Those local
    derivatives are the inputs' data, which nothing changes between the
    forward and the backward pass (Adam moves the weights after it), so the
    node reads them there instead of storing 2n copies: cheap to make.
    """

    __slots__ = ("_ws", "_xs")
    _op = "dot"

    def __init__(self, data, ws, xs):
        self.data = data
        self.grad = 0.0
        self._ws = ws
        self._xs = xs
        tape = value._tape
        if tape is not None:  # inside recording(): join the tape
            tape.append(self)

    @property
    def _children(self):  # for topological_order and the drawings in graph.py
        return [*self._ws, *self._xs]

    @property
    def _local_grads(self):  # d(self)/d(child), in _children's order
        return [x.data for x in self._xs] + [w.data for w in self._ws]

    def _backward(self, g):
        for w, x in zip(self._ws, self._xs):
            w.grad += x.data * g
            x.grad += w.data * g


def dot(ws, xs):
    """w0*x0 + w1*x1 + ... as one Dot node (d/dw_i = x_i, d/dx_i = w_i), added
    left to right from 0 as sum() adds Values (sum() over plain floats rounds
    otherwise since Python 3.12).

    >>> dot([Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)])
    Value(data=11.0, grad=0.0)
    """
    acc = 0.0
    if not isinstance(xs[0], Value):  # plain floats (inference): the same sum, no node
        for w, x in zip(ws, xs):
            acc += w * x
        return Data(acc)
    for w, x in zip(ws, xs):
        acc += w.data * x.data
    return Dot(acc, ws, xs)


def dots(rows, xs, bias=None):
    """[dot(row, xs) for row in rows]: a linear layer, one dot node per row of
    the weight matrix against the same input xs, read once for all rows
    (plus bias[i], an add node, if given).

    >>> [y.data for y in dots([[Value(1.0), Value(0.0)], [Value(2.0), Value(3.0)]],
    ...                       [Value(5.0), Value(7.0)])]
    [5.0, 31.0]
    """
    if not isinstance(xs[0], Value):  # plain floats (inference): the same sums, no nodes
        out = [dot(ws, xs) for ws in rows]
        return out if bias is None else [Data(y + b) for y, b in zip(out, bias)]
    xd = [x.data for x in xs]  # (n_in,)
    out = []
    for ws in rows:
        acc = 0.0
        for w, x_data in zip(ws, xd):
            acc += w.data * x_data
        out.append(Dot(acc, ws, xs))
    return out if bias is None else [y + b for y, b in zip(out, bias)]  # GPT-2's: w x + b


def vsum(xs):
    """x0 + x1 + ... as one node; every local derivative is 1.

    >>> vsum([Value(1.0), Value(2.0), Value(3.0)])
    Value(data=6.0, grad=0.0)
    """
    acc = 0.0
    if not isinstance(xs[0], Value):  # plain floats (inference)
        for x in xs:
            acc += x
        return Data(acc)
    for x in xs:
        acc += x.data
    return Value(acc, tuple(xs), (1.0,) * len(xs), "sum")


def softmax_data(zs):
    """softmax of plain floats, with the reference's float operations:
    exp(z - max) / total, where dividing is multiplying by total ** -1.

    >>> softmax_data([0.0, 0.0])
    [0.5, 0.5]
    """
    return _softmax_parts(zs)[0]


def _softmax_parts(zs):
    """(softmax_data(zs), max(zs), sum of exp(z - max)): the last two give
    logsumexp(zs) = max + log(total) without computing the exps again."""
    max_z = max(zs)
    exps = [math.exp(z - max_z) for z in zs]
    total = 0.0
    for e in exps:
        total += e
    inv_total = total ** -1
    return [e * inv_total for e in exps], max_z, total


def softmax(logits):
    """Softmax over Values, as p_i = exp(z_i - L) with L = logsumexp(z).

    Two kinds of node: one L node whose children are all the logits (data
    log(sum_j exp(z_j)), local derivatives d L / d z_j = p_j), then one node
    per p_i with two children, z_i and L (local derivatives p_i and -p_i).
    Backward: L's gradient collects -sum_i g_i p_i from the outputs, and each
    z_j gets p_j * g_j + p_j * L.grad = p_j * (g_j - sum_i g_i p_i), the
    softmax's gradient, with 3n edges instead of n * n (for attention's rows
    of T weights, T^2 instead of T^3 per document). p_i's data is
    softmax_data's, the reference's float operations.

    >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
    [0.09, 0.2447, 0.6652]
    """
    if not isinstance(logits[0], Value):  # plain floats: no nodes
        return softmax_data(logits)
    probs, max_z, total = _softmax_parts([z.data for z in logits])
    lse = Value(max_z + math.log(total), tuple(logits), probs, "logsumexp")
    return [Value(p_i, (z, lse), (p_i, -p_i), "softmax") for z, p_i in zip(logits, probs)]


def cross_entropy(logits, target, smoothing=0.0):
    """-log(softmax(logits)[target]) as one node; d/dz_j = p_j - 1[j == target].

    With label smoothing E > 0, PyTorch's definition: (1 - E) * -log p_target
    + E * (mean over every vocabulary entry j of -log p_j); then
    d/dz_j = p_j - (1 - E) * 1[j == target] - E / n, for n logits.

    When a probability underflows to 0 (a model far off, say after too high a
    learning rate), -log p is still finite: log(sum_j exp(z_j - max)) -
    (z - max), the same quantity computed without the division.

    >>> round(cross_entropy([Value(0.0), Value(0.0)], 1).data, 6)   # -log(1/2)
    0.693147
    >>> cross_entropy([Value(0.0), Value(800.0)], 0).data           # p = e^-800: 0.0 as a float
    800.0
    >>> round(cross_entropy([Value(0.0), Value(800.0)], 0, smoothing=0.1).data, 6)  # 0.9*800 + 0.1*400
    760.0
    """
    zs = [z.data for z in logits]
    probs = softmax_data(zs)
    if not smoothing:  # the reference's loss, float for float: its printed losses depend on it
        loss = neg_log_prob(zs, probs, target)
        local = [p_j - (j == target) for j, p_j in enumerate(probs)]
        return Value(loss, tuple(logits), local, "cross_entropy")
    n = len(zs)
    total = 0.0
    for j in range(n):
        total += neg_log_prob(zs, probs, j)
    loss = (1 - smoothing) * neg_log_prob(zs, probs, target) + smoothing * (total / n)
    local = [p_j - (1 - smoothing) * (j == target) - smoothing / n for j, p_j in enumerate(probs)]
    return Value(loss, tuple(logits), local, "cross_entropy")


def neg_log_prob(zs, probs, j):
    """-log probs[j], finite even when probs[j] underflowed to 0."""
    if probs[j] > 0:
        return -math.log(probs[j])
    max_z = max(zs)
    return math.log(sum(math.exp(z - max_z) for z in zs)) - (zs[j] - max_z)
