"""
training.py: a training run's state, and one step of training.

`RunState` is everything a run carries from one step to the next: the
config, the tokenizer, the weights, Adam's moments (m, v), the steps done,
the one random generator, every step's loss, the loss it trains (the GPT's
document_loss, or another architecture's) and which data file it trains on
(a checkpoint writes it to disk). `start` begins a run as the reference
does: seed the generator, shuffle the documents (its first draw), build the
vocabulary, draw the weights; it returns the training examples too, each
document as the token ids the model reads ([BOS, ..., BOS]). `train_step`
runs the model over the next example (or batch), averages the next-token
losses, backpropagates and lets Adam (or SGD: config.optimizer) move every
parameter; a loss or gradient that is no longer a finite number raises
Diverged first, so the state stays the last good one.

    examples, state = start(load_docs("names.txt"), Config())
    for step in range(state.config.steps):
        loss = train_step(state, examples)

Another architecture (microgpt/architectures/) trains through the same
step with its own loss: its run is started with `loss=` (catalog.start
picks it from config.model). A run too big for this machine is refused as
its Plan is made, before a weight is drawn (check_size, below).

Builds on config.py, data.py, fused.py, model.py, optim.py, params.py,
tokenizer.py and value.py. Left out on purpose: printing, saving, signals and the
garbage collector's switch, which belong to the commands; the held-out loss
(instruments/held_out.py).
"""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from .config import RUN_RULES, Config, ConfigError, check_is_config
from . import data  # data.sft: supervised fine-tuning's lines checked (variants/sft.py)
from .data import check_docs, check_example, held_out_count, make_examples, shuffled, split
from .fused import vsum
from .model import document_loss
from .optim import Diverged, adam_step, check_finite, check_optimizer, sgd_step  # Diverged: raised
from .params import check_shape, flatten, init_params, param_count
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
    data_name: str = ""              # the data file's name, as given (a classifier's: a list)
    data_sha256: str = ""            # and its checksum
    classes: list = field(default_factory=list)  # the classifier's class names, in order
    loss: callable = document_loss   # what it trains: loss(example, params, config) -> a Value
    init_name: str = ""              # a run started from a checkpoint's weights (--init): its file
    init_sha256: str = ""            # and that file's checksum

    def __post_init__(self):
        n = param_count(self.config)
        self.m = [0.0] * n if self.m is None else self.m
        self.v = [0.0] * n if self.v is None else self.v

    def __repr__(self):
        """One line, not thousands of weights (Jupyter draws the loss curve too)."""
        last = self.losses[-50:]
        loss = f", loss {sum(last) / len(last):.4f} (mean of the last {len(last)})" if last else ""
        names = self.data_name if isinstance(self.data_name, list) else [self.data_name]
        data = f", data {', '.join(names)}" if self.data_name else ""
        return (f"RunState(step {self.step} of {self.config.steps}{loss}, "
                f"{param_count(self.config):,} parameters, {self.config.tokenizer} tokenizer "
                f"of {self.config.vocab_size} tokens{data})")


# How big a run is, is arithmetic (catalog.memory_needed); this machine's memory is the operating
# system's to say, which the algorithm never asks: microgpt/__init__.py sets this hook to
# plumbing/memory.py's check_run_fits(config, examples), which raises ConfigError.
check_size = None


@dataclass
class Plan:
    """What a fresh run settles before it draws its weights; made only for
    a run this machine can hold (check_size)."""
    examples: list        # the training examples: token ids [BOS, ..., BOS], in the run's order
    tokenizer: Tokenizer
    config: Config        # with the vocab_size the tokenizer has
    rng: random.Random    # the run's generator, after the shuffle
    loss: callable = document_loss  # what the run trains

    def __post_init__(self):
        if check_size is not None and self.examples:
            check_size(self.config, self.examples)


def check_config(config, loss=document_loss):
    """Raise TypeError unless config is a Config, ConfigError unless its
    settings can work together (the model's shape, the run's, the
    optimizer's) and loss is the one its model trains: the GPT's
    document_loss reads through the key/value cache, the causal mask
    itself; every other model passes its own (catalog.loss_of)."""
    check_is_config(config)
    config.check_fields()  # a field may have been set since the config was built
    check_shape(config)
    for name, fits, must in RUN_RULES:
        if not fits(getattr(config, name)):
            raise ConfigError(f"{name} must be {must}, got {getattr(config, name)}")
    if (config.tokenizer == "bpe") != (config.bpe_vocab_size != 0):
        raise ConfigError("bpe_vocab_size needs tokenizer='bpe' (characters make their own "
                          "vocabulary)" if config.bpe_vocab_size else "tokenizer='bpe' needs a "
                          "bpe_vocab_size of at least 2 (the vocabulary to learn up to)")
    check_optimizer(config)
    if loss is document_loss and config.model != "gpt":
        raise ConfigError(f"a {config.model} model trains with its own loss, not the GPT's "
                          f"document_loss: start it with microgpt.architectures.catalog.start")
    if config.loss_on == "response" and loss is not document_loss:
        raise ConfigError("loss_on='response' masks the prompt in model.document_loss, the loss "
                          "of a GPT with the causal mask and no pad_to; this model has another")
    if loss is document_loss and (not config.causal_mask or config.pad_to):
        raise ConfigError("document_loss reads through the key/value cache, whose mask is the "
                          "causal one: a GPT without it (causal_mask=False, or pad_to) trains "
                          "with architectures.encoder.sequence_loss (catalog.start picks it)")


