"""
schema.py: what a checkpoint holds, field by field, written and read back.

`to_json` turns a RunState (training.py) into plain JSON data: the format
name and version, the config, the tokenizer's alphabet (and BPE's merges),
the steps done and their losses, the random generator's state, the weights,
Adam's moments, and the data file's name and SHA-256; a classifier's also
its class names (version 2; a version 1 file is a GPT's and reads as one,
its new settings, the masks, at their defaults; version 3 adds the
encoder-decoder's model and task, and reads versions 1 and 2 as they
were; version 4 the modern attention's kv_heads, rope and swiglu, and
reads the earlier ones with kv_heads 0, one key/value head per query
head; version 5 the Vision Transformer's and its image settings; version
6 the encoder-decoder's arch and score), its data files' names, one a
class, as a list (they were one
string, joined by newlines, which a name can hold: such a file still
reads); and "init", the checkpoint a run started from (train --init: its
file name and SHA-256; empty strings for a run from random weights, and
in a file written before the field was). Floats are written with repr(),
which reads back to the very same bits, so a resumed run prints exactly
what the uninterrupted one would have.

`from_json` is the way back, and it trusts nothing: every field's type and
range is checked before it is used, so a hand-edited, truncated or foreign
file raises CheckpointError with a message for a person, never a traceback
from deep inside. checkpoint.py reads and writes the files.

Builds on catalog.py (the loss a model trains), tokenizer.py, bpe.py, value.py, config.py, params.py and
training.py.
"""
from __future__ import annotations

import dataclasses
import math
import random
import re

from ..architectures import catalog
from ..variants.bpe import BPETokenizer
from ..config import Config, ConfigError
from ..params import param_count, param_shapes
from ..tokenizer import Tokenizer
from ..training import RunState
from ..value import Value

FORMAT = "microgpt-checkpoint"
VERSION = 6  # 2: the classifier's class names ("classes"), the model and mask settings;
# 3: the encoder-decoder (model "seq2seq", its task); 4: kv_heads, rope and swiglu;
# 5: the Vision Transformer (model "vit", patch, image_size, pixel_max);
# 6: the encoder-decoder's arch and score (the GRU ones)


class CheckpointError(Exception):
    """A checkpoint file that cannot be used, with a message for a person."""


def to_json(state):
    """The checkpoint as a JSON-ready dict (plain numbers, lists, strings)."""
    version, internal, gauss_next = state.rng.getstate()
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": dataclasses.asdict(state.config),
        "vocab": state.tokenizer.chars,
        "merges": [list(pair) for pair in getattr(state.tokenizer, "merges", [])],  # BPE's, in order
        "step": state.step,
        "data": {"name": state.data_name, "sha256": state.data_sha256},
        "losses": state.losses,
        "rng": {"version": version, "state": list(internal), "gauss_next": gauss_next},
        "params": {name: [[p.data for p in row] for row in matrix]
                   for name, matrix in state.params.items()},
        "adam": {"m": state.m, "v": state.v},
        "classes": state.classes,
        "init": {"name": state.init_name, "sha256": state.init_sha256},  # --init's checkpoint, if any
    }



# -------------------------------------------------------------------------
# reading back: every field checked before it is used

def _expect(condition, path, what):
    if not condition:
        raise CheckpointError(f"{path}: not a valid checkpoint ({what})")


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x):
    """A finite JSON number (an int too big for a float is not)."""
    if _is_int(x):
        return abs(x) < 2 ** 1000
    return isinstance(x, float) and math.isfinite(x)


def _floats(xs, n, path, what, minimum=None):
    _expect(isinstance(xs, list) and len(xs) == n, path, f"{what} should hold {n} numbers")
    _expect(all(_is_number(x) for x in xs), path, f"{what} should hold finite numbers")
    _expect(minimum is None or all(x >= minimum for x in xs), path,
            f"{what} cannot hold numbers below {minimum}")
    return [float(x) for x in xs]


def _config(obj, path):
    """The Config of a checkpoint: each field of the right type, then catalog.check."""
    _expect(isinstance(obj, dict), path, "config should be an object")
    defaults = {f.name: f.default for f in dataclasses.fields(Config)}
    values = {}
    for name, value in obj.items():
        _expect(name in defaults, path, f"unknown setting {name!r}; written by a newer microgpt?")
        kind = type(defaults[name])
        fits = {int: _is_int, float: _is_number}.get(kind, lambda x: type(x) is kind)(value)
        _expect(fits, path, f"config {name} should be {kind.__name__}, got {value!r}")
        values[name] = float(value) if kind is float else value
    if values.get("tokenizer") == "bpe" and "bpe_vocab_size" not in values:
        values["bpe_vocab_size"] = values.get("vocab_size", 0)  # written before the field was
    config = Config(**values)
    try:
        catalog.check(config)
    except ConfigError as e:
        raise CheckpointError(f"{path}: not a valid checkpoint (config: {e})") from None
    return config


def _rng(r, path):
    """The random generator's saved state: Mersenne Twister's 624 words and position."""
    _expect(isinstance(r, dict) and r.get("version") == 3, path, "rng should be a version 3 state")
    words = r.get("state")
    _expect(isinstance(words, list) and len(words) == 625 and all(_is_int(w) for w in words)
            and all(0 <= w < 2 ** 32 for w in words[:624]) and 0 <= words[624] <= 624,
            path, "rng state should be 624 words below 2**32 and a position up to 624")
    gauss_next = r.get("gauss_next")
    _expect(gauss_next is None or _is_number(gauss_next), path, "rng gauss_next should be a number")
    rng = random.Random()
    rng.setstate((3, tuple(words), None if gauss_next is None else float(gauss_next)))
    return rng


