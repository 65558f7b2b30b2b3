"""
positions.py: where the model's input vector comes from: a token's
embedding, plus where the token stands.

Attention alone cannot tell positions apart: it mixes the cached values by
how well their keys match, whatever their order. So the input carries the
position, in one of three ways (the config's `position`):

    learned      x = wte[token] + wpe[pos]   a trained row per position (the
                                             reference's, and GPT-2's)
    sinusoidal   x = wte[token] + PE[pos]    fixed sines and cosines ("Attention
                                             Is All You Need"); nothing to train
    none         x = wte[token]              no position at all; only the
                                             causal mask hints at it

Builds on nothing; model.gpt adds the position to the token's embedding. Left out on
purpose: relative and rotary positions, which act inside attention.
"""
from __future__ import annotations

import math


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
    "sinusoidal", or zeros with "none" (x is then the token's embedding
    alone). "learned" reads the trained row wpe[pos_id] in model.gpt.

    >>> from microgpt.config import Config
    >>> fixed_position(1, Config(n_embd=2, position="none"))
    [0.0, 0.0]
    >>> [round(v, 4) for v in fixed_position(1, Config(n_embd=2, position="sinusoidal"))]
    [0.8415, 0.5403]
    """
    if config.position == "sinusoidal":
        return sinusoidal(pos_id, config.n_embd)       # (n_embd,) floats, fixed
    return [0.0] * config.n_embd                       # (n_embd,) no position at all
