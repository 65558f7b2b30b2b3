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

Each field's own check (and CheckpointError) is field_checks.py's.
Builds on catalog.py (the loss a model trains), value.py, params.py,
training.py and field_checks.py.
"""
from __future__ import annotations

import dataclasses
import re

from ..architectures import catalog
from ..params import param_count, param_shapes
from ..training import RunState
from ..value import Value
from .field_checks import (CheckpointError, checked_config, checked_file, checked_floats,
                           checked_rng, checked_tokenizer, expect, is_int)

FORMAT = "microgpt-checkpoint"
VERSION = 6  # 2: the classifier's class names ("classes"), the model and mask settings;
# 3: the encoder-decoder (model "seq2seq", its task); 4: kv_heads, rope and swiglu;
# 5: the Vision Transformer (model "vit", patch, image_size, pixel_max);
# 6: the encoder-decoder's arch and score (the GRU ones)


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

def from_json(obj, path="checkpoint"):
    """A RunState from a parsed checkpoint; CheckpointError when it is not one."""
    expect(isinstance(obj, dict) and obj.get("format") == FORMAT, path,
           f"no \"format\": \"{FORMAT}\" field; is this a microgpt checkpoint?")
    version = obj.get("version")
    expect(is_int(version) and version >= 1, path, "no format version")
    if version > VERSION:
        raise CheckpointError(f"{path}: checkpoint format version {version} is newer than this "
                              f"microgpt reads ({VERSION}); upgrade microgpt")
    missing = {"config", "vocab", "step", "losses", "params", "adam", "rng", "data"} - set(obj)
    expect(not missing, path, f"missing {', '.join(sorted(missing))}")
    config = checked_config(obj["config"], path)
    tokenizer = checked_tokenizer(obj["vocab"], obj.get("merges", []), config, path)
    step = obj["step"]
    expect(is_int(step) and 0 <= step <= config.steps, path, f"step should be 0 to {config.steps}")
    losses = checked_floats(obj["losses"], step, path, "losses")
    matrices = obj["params"]
    expect(isinstance(matrices, dict), path, "params should be an object")
    # every layer has matrices: a cheap test before listing the shapes of n_layer layers
    expect(config.n_layer <= len(matrices), path, f"params should hold {config.n_layer} layers")
    params = {}
    for name, rows, cols in param_shapes(config):
        matrix = matrices.get(name)
        expect(isinstance(matrix, list) and len(matrix) == rows, path, f"{name} should have {rows} rows")
        params[name] = [[Value(x) for x in checked_floats(row, cols, path, name)] for row in matrix]
    expect(set(matrices) == set(params), path, "params has matrices this model does not have")
    n, adam = param_count(config), obj["adam"]
    expect(isinstance(adam, dict), path, "adam should be an object")
    m = checked_floats(adam.get("m"), n, path, "adam.m")
    v = checked_floats(adam.get("v"), n, path, "adam.v", minimum=0.0)  # a mean of squares
    data = obj["data"]
    expect(isinstance(data, dict) and isinstance(data.get("sha256"), str), path,
           "data should name a file and its sha256")
    name = data.get("name")
    if config.model == "classifier" and isinstance(name, str):  # before: joined by newlines
        name = name.split("\n")
    names = name if config.model == "classifier" else [name]  # a classifier's: a file a class
    expect(isinstance(names, list) and all(isinstance(n, str) and "\0" not in n and len(n) <= 4096
                                           for n in names), path, "bad data file name")
    expect(re.fullmatch("([0-9a-f]{64})?", data["sha256"]) is not None, path,
           "data sha256 should be 64 hex digits (or empty: no file)")
    init = checked_file(obj.get("init", {"name": "", "sha256": ""}), path, "init")  # not in older files
    classes = obj.get("classes", [])  # version 1: none, a GPT's
    expect(isinstance(classes, list) and all(isinstance(c, str) and c for c in classes)
           and len(set(classes)) == len(classes), path, "classes should be distinct names")
    n_class = config.n_class if config.model == "classifier" else 0
    expect(len(classes) == n_class, path, f"classes should hold {n_class} names")
    return RunState(config, tokenizer, params, checked_rng(obj["rng"], path), step, m, v, losses,
                    name, data["sha256"], classes, catalog.loss_of(config),
                    init["name"], init["sha256"])