def _file(f, path, what):
    """A file the checkpoint names (its data, the checkpoint --init started
    from): {"name": ..., "sha256": 64 hex digits, or "" for none}."""
    _expect(isinstance(f, dict) and isinstance(f.get("name"), str)
            and isinstance(f.get("sha256"), str), path, f"{what} should name a file and its sha256")
    _expect("\0" not in f["name"] and len(f["name"]) <= 4096, path, f"bad {what} file name")
    _expect(re.fullmatch("([0-9a-f]{64})?", f["sha256"]) is not None, path,
            f"{what} sha256 should be 64 hex digits (or empty: no file)")
    return f


def _tokenizer(chars, merges, config, path):
    """The character tokenizer, or BPE's: its alphabet and its merges in order."""
    _expect(isinstance(chars, list) and all(isinstance(c, str) and len(c) == 1 for c in chars)
            and len(set(chars)) == len(chars), path, "vocab should be distinct characters")
    _expect(not any("\ud800" <= c <= "\udfff" for c in chars), path,
            "vocab holds a lone surrogate, not a character")
    _expect(isinstance(merges, list) and (config.tokenizer == "bpe" or not merges), path,
            "merges should be a list, empty for the character tokenizer")
    _expect(len(chars) + len(merges) + 1 == config.vocab_size, path,
            "the vocabulary does not match vocab_size")
    if config.tokenizer == "char":
        return Tokenizer(chars)
    seen = {}  # BPE's merges: each joins two non-whitespace tokens made before it, once
    for k, pair in enumerate(merges, start=1):
        new_id = len(chars) + k - 1
        _expect(isinstance(pair, list) and len(pair) == 2 and all(_is_int(i) for i in pair),
                path, f"merge {k} is {pair!r}, not a pair of token ids")
        for i in pair:
            _expect(0 <= i < new_id, path, f"merge {k} {pair} names token {i}, which does not "
                                           f"exist before it (ids 0..{new_id - 1} do)")
            space = chars[i] if i < len(chars) and chars[i].isspace() else None
            _expect(space is None, path, f"merge {k} {pair} names the whitespace {space!r}; "
                                         f"whitespace never merges")
        _expect(tuple(pair) not in seen, path, f"merge {k} {pair} repeats merge {seen.get(tuple(pair))}")
        seen[tuple(pair)] = k
    return BPETokenizer(chars, merges)


def from_json(obj, path="checkpoint"):
    """A RunState from a parsed checkpoint; CheckpointError when it is not one."""
    _expect(isinstance(obj, dict) and obj.get("format") == FORMAT, path,
            f"no \"format\": \"{FORMAT}\" field; is this a microgpt checkpoint?")
    version = obj.get("version")
    _expect(_is_int(version) and version >= 1, path, "no format version")
    if version > VERSION:
        raise CheckpointError(f"{path}: checkpoint format version {version} is newer than this "
                              f"microgpt reads ({VERSION}); upgrade microgpt")
    missing = {"config", "vocab", "step", "losses", "params", "adam", "rng", "data"} - set(obj)
    _expect(not missing, path, f"missing {', '.join(sorted(missing))}")
    config = _config(obj["config"], path)
    tokenizer = _tokenizer(obj["vocab"], obj.get("merges", []), config, path)
    step = obj["step"]
    _expect(_is_int(step) and 0 <= step <= config.steps, path, f"step should be 0 to {config.steps}")
    losses = _floats(obj["losses"], step, path, "losses")
    matrices = obj["params"]
    _expect(isinstance(matrices, dict), path, "params should be an object")
    # every layer has matrices: a cheap test before listing the shapes of n_layer layers
    _expect(config.n_layer <= len(matrices), path, f"params should hold {config.n_layer} layers")
    params = {}
    for name, rows, cols in param_shapes(config):
        matrix = matrices.get(name)
        _expect(isinstance(matrix, list) and len(matrix) == rows, path, f"{name} should have {rows} rows")
        params[name] = [[Value(x) for x in _floats(row, cols, path, name)] for row in matrix]
    _expect(set(matrices) == set(params), path, "params has matrices this model does not have")
    n, adam = param_count(config), obj["adam"]
    _expect(isinstance(adam, dict), path, "adam should be an object")
    m = _floats(adam.get("m"), n, path, "adam.m")
    v = _floats(adam.get("v"), n, path, "adam.v", minimum=0.0)  # a mean of squares
    data = obj["data"]
    _expect(isinstance(data, dict) and isinstance(data.get("sha256"), str), path,
            "data should name a file and its sha256")
    name = data.get("name")
    if config.model == "classifier" and isinstance(name, str):  # before: joined by newlines
        name = name.split("\n")
    names = name if config.model == "classifier" else [name]  # a classifier's: a file a class
    _expect(isinstance(names, list) and all(isinstance(n, str) and "\0" not in n and len(n) <= 4096
                                            for n in names), path, "bad data file name")
    _expect(re.fullmatch("([0-9a-f]{64})?", data["sha256"]) is not None, path,
            "data sha256 should be 64 hex digits (or empty: no file)")
    init = _file(obj.get("init", {"name": "", "sha256": ""}), path, "init")  # not in older files
    classes = obj.get("classes", [])  # version 1: none, a GPT's
    _expect(isinstance(classes, list) and all(isinstance(c, str) and c for c in classes)
            and len(set(classes)) == len(classes), path, "classes should be distinct names")
    n_class = config.n_class if config.model == "classifier" else 0
    _expect(len(classes) == n_class, path, f"classes should hold {n_class} names")
    return RunState(config, tokenizer, params, _rng(obj["rng"], path), step, m, v, losses,
                    name, data["sha256"], classes, catalog.loss_of(config),
                    init["name"], init["sha256"])
