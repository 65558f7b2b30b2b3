"""
layers.py: the small functions a GPT is assembled from.

linear (a matrix times a vector), rmsnorm (rescale a vector to unit root mean
square) and softmax (scores -> probabilities, from value.py). Each takes and
returns plain lists of Values, so a learner can print any intermediate vector.
attention.py and model.py build on these.

Left out on purpose: biases (the reference has none), learnable norm gains,
dropout, batching.
"""
from __future__ import annotations

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


def rmsnorm(x):
    """x / sqrt(mean(x_i^2) + 1e-5): the vector rescaled to unit RMS.

    >>> from microgpt.value import Value
    >>> [round(y.data, 4) for y in rmsnorm([Value(3.0), Value(-3.0)])]
    [1.0, -1.0]
    """
    ms = dot(x, x) / len(x)           # mean square, one Value
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]   # same length as x
