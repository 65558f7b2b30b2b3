"""
positions.py: where the model's input vector comes from: a token's
embedding, plus where the token stands.

Attention alone cannot tell positions apart: it mixes the cached values by
how well their keys match, whatever their order. So the input carries the
position, in one of three ways (the config's `position`), or attention
itself reads it (a fourth):

    learned      x = wte[token] + wpe[pos]   a trained row per position (the
                                             reference's, and GPT-2's)
    sinusoidal   x = wte[token] + PE[pos]    fixed sines and cosines ("Attention
                                             Is All You Need"); nothing to train
    none         x = wte[token]              no position at all; only the
                                             causal mask hints at it
    rope         x = wte[token]              rotary (RoPE, Llama's): each head's q
                                             and k turned by an angle that grows
                                             with pos, inside attention (`rope`)

Builds on value.py (`rotate`, below, makes two nodes: a pair turned by an
angle, not seven plain ops); model.gpt adds the
position to the token's embedding, and turns q and k with rope. Left out on
purpose: relative position biases (T5's, ALiBi), and RoPE's other pairing
(the paper's and GPT-J's: neighbours x[2j], x[2j + 1]; this one is
GPT-NeoX's and Llama's).
"""
from __future__ import annotations

import math

from .value import Value


def sinusoidal(pos, n_embd):
    """PE[pos]: n_embd floats, sin in even entries and cos in odd ones,

        PE[pos][2i] = sin(pos / 10000 ** (2i / n_embd))
        PE[pos][2i + 1] = cos(pos / 10000 ** (2i / n_embd))

    Entry pairs turn at wavelengths from 2*pi up to 10000*2*pi positions.

    >>> sinusoidal(0, 4)
    [0.0, 1.0, 0.0, 1.0]
    >>> [round(v, 4) for v in sinusoidal(1, 4)]   # 10000 ** (2/4) = 100
    [0.8415, 0.5403, 0.01, 1.0]
    """
    row = []
    for d in range(n_embd):
        angle = pos / 10000 ** ((d - d % 2) / n_embd)  # d - d % 2 is 2i for both of a pair
        row.append(math.sin(angle) if d % 2 == 0 else math.cos(angle))
    return row


def fixed_position(pos_id, config):
    """pos_emb for the positions that are not trained: PE[pos_id] with
    "sinusoidal", or zeros with "none" and "rope" (x is then the token's
    embedding alone; rope turns q and k instead). "learned" reads the
    trained row wpe[pos_id] in model.gpt.

    >>> from microgpt.config import Config
    >>> fixed_position(1, Config(n_embd=2, position="none"))
    [0.0, 0.0]
    >>> [round(v, 4) for v in fixed_position(1, Config(n_embd=2, position="sinusoidal"))]
    [0.8415, 0.5403]
    """
    if config.position == "sinusoidal":
        return sinusoidal(pos_id, config.n_embd)       # (n_embd,) floats, fixed
    return [0.0] * config.n_embd                       # (n_embd,) none here (rope: in attention)


def rope(x, pos, head_dim):
    """x (q or k: one head's head_dim entries after another's) with each
    head's pairs (x[j], x[j + d/2]) turned by the angle a = pos * theta_j,
    theta_j = 10000 ** (-2 * j / d), d = head_dim, j = 0 .. d/2 - 1 (the
    half-split pairing of Hugging Face's Llama):

        (x[j], x[j + d/2]) -> (x[j] cos a - x[j + d/2] sin a, x[j + d/2] cos a + x[j] sin a)

    Why it works: turning q at position i by i * theta and k at j by
    j * theta turns their dot product by (i - j) * theta, so a score
    depends on how far apart the two are, not on where they stand. The
    query at 7 meets the key at 3 as the query at 104 meets the key at 100:

    >>> from microgpt.value import Value
    >>> q, k = [Value(0.3), Value(-1.2)], [Value(0.8), Value(0.5)]   # one head of 2
    >>> score = lambda i, j: sum(a.data * b.data for a, b in zip(rope(q, i, 2), rope(k, j, 2)))
    >>> round(score(7, 3), 4), round(score(104, 100), 4)   # 4 apart, either way
    (-0.6047, -0.6047)
    >>> round(score(3, 7), 4), round(score(5, 5), 4)       # the key 4 ahead; no offset: q . k
    (1.0754, -0.36)
    """
    half = head_dim // 2
    turns = []  # (cos a, sin a) of each pair j: the same in every head
    for j in range(half):
        theta = 10000 ** (-2 * j / head_dim)
        turns.append((math.cos(pos * theta), math.sin(pos * theta)))
    out = list(x)
    for hs in range(0, len(x), head_dim):  # each head's slice
        for j, (cos, sin) in enumerate(turns):
            out[hs + j], out[hs + j + half] = rotate(x[hs + j], x[hs + j + half], cos, sin)
    return out                             # (len(x),)

def rotate(a, b, cos, sin):
    """The pair (a, b) turned by the angle whose cosine and sine are given:
    (a * cos - b * sin, b * cos + a * sin), as two nodes of two children
    each. Their local derivatives are the constants: (cos, -sin) for the
    first, (sin, cos) for the second (seven nodes with the plain ops).

    >>> [y.data for y in rotate(Value(2.0), Value(0.0), 0.0, 1.0)]   # a quarter turn
    [0.0, 2.0]
    """
    return (Value(a.data * cos - b.data * sin, (a, b), (cos, -sin), "rotate"),
            Value(b.data * cos + a.data * sin, (a, b), (sin, cos), "rotate"))
