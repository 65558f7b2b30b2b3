"""
fused_variants.py: the composite nodes of two textbook variants, LayerNorm
and GELU, written like fused.py's: one node type each, with its backward
pass stated, the same float operations as the formula.

The reference uses neither (rmsnorm, relu); `--norm layernorm` and
`--activation gelu` do, through model.layernorm and model.gelu.

Builds on value.py. Left out on purpose: RMSNorm's learnable gain, GELU's
exact (erf) form.
"""
from __future__ import annotations

import math

from .value import Value


def layernorm(xs, gs, bs):
    """LayerNorm of xs with gain gs and bias bs: one node per output y_i.

    mean = sum(x) / n, var = sum((x - mean)^2) / n, s = (var + 1e-5) ** -0.5,
    y_i = (x_i - mean) * s * g_i + b_i: the float operations of the formula,
    in its order. Each y_i depends on every x_j, but only through two shared
    scalars, so the graph has one node for each: `mean` (children xs, local
    derivatives 1/n) and `s` (children xs, d s / d x_j = -s^2 * xhat_j / n,
    with xhat = (x - mean) * s). Then y_i has five children: x_i, mean, s,
    g_i, b_i, with local derivatives s * g_i, -s * g_i, (x_i - mean) * g_i,
    xhat_i and 1. The chain rule through them gives d y_i / d x_j =
    g_i * s * (1[i == j] - 1/n - xhat_i * xhat_j / n), with 7n edges per norm
    instead of n * n.

    >>> [round(y.data, 4) for y in layernorm([Value(1.0), Value(3.0)], [Value(1.0)] * 2,
    ...                                        [Value(0.0)] * 2)]
    [-1.0, 1.0]
    """
    n = len(xs)
    total = 0.0
    for x in xs:
        total += x.data
    mean = total * n ** -1              # Value / n multiplies by n ** -1
    xc = [x.data - mean for x in xs]    # (n,) centred
    total = 0.0
    for c in xc:
        total += c * c
    s = (total * n ** -1 + 1e-5) ** -0.5
    xhat = [c * s for c in xc]          # (n,) zero mean, unit variance
    children = tuple(xs)
    mean_node = Value(mean, children, (n ** -1,) * n, "mean")
    s_node = Value(s, children, [-s * s * h * n ** -1 for h in xhat], "rsqrt(var)")
    out = []
    for x, g, b, c, h in zip(xs, gs, bs, xc, xhat):
        gs_i = s * g.data
        out.append(Value(h * g.data + b.data, (x, mean_node, s_node, g, b),
                         (gs_i, -gs_i, c * g.data, h, 1.0), "layernorm"))
    return out


GELU_C = math.sqrt(2 / math.pi)


def gelu(x):
    """GELU, tanh form as in GPT-2, of one Value as one node:
    0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), with x^3 = x * x * x.

    Local derivative, with t the tanh: 0.5 * (1 + t)
    + 0.5 * x * (1 - t^2) * sqrt(2/pi) * (1 + 3 * 0.044715 * x^2).

    >>> [round(gelu(Value(x)).data, 4) for x in (-3.0, 0.0, 1.0, 3.0)]
    [-0.0036, 0.0, 0.8412, 2.9964]
    """
    xd = x.data
    t = math.tanh(GELU_C * (xd + 0.044715 * (xd * xd * xd)))
    local = 0.5 * (1 + t) + 0.5 * xd * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * (xd * xd))
    return Value(0.5 * xd * (1 + t), (x,), (local,), "gelu")
