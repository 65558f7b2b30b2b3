"""
layers.py: the small functions a GPT is assembled from.

linear (a matrix times a vector), the norms (rescale a vector) and the
activations (the MLP's nonlinearity). Each takes and returns plain lists of
Values, so a learner can print any intermediate vector. attention.py and
model.py build on these.

The reference's choices first: rmsnorm (no gain, no bias) and relu. Beside
them the textbook variants the config can switch on: LayerNorm ("Attention
Is All You Need", GPT-2), with a learnable gain and bias, and GELU in the tanh
form GPT-2 uses. The variants are fused nodes (fused.py): the same float
operations as the formula in each docstring, in one node per output.

Left out on purpose: biases in linear (the reference has none), dropout,
batching.
"""
from __future__ import annotations

from . import fused
from .fused import dot, dots


def linear(x, w):
    """w times x: one dot product per row of w.

    x is a list of n_in Values, w a list of n_out rows of n_in Values;
    the result has n_out Values.

    >>> from microgpt.value import Value
    >>> w = [[Value(1.0), Value(0.0)], [Value(2.0), Value(3.0)]]
    >>> [y.data for y in linear([Value(5.0), Value(7.0)], w)]
    [5.0, 31.0]
    """
    return dots(w, x)  # [dot(w_row, x) for w_row in w]: (n_out,)


# -------------------------------------------------------------------------
# norms: the reference's rmsnorm, and LayerNorm

def rmsnorm(x):
    """x / sqrt(mean(x_i^2) + 1e-5): the vector rescaled to unit RMS.

    >>> from microgpt.value import Value
    >>> [round(y.data, 4) for y in rmsnorm([Value(3.0), Value(-3.0)])]
    [1.0, -1.0]
    """
    ms = dot(x, x) / len(x)           # mean square, one Value
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]   # same length as x


def layernorm(x, g, b):
    """(x - mean) / sqrt(var + 1e-5) * g + b: zero mean and unit variance,
    then a learned gain g and bias b per entry (g starts at 1, b at 0).

        mean = sum(x) / n;  var = sum((x_i - mean)^2) / n   (divides by n, as PyTorch)
        y_i = (x_i - mean) * (var + 1e-5) ** -0.5 * g_i + b_i

    >>> from microgpt.value import Value
    >>> x = [Value(1.0), Value(2.0), Value(6.0)]          # mean 3, var 14/3
    >>> [round(y.data, 4) for y in layernorm(x, [Value(1.0)] * 3, [Value(0.0)] * 3)]
    [-0.9258, -0.4629, 1.3887]
    >>> [round(y.data, 4) for y in layernorm(x, [Value(2.0)] * 3, [Value(0.5)] * 3)]
    [-1.3516, -0.4258, 3.2775]
    """
    return fused.layernorm(x, g, b)   # (n,): one node per y_i, the same float ops


# -------------------------------------------------------------------------
# activations: the reference's relu, and GELU

def relu(x):
    """max(0, x_i) for each entry.

    >>> from microgpt.value import Value
    >>> [float(y.data) for y in relu([Value(-2.0), Value(3.0)])]
    [0.0, 3.0]
    """
    return [xi.relu() for xi in x]


def gelu(x):
    """GELU in GPT-2's tanh form, for each entry:

        0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))

    Like relu it keeps large positive inputs and silences large negative
    ones, but it bends smoothly through 0 (and dips a little below it).

    >>> from microgpt.value import Value
    >>> [round(y.data, 4) for y in gelu([Value(-1.0), Value(0.5), Value(2.0)])]
    [-0.1588, 0.3457, 1.9546]
    """
    return [fused.gelu(xi) for xi in x]   # one node per entry
