"""
model_folder.py: a model folder, opened wherever a checkpoint is: Hugging
Face's GPT-2 (config.json, model.safetensors, and tokenizer.json or
vocab.json + merges.txt), or a folder `python -m microgpt export` wrote.

`open_model(path)` is what sample, inspect and explore open: a RunState
from a checkpoint file (checkpoint.load), or from a folder. A folder's
weights are not Values but plain floats in rows of the array module (4
bytes a weight from an F32 file, 8 from F64): its state reads and samples
through the same gpt() with no graph (floats.py), and does not train.
GPT-2 small's 124,439,808 weights take about 500 MB so; as Values (about
105 bytes each), 13 GB. Before a byte is read the memory is checked against
this machine's, and a progress line with the time left runs while the
weights load. On CPython gpt() does about 40 ns a multiply-add, some 5 s a
token for GPT-2 small; PyPy under a third of a second (docs/gpt2.md has the
measured figures).

`write_folder` is export's (`architecture` says which of two it writes,
or why neither): a model of GPT-2's architecture as Hugging
Face's GPT2LMHeadModel reads it (hf_gpt2.py), or the reference's GPT with
microgpt's names and layout (examples/gpt_in_pytorch.py reads it); both with
the vocabulary as tokenizer files (hf_vocab.py) and, in the safetensors
metadata, the microgpt Config, so that a folder read back is the model
exported.

Builds on config.py, params.py, training.py, checkpoint.py, files.py,
memory.py, progress.py, tensorfile.py, hf_gpt2.py and hf_vocab.py.
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import sys
from pathlib import Path

from ..config import ARCHITECTURES, Config, ConfigError
from ..params import param_count, param_shapes
from ..training import RunState
from . import checkpoint, memory
from .files import write_atomically
from .checkpoint import as_flag
from .hf_gpt2 import FolderError, from_hf_config, hf_config, hf_weights, names, read_weights
from .hf_vocab import load_tokenizer, read_json, read_vocab, write_vocab
from .progress import Progress
from .tensorfile import TensorFileError, read_header, save, tensors

WEIGHTS = "model.safetensors"
SECONDS_PER_MULTIPLY_ADD = {"cpython": 4e-8, "pypy": 4e-9}  # gpt() on floats: docs/gpt2.md
SAME = {"position": "learned", "norm_placement": "pre", "residual": True, "causal_mask": True,
        "pad_to": 0, "model": "gpt"}  # what both GPT-2 and the reference's GPT are
BASE_BYTES = 100_000_000  # the interpreter and microgpt, besides the weights
SLOW = 0.5  # seconds a token (or of loading) from which a model's reading shows progress


def open_model(path, prog="microgpt"):
    """(RunState, a short description for titles) of a checkpoint file or a
    model folder; CheckpointError (FolderError is one) for what a person can fix."""
    if not os.path.isdir(path):
        state = checkpoint.load(path)
        return state, f"{path} (step {state.step})"
    try:
        state = load_folder(path, prog)
    except (TensorFileError, ConfigError) as e:
        raise FolderError(e) from None
    return state, f"{path} ({param_count(state.config):,} parameters)"


def folder_config(folder):
    """(Config, whether export wrote it, bytes the weights will take) of a
    model folder, from config.json and the safetensors header; FolderError."""
    folder = Path(folder)
    if not (folder / WEIGHTS).is_file():
        raise FolderError(f"{folder}: no {WEIGHTS} (microgpt reads safetensors weights, not "
                          f"pytorch_model.bin)")
    entries, metadata, _ = read_header(folder / WEIGHTS)
    ours = metadata.get("microgpt")  # export's: the microgpt Config of the model
    if ours is not None:
        try:
            ours = Config(**json.loads(ours))
        except (ValueError, TypeError) as e:  # ConfigError is a ValueError
            raise FolderError(f"{folder / WEIGHTS}: its microgpt settings cannot be read "
                              f"({e})") from None
    if (folder / "config.json").is_file():
        config = from_hf_config(read_json(folder / "config.json", "a config.json"),
                                folder / "config.json")
        if ours is not None and param_shapes(ours) != param_shapes(config):
            raise FolderError(f"{folder}: config.json and {WEIGHTS}'s microgpt settings differ")
        config = ours or config
    elif ours is not None:
        config = ours
    else:
        raise FolderError(f"{folder}: no config.json: not a Hugging Face model folder")
    wide = any(dtype == "F64" for dtype, _, _, _ in entries.values())  # 8 bytes a weight, else 4
    largest = max((end - begin for _, _, begin, end in entries.values()), default=0)
    return config, ours is not None, BASE_BYTES + param_count(config) * (8 if wide else 4) + 2 * largest


def load_folder(folder, prog="microgpt"):
    """A RunState of a model folder's weights (rows of floats) and vocabulary."""
    config, exported, need = folder_config(folder)
    tokenizer = read_vocab(folder, config.vocab_size) if exported else load_tokenizer(folder)
    if tokenizer.vocab_size != config.vocab_size:
        raise FolderError(f"{folder}: the tokenizer has {tokenizer.vocab_size:,} tokens, the "
                          f"model {config.vocab_size:,}")
    have, n = memory.machine_memory(), param_count(config)
    if have is not None and need > have:
        raise FolderError(f"{folder}: its {n:,} weights need about {memory.human(need)} of "
                          f"memory; this machine has {memory.human(have)}")
    path, shapes = Path(folder) / WEIGHTS, param_shapes(config)
    hf = (Path(folder) / "config.json").is_file()
    progress = Progress(prog, len(names(config)) if hf else len(shapes))
    each = lambda name: progress.step(f"loading {n:,} weights", progress.done + 1, progress.total)
    each = each if seconds_per_token(config) >= SLOW else None
    if hf:
        params = read_weights(path, config, each)
    else:  # export's reference GPT: microgpt's names and (rows, cols) layout
        params = {}
        for (name, rows, cols), (_, shape, flat) in zip(shapes, tensors(path, [s[0] for s in shapes],
                                                                        each)):
            if shape != [rows, cols]:
                raise FolderError(f"{path}: {name} has shape {shape}; the model's is {[rows, cols]}")
            params[name] = [flat[r * cols:(r + 1) * cols] for r in range(rows)]
    return RunState(config, tokenizer, params, random.Random(config.seed), m=[], v=[])


