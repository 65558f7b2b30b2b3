"""
generate.py: sampling new documents from a model.

Each sample starts a fresh key/value cache at BOS and asks the model for the
next token again and again, drawing each one from the softmax of the logits
divided by the temperature, until the model produces BOS (end of document) or
the block is full. Temperature below 1 sharpens the distribution (safer,
more typical names), above 1 flattens it; 0 means always take the most likely
token (greedy, no randomness).

Builds on model.py's `gpt`; train.py calls it after training. The random
draws use the run's generator, in the reference's order, so a seed gives the
same samples every time.
"""
from __future__ import annotations

from .layers import softmax
from .model import gpt


def argmax(xs):
    """Index of the first largest entry.

    >>> argmax([0.1, 0.7, 0.2, 0.7])
    1
    """
    return max(range(len(xs)), key=xs.__getitem__)


def sample(params, config, tokenizer, rng, temperature=None):
    """One generated document, as text."""
    temperature = config.temperature if temperature is None else temperature
    keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
    token_id, out = tokenizer.bos, []
    for pos_id in range(config.block_size):
        logits = gpt(token_id, pos_id, keys, values, params, config)
        if temperature == 0:
            token_id = argmax([l.data for l in logits])
        else:
            probs = softmax([l / temperature for l in logits])
            token_id = rng.choices(range(config.vocab_size), weights=[p.data for p in probs])[0]
        if token_id == tokenizer.bos:
            break
        out.append(token_id)
    return tokenizer.decode(out)
