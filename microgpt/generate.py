"""
generate.py: sampling new documents from a model.

Each sample starts a fresh key/value cache at BOS and asks the model for the
next token again and again, drawing each one from the softmax of the logits
divided by the temperature, until the model produces BOS (end of document) or
the block is full. Temperature below 1 sharpens the distribution (safer,
more typical names), above 1 flattens it; 0 means always take the most likely
token (greedy, no randomness).

Optional, for the sample command: a prefix the sample must continue, and
top-k / top-p (nucleus) filtering, which zero out unlikely tokens before the
draw. Without them, the draws are the reference's, in its order, so a seed
gives the same samples every time.

A GPT trained with --causal-mask off has no cache to fill (each new token
changes what every position sees): `sample_without_mask` reads the whole
text so far again for each token, with no mask, as such a model is used.

A recurrent model (recurrent.py) samples the same way, its state carrying
what it has read in place of the cache; it has no block to slide past.

Builds on config.py (ConfigError, for settings that cannot work), fused.py
(softmax_data), model.py (gpt), encoder.py (gpt_logits) and recurrent.py;
train.py and sample.py call it.
"""
from __future__ import annotations

import math

from .config import RECURRENT, ConfigError
from .encoder import gpt_logits
from .fused import softmax_data
from .model import gpt
from .recurrent import initial_state, recurrent


def argmax(xs):
    """Index of the first largest entry.

    >>> argmax([0.1, 0.7, 0.2, 0.7])
    1
    """
    return max(range(len(xs)), key=xs.__getitem__)


def top_filter(probs, top_k=None, top_p=None):
    """probs with all but the most likely tokens set to 0.

    top_k keeps the k most likely; top_p keeps the fewest most likely tokens
    whose probabilities add up to at least p. Ties keep the lower id first.

    >>> top_filter([0.1, 0.5, 0.15, 0.25], top_k=2)
    [0.0, 0.5, 0.0, 0.25]
    >>> top_filter([0.1, 0.5, 0.15, 0.25], top_p=0.7)
    [0.0, 0.5, 0.0, 0.25]
    """
    order = sorted(range(len(probs)), key=lambda i: -probs[i])  # most likely first
    keep = order[:top_k] if top_k is not None else order
    if top_p is not None:
        total, n = 0.0, 0
        for i in keep:
            total += probs[i]
            n += 1
            if total >= top_p:
                break
        keep = keep[:n]
    keep = set(keep)
    return [p if i in keep else 0.0 for i, p in enumerate(probs)]


def next_token(logits, rng, temperature, top_k=None, top_p=None):
    """Draw the next token id from logits (a list of Values).

    When logits / temperature overflow (a temperature a hair above 0, or a
    model whose outputs are huge or not numbers: a diverged run), the draw is
    the softmax's limit, the most likely token, as at temperature 0.
    """
    zs = [l.data for l in logits]
    try:
        scaled = [z * temperature ** -1 for z in zs] if temperature else [math.inf]
    except OverflowError:  # 1 / temperature is beyond the floats
        scaled = [math.inf]
    if not all(map(math.isfinite, scaled)):
        return argmax(zs)
    probs = softmax_data(scaled)  # (vocab_size,): z / temperature, as the reference divides
    if top_k is not None or top_p is not None:
        probs = top_filter(probs, top_k, top_p)
    return rng.choices(range(len(probs)), weights=probs)[0]


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def check_settings(temperature, prefix, top_k, top_p, max_tokens):
    """Raise ConfigError naming the first sampling setting that cannot work
    (None: the default). A negative temperature would sample the inverted
    distribution, a top_k of -1 drop the likeliest token: refused, not done.

    >>> check_settings(-1, "", None, None, None)
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: temperature must be a number, 0 or more (0: greedy), got -1
    """
    if temperature is not None and not (is_number(temperature) and temperature >= 0):
        raise ConfigError(f"temperature must be a number, 0 or more (0: greedy), got {temperature!r}")
    if not isinstance(prefix, str):
        raise ConfigError(f"prefix must be a string, got {prefix!r}")
    for name, value in (("top_k", top_k), ("max_tokens", max_tokens)):
        if value is not None and not (is_number(value) and isinstance(value, int) and value >= 1):
            raise ConfigError(f"{name} must be a whole number, at least 1 (or None), got {value!r}")
    if top_p is not None and not (is_number(top_p) and 0 < top_p <= 1):
        raise ConfigError(f"top_p must be a number above 0 and at most 1 (or None), got {top_p!r}")


