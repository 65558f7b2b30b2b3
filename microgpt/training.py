"""
training.py: a training run's state, and one step of training.

`RunState` is everything a run carries from one step to the next: the config,
the tokenizer, the weights, Adam's moments (m, v), the number of steps done,
the one random generator, the loss of every step so far, and which data file
it trains on. checkpoint.py writes it to disk and reads it back.

`start` begins a run exactly as the reference does: seed the generator,
shuffle the documents (its first draw), build the vocabulary, draw the
weights. `train_step` is one step: take the next document, run the model
over it position by position, average the next-token losses, backpropagate,
let Adam move every parameter.

    docs, state = start(load_docs("names.txt"), Config())
    while state.step < state.config.steps:
        loss = train_step(state, docs)

Builds on tokenizer.py, config.py, model.py and optim.py. Left out on
purpose: printing, saving and signals, which belong to the command (train.py).
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import random
import sys
from dataclasses import dataclass, field

from .config import Config
from .model import document_loss, flatten, init_params, param_shapes
from .optim import adam_step
from .tokenizer import Tokenizer
from .value import recording


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


def shuffled(docs, rng):
    """docs in the run's order: shuffled by rng (the run's first random draw)."""
    docs = list(docs)
    rng.shuffle(docs)
    return docs


def start(docs, config, data_name="", data_sha256=""):
    """A fresh run: (shuffled docs, RunState with new weights).

    The order of draws is the reference's: seed, shuffle, then the weights.
    """
    rng = random.Random(config.seed)
    docs = shuffled(docs, rng)
    tokenizer = Tokenizer.from_docs(docs)
    config = dataclasses.replace(config, vocab_size=tokenizer.vocab_size)
    config.check()
    params = init_params(config, rng)
    return docs, RunState(config, tokenizer, params, rng, data_name=data_name,
                          data_sha256=data_sha256)


def train_step(state, docs):
    """Train on the next document; return its loss (a float)."""
    doc = docs[state.step % len(docs)]
    with recording() as tape:  # the order the graph is made in: backward needs no sort
        loss = document_loss(state.tokenizer.encode_document(doc), state.params, state.config)
    loss.backward(tape)
    adam_step(flatten(state.params), state.m, state.v, state.step, state.config)
    state.step += 1
    state.losses.append(loss.data)
    return loss.data


@contextlib.contextmanager
def cycle_collector_off():
    """Within the block, CPython's cycle collector is off.

    The graph has no reference cycles, so reference counting frees each
    step's nodes; the cycle collector would only rescan them, again and again
    (about a third of a default step's time). PyPy's collector is its memory
    manager itself: it stays on.
    """
    off = sys.implementation.name == "cpython" and gc.isenabled()
    if off:
        gc.disable()
    try:
        yield
    finally:
        if off:
            gc.enable()
