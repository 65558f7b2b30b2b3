"""
dot_products.py: why attention divides its logits by sqrt(d_k), measured.

Take a query and keys whose d_k entries are random, mean 0 and variance 1.
Their dot product q . k is a sum of d_k products, each of variance 1, so its
variance is d_k and its spread (standard deviation) sqrt(d_k). So:

    no scale        the logits spread as sqrt(d_k): a wide head's softmax
                    saturates, one key takes nearly all the weight (entropy
                    near 0) and the gradients through the others vanish;
    1 / sqrt(d_k)   the logits keep a spread of 1 at every width: the
                    softmax stays as soft for d_k = 1024 as for d_k = 4;
    1 / d_k         the logits shrink as 1 / sqrt(d_k): the softmax flattens
                    toward uniform (entropy near log n) and the head can no
                    longer prefer one key.

`measure` draws the vectors and returns the numbers a table needs; the
command `python -m microgpt scale` prints the table for several d_k.

Builds on fused.py (softmax_data, the same softmax attention uses). Left out
on purpose: trained queries and keys, whose entries are not independent.
"""
from __future__ import annotations

import math

from ..fused import softmax_data


def entropy(probs):
    """-sum p log p, in nats: 0 for one certain outcome, log n for n equal ones.

    >>> entropy([1.0, 0.0]), round(entropy([0.25] * 4), 6) == round(math.log(4), 6)
    (0.0, True)
    """
    return 0.0 - sum(p * math.log(p) for p in probs if p > 0)  # 0.0 -: never -0.0


def measure(d_k, n_keys, trials, rng, each=None):
    """For trials rows of one query and n_keys keys, entries rng.gauss(0, 1):
    (the standard deviation of q . k over all rows' logits, {scale name:
    mean entropy of softmax(q . k * scale)}) for no scale, 1/sqrt(d_k), 1/d_k.
    each: None, or a function called with n after the n-th row (a progress line).

    >>> import random
    >>> std, entropies = measure(64, 8, 50, random.Random(0))
    >>> 6 < std < 10                           # sqrt(64) = 8
    True
    >>> entropies["none"] < entropies["1/sqrt(d_k)"] < entropies["1/d_k"] < math.log(8)
    True
    """
    scales = {"none": 1.0, "1/sqrt(d_k)": d_k ** -0.5, "1/d_k": 1 / d_k}
    logits, total = [], dict.fromkeys(scales, 0.0)
    for n in range(1, trials + 1):
        q = [rng.gauss(0, 1) for _ in range(d_k)]
        row = [sum(a * rng.gauss(0, 1) for a in q) for _ in range(n_keys)]  # q . k, k drawn fresh
        logits.extend(row)
        for name, s in scales.items():
            total[name] += entropy(softmax_data([z * s for z in row]))
        if each is not None:
            each(n)
    mean = sum(logits) / len(logits)
    std = math.sqrt(sum((z - mean) ** 2 for z in logits) / len(logits))
    return std, {name: t / trials for name, t in total.items()}
