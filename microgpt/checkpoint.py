"""
checkpoint.py: a training run's whole state, saved to and loaded from JSON.

A checkpoint is a RunState (training.py: the config, the tokenizer, the
weights, Adam's moments, the steps done, the random generator, the loss
history and which data file it trains on) written as JSON a person can
open: floats are written
with repr(), which reads back to the very same bits, so a run resumed from a
checkpoint prints exactly what the uninterrupted run would have.

Writing is atomic (files.write_atomically: a temporary file beside the
target, then one rename), so an interrupted save or a full disk never leaves
half a file; and a state whose numbers are no longer finite (a run that
diverged) is never written, since no command could load it. Loading checks
every field's type and range, so a hand-edited, truncated or foreign file
raises CheckpointError with a message for a person, never a traceback from
deep inside.

Builds on config.py, tokenizer.py, model.py, training.py and files.py.
train.py saves and resumes; sample.py and inspect.py load.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import re
from pathlib import Path

from .bpe import BPETokenizer
from .config import Config, ConfigError
from .files import write_atomically
from .model import flatten, param_shapes
from .tokenizer import Tokenizer
from .training import RunState
from .value import Value

FORMAT = "microgpt-checkpoint"
VERSION = 1


class CheckpointError(Exception):
    """A checkpoint file that cannot be used, with a message for a person."""


# -------------------------------------------------------------------------
# saving

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
    }


def save(state, path):
    """Write state to path atomically (files.write_atomically).

    CheckpointError, and nothing written, if a number in the state is not
    finite (standard JSON has no NaN, and no command would load it); OSError
    if the write fails (a full disk), the file at path then as it was.
    """
    try:
        text = json.dumps(to_json(state), indent=1, allow_nan=False)
    except ValueError:
        raise CheckpointError(f"{path}: step {state.step} not saved: a weight or moment is no "
                              f"longer a finite number (the run diverged)") from None
    write_atomically(path, text)


# -------------------------------------------------------------------------
# loading: every field checked before it is used

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
    """The Config of a checkpoint: each field of the right type, then Config.check()."""
    _expect(isinstance(obj, dict), path, "config should be an object")
    defaults = {f.name: f.default for f in dataclasses.fields(Config)}
    values = {}
    for name, value in obj.items():
        _expect(name in defaults, path, f"unknown setting {name!r}; written by a newer microgpt?")
        kind = type(defaults[name])
        fits = {int: _is_int, float: _is_number}.get(kind, lambda x: type(x) is kind)(value)
        _expect(fits, path, f"config {name} should be {kind.__name__}, got {value!r}")
        values[name] = float(value) if kind is float else value
    config = Config(**values)
    try:
        config.check()
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
    try:
        return BPETokenizer(chars, merges)
    except ValueError as e:
        raise CheckpointError(f"{path}: not a valid checkpoint (merges: {e})") from None


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
    n, adam = len(flatten(params)), obj["adam"]
    _expect(isinstance(adam, dict), path, "adam should be an object")
    m = _floats(adam.get("m"), n, path, "adam.m")
    v = _floats(adam.get("v"), n, path, "adam.v", minimum=0.0)  # a mean of squares
    data = obj["data"]
    _expect(isinstance(data, dict) and isinstance(data.get("name"), str)
            and isinstance(data.get("sha256"), str), path, "data should name a file and its sha256")
    _expect("\0" not in data["name"] and len(data["name"]) <= 4096, path, "bad data file name")
    _expect(re.fullmatch("([0-9a-f]{64})?", data["sha256"]) is not None, path,
            "data sha256 should be 64 hex digits (or empty: no file)")
    return RunState(config, tokenizer, params, _rng(obj["rng"], path), step, m, v, losses,
                    data["name"], data["sha256"])


def load(path):
    """Read a checkpoint file; CheckpointError for anything a person can fix."""
    if not os.fspath(path):
        raise CheckpointError("'': an empty file name")
    if "\0" in os.fspath(path):
        raise CheckpointError(f"{path!r}: a file name cannot contain a NUL character")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CheckpointError(f"{path}: is a directory, not a checkpoint") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{path}: cannot read ({e})") from None
    if not text.strip():
        raise CheckpointError(f"{path}: empty file, not a checkpoint")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path}: not valid JSON (truncated or corrupted?): "
                              f"{e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise CheckpointError(f"{path}: not a checkpoint (JSON nested too deeply)") from None
    except ValueError as e:  # a number of more than 4300 digits, say
        raise CheckpointError(f"{path}: not a checkpoint ({e})") from None
    return from_json(obj, path)


def check_resume(state, given, path, data_path, data_sha256):
    """Raise CheckpointError if a resumed run would not go on as it was.

    given: {Config field: value} of the flags on the command line. Sampling
    settings may change; so may steps, to train a run further (or stop it
    sooner), but not below the steps done; anything else that shapes
    training may not, nor the data. A finished run needs a new steps.
    """
    if data_sha256 != state.data_sha256:
        raise CheckpointError(f"{data_path} is not the data file {path} was trained on "
                              f"({state.data_name}, sha256 {state.data_sha256[:12]}...)")
    for name, value in given.items():
        if name in ("temperature", "num_samples", "steps"):
            continue
        if value != getattr(state.config, name):
            raise CheckpointError(f"--{name.replace('_', '-')} {value} differs from the checkpoint's "
                                  f"{getattr(state.config, name)}; a resumed run keeps its settings")
    if given.get("steps", state.config.steps) <= state.step:
        done = (f"is finished ({state.step} steps)" if "steps" not in given
                else f"has done {state.step} steps already")
        raise CheckpointError(f"{path}: the run {done}; to train it further give --steps N "
                              f"with N above {state.step} (python -m microgpt.sample {path} "
                              f"samples it)")
