"""
held_out.py: the held-out loss: how well a run does on the documents its
split (config.val_fraction) never trains on.

`held_out_loss(state, examples)` is the mean of the run's own loss
(state.loss) over the held-out examples (data.held_out_examples), forward
passes only: no draws, Adam's moments untouched, so measuring it changes
nothing about the run. train prints it every --eval-every steps.

Builds on nothing: the run's state brings its loss. Left out on purpose:
early stopping on it, perplexity (e ** loss), a second split for testing.
"""
from __future__ import annotations

import dataclasses

HELD_OUT_LIMIT = 100  # a large split's held-out loss: the first 100 (each costs a forward pass)


def held_out_loss(state, examples, smoothing=None):
    """The mean loss over the held-out examples (the first HELD_OUT_LIMIT of
    them), a float: forward passes only, no draws, Adam's moments untouched.
    smoothing: the label smoothing to score with (default the run's; 0.0
    gives the plain negative log-likelihood of every run alike)."""
    examples = examples[:HELD_OUT_LIMIT]
    config = state.config if smoothing is None else dataclasses.replace(
        state.config, label_smoothing=smoothing)
    total = 0.0
    for example in examples:
        total += state.loss(example, state.params, config).data
    return total / len(examples)