def reading_progress(prog, config):
    """each(done, total) that keeps a progress line while a model reads, when
    it takes seconds a token (GPT-2); None for a smaller one."""
    if seconds_per_token(config) < SLOW:
        return None
    line = Progress(prog, 0)

    def each(done, total):
        line.total = total
        line.step("reading", done, total)
    return each


def seconds_per_token(config):
    """About how long gpt() on floats takes a token on this interpreter: a
    multiply-add per weight (attention's few more are left out)."""
    return SECONDS_PER_MULTIPLY_ADD.get(sys.implementation.name, 4e-8) * param_count(config)


def architecture(config):
    """"gpt2" or "reference": which architecture config is, as export writes
    it; ConfigError naming what it lacks (or has) for either.

    >>> architecture(Config(norm="layernorm", activation="gelu", tie_weights=True))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: neither GPT-2's architecture nor the reference's: it lacks ...
    """
    six, reference = ARCHITECTURES["gpt2"], Config()
    has = [as_flag(k, getattr(config, k)) for k, v in SAME.items() if getattr(config, k) != v]
    if not has and all(getattr(config, k) == v for k, v in six.items()):
        return "gpt2"
    if not has and config.attention_scale and all(getattr(config, k) == getattr(reference, k)
                                                  for k in six):
        return "reference"
    lacks = [as_flag(k, v) for k, v in six.items() if getattr(config, k) != v]
    said = [f"it lacks {' '.join(lacks)} of --arch gpt2"] if lacks else []
    said += [f"it has {' '.join(has)}, which neither has"] if has else []
    said += [] if config.attention_scale else ["it has --no-attention-scale (GPT-2's may)"]
    raise ConfigError("neither GPT-2's architecture nor the reference's: " + "; ".join(said))


def write_folder(state, folder, dtype="F64"):
    """Write the export of state into folder (which exists): model.safetensors
    of dtype (F64 or F32), the vocabulary's files, and for GPT-2's
    architecture config.json; "gpt2" or "reference", the architecture written.
    ConfigError when it is neither (hf_gpt2.architecture), ValueError when its
    vocabulary cannot be written (hf_vocab.write_vocab); nothing is written then."""
    config = state.config
    kind = architecture(config)
    files = write_vocab(state.tokenizer, config.block_size)
    if kind == "gpt2":
        named = hf_weights(state.params, config)
        dtype_name = {"F64": "float64", "F32": "float32"}[dtype]
        files["config.json"] = json.dumps(hf_config(config, state.tokenizer.bos, dtype_name), indent=1)
    else:  # the reference's GPT: microgpt's names, rows as torch.nn.Linear keeps them
        named = {name: ([len(m), len(m[0])], [p.data for row in m for p in row])
                 for name, m in state.params.items()}
    metadata = {"format": "pt", "microgpt": json.dumps(dataclasses.asdict(config))}
    save(Path(folder) / WEIGHTS, named, metadata, dtype)
    for name, text in files.items():
        write_atomically(Path(folder) / name, text)
    return kind
