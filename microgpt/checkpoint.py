"""
checkpoint.py: a training run's whole state, saved to and loaded from JSON.

`RunState` bundles what a run carries from one step to the next: the config,
the tokenizer, the weights, Adam's moments (m, v), the number of steps done,
the random generator, the loss history and which data file it trains on. A
checkpoint is that state written as JSON a person can open: floats are written
with repr(), which reads back to the very same bits, so a run resumed from a
checkpoint prints exactly what the uninterrupted run would have.

Writing is atomic: the JSON goes to a temporary file beside the target, which
then replaces it in one rename, so an interrupted save never leaves half a
file. Loading checks everything a hand-edited, truncated or foreign file could
get wrong and raises CheckpointError with a message for a person.

Builds on config.py, tokenizer.py and model.py. train.py saves and resumes;
sample.py and inspect.py load.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, ConfigError
from .model import flatten, param_shapes
from .tokenizer import Tokenizer
from .value import Value

FORMAT = "microgpt-checkpoint"
VERSION = 1


class CheckpointError(Exception):
    """A checkpoint file that cannot be used, with a message for a person."""


@dataclass
class RunState:
    config: Config
    tokenizer: Tokenizer
    params: dict                     # name -> matrix (rows of Values)
    rng: random.Random               # the run's one random generator
    step: int = 0                    # training steps done so far
    m: list = None                   # Adam's first moments, one per parameter
    v: list = None                   # Adam's second moments
    losses: list = field(default_factory=list)  # loss of each step done
    data_name: str = ""              # the data file's name, as given
    data_sha256: str = ""            # and its checksum

    def __post_init__(self):
        n = sum(rows * cols for _, rows, cols in param_shapes(self.config))
        self.m = [0.0] * n if self.m is None else self.m
        self.v = [0.0] * n if self.v is None else self.v


def file_sha256(path):
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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
        "step": state.step,
        "data": {"name": state.data_name, "sha256": state.data_sha256},
        "losses": state.losses,
        "rng": {"version": version, "state": list(internal), "gauss_next": gauss_next},
        "params": {name: [[p.data for p in row] for row in matrix]
                   for name, matrix in state.params.items()},
        "adam": {"m": state.m, "v": state.v},
    }


def save(state, path):
    """Write state to path atomically (temporary file, then rename)."""
    path = Path(path)
    text = json.dumps(to_json(state), indent=1)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# -------------------------------------------------------------------------
# loading

def _expect(condition, path, what):
    if not condition:
        raise CheckpointError(f"{path}: not a valid checkpoint ({what})")


def _floats(xs, n, path, what):
    _expect(isinstance(xs, list) and len(xs) == n, path, f"{what} should hold {n} numbers")
    _expect(all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                for x in xs), path, f"{what} should hold finite numbers")
    return [float(x) for x in xs]


def from_json(obj, path="checkpoint"):
    """A RunState from a parsed checkpoint; CheckpointError when it is not one."""
    _expect(isinstance(obj, dict) and obj.get("format") == FORMAT, path,
            f"no \"format\": \"{FORMAT}\" field; is this a microgpt checkpoint?")
    version = obj.get("version")
    _expect(isinstance(version, int), path, "no format version")
    if version > VERSION:
        raise CheckpointError(f"{path}: checkpoint format version {version} is newer than this "
                              f"microgpt reads ({VERSION}); upgrade microgpt")
    try:
        fields = {f.name for f in dataclasses.fields(Config)}
        config = Config(**{k: v for k, v in obj["config"].items() if k in fields})
        config.check()
        chars = obj["vocab"]
        _expect(isinstance(chars, list) and all(isinstance(c, str) and len(c) == 1 for c in chars)
                and len(set(chars)) == len(chars) and len(chars) + 1 == config.vocab_size,
                path, "the vocabulary does not match vocab_size")
        step, losses = obj["step"], obj["losses"]
        _expect(isinstance(step, int) and 0 <= step <= config.steps, path, "bad step")
        losses = _floats(losses, step, path, "losses")
        params = {}
        for name, rows, cols in param_shapes(config):
            matrix = obj["params"][name]
            _expect(isinstance(matrix, list) and len(matrix) == rows, path, f"{name} has the wrong shape")
            params[name] = [[Value(x) for x in _floats(row, cols, path, name)] for row in matrix]
        n = len(flatten(params))
        m = _floats(obj["adam"]["m"], n, path, "adam.m")
        v = _floats(obj["adam"]["v"], n, path, "adam.v")
        r = obj["rng"]
        rng = random.Random()
        rng.setstate((r["version"], tuple(r["state"]), r["gauss_next"]))
        data = obj["data"]
        return RunState(config, Tokenizer(chars), params, rng, step, m, v, losses,
                        str(data["name"]), str(data["sha256"]))
    except CheckpointError:
        raise
    except ConfigError as e:
        raise CheckpointError(f"{path}: not a valid checkpoint (config: {e})") from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise CheckpointError(f"{path}: not a valid checkpoint (missing or malformed {e})") from None


def load(path):
    """Read a checkpoint file; CheckpointError for anything a person can fix."""
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
    return from_json(obj, path)