def plan(docs, config, tokenizer=None, loss=document_loss):
    """A fresh run on docs (file order) up to its weights, with every check
    of the settings against the data (too small a vocabulary, nothing left
    to train on: ConfigError). The order of draws is the reference's: seed,
    shuffle, then (start_planned) the weights. tokenizer: the characters of
    docs by default; a learned one (variants/bpe.py) is passed in."""
    check_docs(docs)
    check_config(config, loss)  # before the tokenizer is made from it
    if tokenizer is None and config.tokenizer != "char":
        raise ConfigError(f"a {config.tokenizer} tokenizer is learned first and passed in: "
                          f"start(docs, config, tokenizer=...) (catalog.start learns it)")
    tokenizer = Tokenizer.from_docs(docs) if tokenizer is None else tokenizer
    if config.loss_on == "response":  # in file order: a refused document is named by its place
        data.sft.check_responses(docs, tokenizer, config)
    rng = random.Random(config.seed)
    docs = shuffled(docs, rng)
    config = dataclasses.replace(config, vocab_size=tokenizer.vocab_size)
    check_shape(config)
    train_docs, _ = split_run(docs, config)  # the held-out ones: replay_split(...)[1]
    return Plan(make_examples(train_docs, tokenizer, config), tokenizer, config, rng, loss)


def split_run(items, config, what="documents"):
    """data.split of a run's items (documents, or another model's pairs) in
    the run's order; ConfigError when the split leaves nothing to train on."""
    n_held = held_out_count(len(items), config.val_fraction)
    if n_held >= len(items):
        raise ConfigError(f"val_fraction {config.val_fraction:g} holds out {n_held} of the "
                          f"{len(items)} {what} and leaves none to train on")
    return split(items, config.val_fraction)


def start(docs, config, data_name="", data_sha256="", tokenizer=None, loss=document_loss):
    """A fresh run from documents in file order: (training examples, RunState
    with new weights)."""
    return start_planned(plan(docs, config, tokenizer, loss), data_name, data_sha256)


def start_planned(planned, data_name="", data_sha256=""):
    """start, from what plan() settled: the weights are drawn now."""
    params = init_params(planned.config, planned.rng)
    state = RunState(planned.config, planned.tokenizer, params, planned.rng,
                     data_name=data_name, data_sha256=data_sha256, loss=planned.loss)
    return planned.examples, state


def batch_loss(examples, step, params, config, loss=document_loss):
    """The loss of training step `step` (0-based), one Value: the mean
    example loss of examples (step * B + b) % len(examples), b = 0..B-1
    (B = config.batch_size). With B = 1, the loss of examples[step % len].
    Each example is checked first (check_example)."""
    B = config.batch_size
    batch = [(step * B + b) % len(examples) for b in range(B)]
    for i in batch:
        check_example(examples[i], i, config)
    return (1 / B) * vsum([loss(examples[i], params, config) for i in batch])


def train_step(state, examples, gradients=None):
    """Train on the next batch of examples (token ids); return its loss (a float).

    gradients: None, or a function called with state.params once the
    gradients are in .grad (backward done, all finite) and before the
    optimizer uses and clears them: where grad_norms can read them.

    Raises Diverged, the state unchanged, when the loss or a gradient is not
    a finite number; ConfigError when there are no examples, or when the run
    has done its config.steps already (past its end a decaying schedule's
    learning rate would turn negative: gradient ascent)."""
    if state.step >= state.config.steps:
        raise ConfigError(f"the run has done its {state.config.steps} steps (config.steps): a "
                          f"step past the end is off its learning-rate schedule; set "
                          f"state.config.steps higher first to train it further")
    if not examples:
        raise ConfigError("no examples to train on (examples is empty)")
    with recording() as tape:  # the order the graph is made in: backward needs no sort
        loss = batch_loss(examples, state.step, state.params, state.config, state.loss)
    loss.backward(tape)
    params = flatten(state.params)
    check_finite(loss.data, params)  # before Adam: a step that diverges moves nothing
    if gradients is not None:
        gradients(state.params)
    if state.config.optimizer == "sgd":  # p -= lr_t * grad; Adam's m and v stay as they are
        sgd_step(params, state.step, state.config)
    else:
        adam_step(params, state.m, state.v, state.step, state.config)
    state.step += 1
    state.losses.append(loss.data)
    return loss.data
