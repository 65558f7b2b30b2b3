"""
field_checks.py: a checkpoint's fields checked one by one as they are read
back (schema.from_json runs them): numbers finite and in range, the
config's every setting of its type and the settings together
(catalog.check), the random generator's state, a file named with its
SHA-256, the tokenizer's alphabet and BPE's merges in order. Each failure
is one CheckpointError with a message for a person, never a traceback
from deep inside.

Builds on catalog.py, bpe.py, config.py and tokenizer.py. Leaves out the
file's layout (which fields, which version) and the weights' shapes:
schema.py's.
"""
from __future__ import annotations

import dataclasses
import math
import random
import re

from ..architectures import catalog
from ..variants.bpe import BPETokenizer
from ..config import Config, ConfigError
from ..tokenizer import Tokenizer


class CheckpointError(Exception):
    """A checkpoint file that cannot be used, with a message for a person."""


def expect(condition, path, what):
    if not condition:
        raise CheckpointError(f"{path}: not a valid checkpoint ({what})")


def is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def is_number(x):
    """A finite JSON number (an int too big for a float is not)."""
    if is_int(x):
        return abs(x) < 2 ** 1000
    return isinstance(x, float) and math.isfinite(x)


def checked_floats(xs, n, path, what, minimum=None):
    expect(isinstance(xs, list) and len(xs) == n, path, f"{what} should hold {n} numbers")
    expect(all(is_number(x) for x in xs), path, f"{what} should hold finite numbers")
    expect(minimum is None or all(x >= minimum for x in xs), path,
           f"{what} cannot hold numbers below {minimum}")
    return [float(x) for x in xs]


def checked_config(obj, path):
    """The Config of a checkpoint: each field of the right type, then catalog.check."""
    expect(isinstance(obj, dict), path, "config should be an object")
    defaults = {f.name: f.default for f in dataclasses.fields(Config)}
    values = {}
    for name, value in obj.items():
        expect(name in defaults, path, f"unknown setting {name!r}; written by a newer microgpt?")
        kind = type(defaults[name])
        fits = {int: is_int, float: is_number}.get(kind, lambda x: type(x) is kind)(value)
        expect(fits, path, f"config {name} should be {kind.__name__}, got {value!r}")
        values[name] = float(value) if kind is float else value
    if values.get("tokenizer") == "bpe" and "bpe_vocab_size" not in values:
        values["bpe_vocab_size"] = values.get("vocab_size", 0)  # written before the field was
    config = Config(**values)
    try:
        catalog.check(config)
    except ConfigError as e:
        raise CheckpointError(f"{path}: not a valid checkpoint (config: {e})") from None
    return config


def checked_rng(r, path):
    """The random generator's saved state: Mersenne Twister's 624 words and position."""
    expect(isinstance(r, dict) and r.get("version") == 3, path, "rng should be a version 3 state")
    words = r.get("state")
    expect(isinstance(words, list) and len(words) == 625 and all(is_int(w) for w in words)
           and all(0 <= w < 2 ** 32 for w in words[:624]) and 0 <= words[624] <= 624,
           path, "rng state should be 624 words below 2**32 and a position up to 624")
    gauss_next = r.get("gauss_next")
    expect(gauss_next is None or is_number(gauss_next), path, "rng gauss_next should be a number")
    rng = random.Random()
    rng.setstate((3, tuple(words), None if gauss_next is None else float(gauss_next)))
    return rng


def checked_file(f, path, what):
    """A file the checkpoint names (its data, the checkpoint --init started
    from): {"name": ..., "sha256": 64 hex digits, or "" for none}."""
    expect(isinstance(f, dict) and isinstance(f.get("name"), str)
           and isinstance(f.get("sha256"), str), path, f"{what} should name a file and its sha256")
    expect("\0" not in f["name"] and len(f["name"]) <= 4096, path, f"bad {what} file name")
    expect(re.fullmatch("([0-9a-f]{64})?", f["sha256"]) is not None, path,
           f"{what} sha256 should be 64 hex digits (or empty: no file)")
    return f


def checked_tokenizer(chars, merges, config, path):
    """The character tokenizer, or BPE's: its alphabet and its merges in order."""
    expect(isinstance(chars, list) and all(isinstance(c, str) and len(c) == 1 for c in chars)
           and len(set(chars)) == len(chars), path, "vocab should be distinct characters")
    expect(not any("\ud800" <= c <= "\udfff" for c in chars), path,
           "vocab holds a lone surrogate, not a character")
    expect(isinstance(merges, list) and (config.tokenizer == "bpe" or not merges), path,
           "merges should be a list, empty for the character tokenizer")
    expect(len(chars) + len(merges) + 1 == config.vocab_size, path,
           "the vocabulary does not match vocab_size")
    if config.tokenizer == "char":
        return Tokenizer(chars)
    seen = {}  # BPE's merges: each joins two non-whitespace tokens made before it, once
    for k, pair in enumerate(merges, start=1):
        new_id = len(chars) + k - 1
        expect(isinstance(pair, list) and len(pair) == 2 and all(is_int(i) for i in pair),
               path, f"merge {k} is {pair!r}, not a pair of token ids")
        for i in pair:
            expect(0 <= i < new_id, path, f"merge {k} {pair} names token {i}, which does not "
                                          f"exist before it (ids 0..{new_id - 1} do)")
            space = chars[i] if i < len(chars) and chars[i].isspace() else None
            expect(space is None, path, f"merge {k} {pair} names the whitespace {space!r}; "
                                        f"whitespace never merges")
        expect(tuple(pair) not in seen, path, f"merge {k} {pair} repeats merge {seen.get(tuple(pair))}")
        seen[tuple(pair)] = k
    return BPETokenizer(chars, merges)
