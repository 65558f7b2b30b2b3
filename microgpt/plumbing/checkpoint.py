"""
checkpoint.py: a training run's whole state, saved to and loaded from JSON.

A checkpoint is a RunState (training.py: the config, the tokenizer, the
weights, Adam's moments, the steps done, the random generator, the loss
history and which data file it trains on) written as JSON a person can open,
in the format schema.py defines; a resumed run prints exactly what the
uninterrupted one would have.

Writing is atomic (files.write_atomically: a temporary file beside the
target, then one rename), so an interrupted save or a full disk never leaves
half a file; and a state whose numbers are no longer finite (a run that
diverged) is never written, since no command could load it. Loading checks
every field (schema.from_json), so a broken file is one CheckpointError.

Builds on config.py, bpe.py, files.py, schema.py and memory.py (the largest checkpoint
this machine could load).
train.py saves and resumes; sample.py and inspector.py load.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shlex

from ..config import RECURRENT
from ..variants.bpe import BPETokenizer
from . import memory
from .files import InputError, read_bytes, write_atomically
from .schema import CheckpointError, from_json, to_json


LONGEST_NUMBER = 40  # digits: a random generator's words have 10, a step count fewer


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


def load(path):
    """Read a checkpoint file; CheckpointError for anything a person can fix."""
    return load_and_sha256(path)[0]


def load_and_sha256(path):
    """(load(path), the hex SHA-256 of the file's bytes), from one reading."""
    try:
        raw = read_bytes(path, "a checkpoint", limit=memory.largest_checkpoint())
        text = raw.decode("utf-8")
    except InputError as e:
        raise CheckpointError(e) from None
    except UnicodeDecodeError as e:
        raise CheckpointError(f"{path}: not a checkpoint (not UTF-8 text: {e.reason} at byte "
                              f"{e.start})") from None
    if text.startswith("\ufeff"):  # a byte-order mark an editor wrote: not JSON, not ours
        text = text[1:]
    if not text.strip():
        raise CheckpointError(f"{path}: empty file, not a checkpoint")

    def whole_number(digits):  # before int() refuses it in words about sys.set_int_max_str_digits
        if len(digits.lstrip("-")) > LONGEST_NUMBER:
            raise CheckpointError(f"{path}: not a checkpoint: a number of "
                                  f"{len(digits.lstrip('-')):,} digits (no field holds more "
                                  f"than {LONGEST_NUMBER})")
        return int(digits)
    try:
        obj = json.loads(text, parse_int=whole_number)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path}: not valid JSON (truncated or corrupted?): "
                              f"{e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise CheckpointError(f"{path}: not a checkpoint (JSON nested too deeply)") from None
    except ValueError as e:  # a number of more than 4300 digits, say
        raise CheckpointError(f"{path}: not a checkpoint ({e})") from None
    return from_json(obj, path), hashlib.sha256(raw).hexdigest()


MAY_CHANGE = ("temperature", "num_samples", "steps", "eval_every")  # no training number moves


# -------------------------------------------------------------------------
# which command works on a checkpoint: every hint a message gives comes from here

LANGUAGE_MODELS = ("gpt",) + RECURRENT  # what train and sample take; the others: their commands
NAMED = {"gpt": "a GPT", "rnn": "an RNN", "gru": "a GRU", "lstm": "an LSTM",
         "classifier": "a classifier", "seq2seq": "an encoder-decoder",
         "mlm": "a masked language model", "vit": "a Vision Transformer"}
LANGUAGE = ("python -m microgpt.train --resume {path}", "python -m microgpt.sample {path}")
COMMANDS = {  # model -> (the command that trains it further, the one that uses it)
    "gpt": LANGUAGE, "rnn": LANGUAGE, "gru": LANGUAGE, "lstm": LANGUAGE,
    "classifier": ("python -m microgpt classify --resume {path}",
                   "python -m microgpt classify {path} --text TEXT"),
    "seq2seq": ("python -m microgpt seq2seq --resume {path}",
                "python -m microgpt seq2seq {path} --text TEXT"),
    "mlm": ("python -m microgpt mlm --resume {path}",
            "python -m microgpt inspect {path} 'em[MASK]a'"),
    "vit": ("python -m microgpt vit --resume {path}", "python -m microgpt vit {path} --image N"),
}  # a new kind of model adds its line here, and its name to NAMED (tests/test_hints.py runs them)


