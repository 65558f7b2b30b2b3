"""
stages.py: the whole forward pass, stage by stage, as plain numbers.

readout.py gives what attention computed. This module gives everything
else gpt() computes for one position: the token and position embeddings,
each block's input, each norm's output, q, k and v, the heads' joint
output, the attention block's output, the residual stream after each
block, the MLP's hidden layer after its activation, and the logits, each a
list of floats under a name:

    tok_emb, pos_emb, x_emb (their sum), ln_emb,
    layer0.attn_in, layer0.ln_attn, layer0.q, layer0.k, layer0.v,
    layer0.heads, layer0.attn_out, layer0.attn_residual,
    layer0.mlp_in, layer0.ln_mlp, layer0.mlp_fc1, layer0.mlp_hidden,
    layer0.mlp_out, layer0.mlp_residual, ..., logits

gpt() hands them over itself: given a `stream` dict, each of its lines
that makes a stage keeps a copy there (model.seen), so what is shown is
exactly what training computes, for every variant. A variant's stage that
does not happen is not there (no residual: no attn_residual; post-LN's
norms come after the residuals they follow), and a variant's own stage is
(RoPE's turned q and k, layer0.q_rope and layer0.k_rope, after layer0.v;
SwiGLU's second arm, layer0.mlp_up, after layer0.mlp_fc1).

Builds on model.py (gpt). Left out on purpose: the encoder's
whole-sequence pass and the other architectures (readout.py shows their
attention).
"""
from __future__ import annotations

import math

from ..model import gpt


def stages(token_id, pos_id, keys, values, params, config, records=None):
    """gpt(...) for one position, and what it made: (its logits,
    {stage name: floats} in the order the stages ran)."""
    stream = {}
    logits = gpt(token_id, pos_id, keys, values, params, config, records, stream)
    return logits, stream


def rms(xs):
    """sqrt(mean(x_i^2)): a vector's size, whatever its length.

    >>> rms([3.0, -3.0, 3.0, -3.0])
    3.0
    """
    return math.sqrt(sum(x * x for x in xs) / len(xs))


def rms_lines(positions):
    """inspect --stream: one row per stage, one column per position, the RMS
    of what that stage computed there."""
    names = list(positions[0].stream)
    width = max(len(n) for n in names)
    head = " " * width + "  size " + "".join(f"{p.token[:7]:>8}" for p in positions)
    rows = [head]
    for name in names:
        size = len(positions[0].stream[name])
        rows.append(f"{name:<{width}}  {size:>4} " +
                    "".join(f"{rms(p.stream[name]):8.3f}" for p in positions))
    return rows
