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

What the model reads is a `reader`: a function from the tokens so far to
the logits for the next one. The GPT's (`gpt_reader`) feeds the new tokens
through gpt() into its key/value cache; past the block it slides. Another
architecture hands sample() its own reader (a recurrent model's state
carries what it has read in place of the cache; a GPT trained without the
causal mask reads the whole text again for each token): catalog.reader_of
picks it.

Builds on config.py (ConfigError, for settings that cannot work), fused.py
(softmax_data) and model.py (gpt); train.py and sample.py call it.
"""
from __future__ import annotations

import math

from .config import ConfigError
from .fused import softmax_data
from .model import gpt


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


def gpt_reader(params, config):
    """The GPT's reader: read(tokens) -> the logits for the token after them.

    Each call feeds the tokens not read yet through gpt(), one position at a
    time, into the key/value cache. Past the block the model can only read
    the last block_size tokens: the window slides one token along, and the
    cache is rebuilt from the window for each new token."""
    keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]

    def read(tokens):
        if len(tokens) > config.block_size:  # slide: the last block_size tokens, afresh
            keys[:], values[:] = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
            window = tokens[-config.block_size:]
        else:
            window = tokens
        for pos_id in range(len(keys[0]), len(window)):  # the positions not in the cache yet
            logits = gpt(window[pos_id], pos_id, keys, values, params, config)
        return logits
    return read


def sample(params, config, tokenizer, rng, temperature=None, prefix="", top_k=None, top_p=None,
           max_tokens=None, reader=None):
    """One generated document, as text (starting with prefix).

    It ends when the model produces BOS, or at max_tokens tokens, prefix
    included (default: block_size, as in the reference). reader: how the
    model reads (default gpt_reader: the GPT's cache). A setting that cannot
    work raises ConfigError (check_settings).
    """
    check_settings(temperature, prefix, top_k, top_p, max_tokens)
    tokenizer.check_text(prefix, "the prefix")  # UnknownText: a ValueError that names them
    if reader is None and (config.model != "gpt" or not config.causal_mask):
        raise ConfigError(f"this {config.model} model does not read through the GPT's cache: "
                          f"pass its reader (microgpt.architectures.catalog.reader_of(config))")
    temperature = config.temperature if temperature is None else temperature
    max_tokens = config.block_size if max_tokens is None else max_tokens
    read = (reader or gpt_reader)(params, config)
    tokens = tokenizer.encode_prompt(prefix)  # what the model reads, in order: BOS, the prefix
    start = len(tokens) - len(tokenizer.encode(prefix))  # 1: BOS (GPT-2's texts have none)
    while len(tokens) - start < max_tokens:
        token_id = next_token(read(tokens), rng, temperature, top_k, top_p)
        if token_id == tokenizer.bos:
            break
        tokens.append(token_id)
    return tokenizer.decode(tokens[start:])