def command_for(state, path, resume=False):
    """The command line that works on the checkpoint at path (its state):
    the one that trains it further (resume; a finished run is given twice
    its steps), or the one that uses it (TEXT: the text to give).

    >>> from microgpt.config import Config
    >>> from types import SimpleNamespace as S
    >>> command_for(S(config=Config(model="lstm", steps=50), step=50), "my run.json", resume=True)
    "python -m microgpt.train --resume 'my run.json' --steps 100"
    """
    if state.config.model not in COMMANDS:
        return "python -m microgpt lists the commands"
    trains, uses = COMMANDS[state.config.model]
    line = (trains if resume else uses).format(path=shlex.quote(os.fspath(path)))
    if resume and state.step >= state.config.steps:
        line += f" --steps {2 * state.config.steps}"
    return line


def load_kind(path, models, resume=False):
    """The checkpoint at path (load); CheckpointError, naming what it holds
    and the command that works on it (resume: the one that trains it
    further), unless its model is one of models."""
    return check_kind(load(path), path, models, resume)


def check_kind(state, path, models, resume=False):
    """state, unless its model is not one of models: then CheckpointError,
    naming what path holds and the command that works on it."""
    if state.config.model not in models:
        wanted = ("a language model's (a GPT's, or an RNN's, GRU's or LSTM's)"
                  if models == LANGUAGE_MODELS else " or ".join(f"{NAMED[m]}'s" for m in models))
        raise CheckpointError(f"{path} is {NAMED.get(state.config.model, 'another model')}'s "
                              f"checkpoint, not {wanted} ({command_for(state, path, resume)})")
    return state


def stopped_short(state, docs):
    """True if the run's BPE vocabulary is all that docs (its data) can teach:
    learning once more from them stops at the same size."""
    return (state.config.tokenizer == "bpe"
            and BPETokenizer.learn(docs, state.config.vocab_size + 1).vocab_size
            == state.config.vocab_size)


def as_flag(name, value):
    """How a setting reads on the command line.

    >>> as_flag("n_embd", 32), as_flag("residual", False), as_flag("bpe_vocab_size", 60)
    ('--n-embd 32', '--no-residual', '--vocab-size 60')
    >>> as_flag("causal_mask", False)
    '--causal-mask off'
    """
    if name == "causal_mask":
        return f"--causal-mask {'on' if value else 'off'}"
    flag = "vocab-size" if name == "bpe_vocab_size" else name.replace("_", "-")
    if isinstance(value, bool):
        return f"--{flag}" if value else f"--no-{flag}"
    return f"--{flag} {value}"


NOT_THE_MODEL = ("vocab_size", "n_class", "steps", "eval_every", "temperature", "num_samples")


def non_default_flags(config):
    """The flags that make config differ from the reference's recipe, as a
    picture's title names a model: settings the data decides (vocab_size,
    n_class), the steps (a title gives the step) and sampling's left out.

    >>> from microgpt.config import Config
    >>> non_default_flags(Config(n_head=2, tie_weights=True, steps=300, vocab_size=60))
    '--n-head 2 --tie-weights'
    """
    return " ".join(as_flag(f.name, getattr(config, f.name)) for f in dataclasses.fields(config)
                    if f.name not in NOT_THE_MODEL and getattr(config, f.name) != f.default)


def check_resume(state, given, path, data_path, data_sha256, docs=None):
    """Raise CheckpointError if a resumed run would not go on as it was.

    given: {Config field: value} of the flags on the command line. Sampling
    settings and how often the held-out loss is shown may change; so may
    steps, to train a run further (or stop it sooner), but not below the
    steps done; anything else that shapes training may not, nor the data.
    A finished run needs a new steps. docs: the data's documents, to tell
    whether a larger --vocab-size is the one a BPE run asked for and stopped
    short of (no pair occurred twice any more).
    """
    if data_sha256 != state.data_sha256:
        raise CheckpointError(f"{data_path} is not the data file {path} was trained on "
                              f"({state.data_name}, sha256 {state.data_sha256[:12]}...)")
    for name, value in given.items():
        old = getattr(state.config, name)
        if name == "bpe_vocab_size" and value > old and docs is not None and stopped_short(state, docs):
            continue
        if name not in MAY_CHANGE and value != old:
            raise CheckpointError(f"{as_flag(name, value)} differs from the checkpoint's "
                                  f"{as_flag(name, old)}; a resumed run keeps its settings")
    if given.get("steps", state.config.steps) <= state.step:
        done = (f"is finished ({state.step} steps)" if "steps" not in given
                else f"has done {state.step} steps already")
        raise CheckpointError(f"{path}: the run {done}; to train it further give --steps N "
                              f"with N above {state.step} ({command_for(state, path)} uses it)")