def sample(params, config, tokenizer, rng, temperature=None, prefix="", top_k=None, top_p=None,
           max_tokens=None):
    """One generated document, as text (starting with prefix).

    It ends when the model produces BOS, or at max_tokens tokens, prefix
    included (default: block_size, as in the reference). Past the block the
    model can only read the last block_size tokens: the window slides one
    token along, and its cache is rebuilt from the window for each new token.
    A setting that cannot work raises ConfigError (check_settings).
    """
    check_settings(temperature, prefix, top_k, top_p, max_tokens)
    tokenizer.check_text(prefix, "the prefix")  # UnknownText: a ValueError that names them
    temperature = config.temperature if temperature is None else temperature
    max_tokens = config.block_size if max_tokens is None else max_tokens
    if not config.causal_mask:
        return sample_without_mask(params, config, tokenizer, rng, temperature, prefix, top_k,
                                   top_p, max_tokens)
    tokens = [tokenizer.bos] + tokenizer.encode(prefix)  # what the model reads, in order
    if config.model in RECURRENT:
        return tokenizer.decode(sample_recurrent(params, config, tokens, rng, temperature,
                                                 top_k, top_p, max_tokens, tokenizer.bos)[1:])
    keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
    if len(tokens) <= config.block_size:
        for pos_id, token_id in enumerate(tokens[:-1]):  # the prompt only fills the cache
            gpt(token_id, pos_id, keys, values, params, config)
    while len(tokens) - 1 < max_tokens:
        if len(tokens) <= config.block_size:  # still inside the block: one more position
            logits = gpt(tokens[-1], len(tokens) - 1, keys, values, params, config)
        else:  # slide: read the last block_size tokens afresh, at positions 0..block_size-1
            keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
            for pos_id, token_id in enumerate(tokens[-config.block_size:]):
                logits = gpt(token_id, pos_id, keys, values, params, config)
        token_id = next_token(logits, rng, temperature, top_k, top_p)
        if token_id == tokenizer.bos:
            break
        tokens.append(token_id)
    return tokenizer.decode(tokens[1:])


def sample_without_mask(params, config, tokenizer, rng, temperature, prefix, top_k, top_p,
                        max_tokens):
    """sample() for a GPT trained with --causal-mask off: each new token is
    drawn from the last position's logits after the model reads the whole
    text so far (its last block_size tokens) at once, with no mask."""
    tokens = [tokenizer.bos] + tokenizer.encode(prefix)
    while len(tokens) - 1 < max_tokens:
        logits = gpt_logits(tokens[-config.block_size:], params, config)[-1]  # (vocab_size,)
        token_id = next_token(logits, rng, temperature, top_k, top_p)
        if token_id == tokenizer.bos:
            break
        tokens.append(token_id)
    return tokenizer.decode(tokens[1:])


def sample_recurrent(params, config, tokens, rng, temperature, top_k, top_p, max_tokens, bos):
    """sample's loop for a recurrent model: tokens (BOS, the prefix) grown
    until the model produces BOS or there are max_tokens after the BOS."""
    state = initial_state(config)
    for token_id in tokens[:-1]:  # the prompt only moves the state along
        _, state = recurrent(token_id, state, params, config)
    while len(tokens) - 1 < max_tokens:
        logits, state = recurrent(tokens[-1], state, params, config)
        token_id = next_token(logits, rng, temperature, top_k, top_p)
        if token_id == bos:
            break
        tokens.append(token_id)
    return tokens
