"""
neural_lm.py: backprop.py's model again, on the Value engine: the backward
pass comes from backward(), not from a derivation.

The same three tokens of context, the same embedding C, tanh layer (W1, b1)
and logits (W2, b2), the same weights drawn in the same order, the same
loss; written with the house's pieces: model.linear (a dot product per
row), Value.tanh, fused.cross_entropy. Each op knows its own local
derivative (value.py), so nothing here says how a gradient flows:

    x = C[t-2] ++ C[t-1] ++ C[t]                  (3 * n_embd,) Values
    h = [(a + b).tanh() for a, b in zip(linear(x, W1), b1)]
    logits = [z + b for z, b in zip(linear(h, W2), b2)]

It trains through training.train_step, as the GPT does, with plain
gradient descent (config.optimizer "sgd"): step for step its losses are
backprop.py's, to the last digits (a test checks every step), because
backward() computes what the hand derivation computed.

Builds on backprop.py (the shapes, the draws, the contexts), fused.py,
model.py (linear), training.py (a run's state) and value.py. Left out on
purpose: everything backprop.py leaves out.
"""
from __future__ import annotations

from ..fused import cross_entropy, vsum
from ..model import linear
from ..training import RunState
from ..value import Value
from . import backprop


def as_values(weights):
    """{name: rows of floats} (backprop.draw_weights) as rows of Values."""
    return {name: [[Value(x) for x in row] for row in m] for name, m in weights.items()}


def mlp(context, params):
    """The logits (vocab_size Values) after the context's last token."""
    x = [c for token in context for c in params["C"][token]]                   # (3 * n_embd,)
    h = [(a + b).tanh() for a, b in zip(linear(x, params["W1"]), params["b1"][0])]
    return [z + b for z, b in zip(linear(h, params["W2"]), params["b2"][0])]   # (vocab_size,)


def document_loss(doc_ids, params, config):
    """Mean cross-entropy of each next token over the document's first
    block_size positions, one Value (training.RunState's loss)."""
    losses = [cross_entropy(mlp(context, params), target)
              for context, target in backprop.contexts(doc_ids, config)]
    return (1 / len(losses)) * vsum(losses)


def start(planned):
    """A run of this model from training.plan's result (its config's
    optimizer "sgd"): its weights are backprop.draw_weights' (the same
    draws), Adam's moments there but unused."""
    n = backprop.count(planned.config)
    params = as_values(backprop.draw_weights(planned.config, planned.rng))
    return RunState(planned.config, planned.tokenizer, params, planned.rng,
                    m=[0.0] * n, v=[0.0] * n, loss=document_loss)


def reader(params, config):
    """generate.sample's reader: the logits after the last CONTEXT tokens."""
    def read(tokens):
        return mlp(([tokens[0]] * backprop.CONTEXT + tokens)[-backprop.CONTEXT:], params)
    return read
