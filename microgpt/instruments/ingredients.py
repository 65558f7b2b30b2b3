"""
ingredients.py: what each piece of the GPT buys: seven stages, from
counting bigrams to the reference run, each adding one ingredient, each
trained on the same documents and scored on the same held-out ones.

    0 uniform            every token equally likely                  bigrams.py
    1 bigram counts      the next token from counts after the current one
    2 MLP, by hand       3 tokens of context, a tanh layer; backprop written out (backprop.py), SGD
    3 MLP, autograd      the same model on Value (neural_lm.py), trained by training.train_step
    4 attention, 1 head  the GPT with one head (n_head=1): every token before, positions,
                         rmsnorm, the residual; SGD
    5 multi-head         the reference's shape, 4 heads; SGD
    6 Adam               the reference run itself

Each stage is a fresh run of train's (training.plan): the seed, the
shuffle, the held-out split (the last max(1, round(F * n)) documents,
never trained on), step s on training document s % n, the weights drawn
after the shuffle. Stages 0 and 1 learn nothing by steps: their loss at
step s is that of the step's document. A stage's held-out loss is the
mean, over every held-out document, of that document's mean loss per token
(its first block_size positions): the same quantity for every stage. Stage
6 is `python -m microgpt.train FILE --steps N --val-fraction F --seed S`,
loss for loss, and its samples are that run's first three.

Plain gradient descent needs its own learning rate (MLP_LR for the MLP,
ATTENTION_LR for the GPT): the best of those measured in
docs/progression.md.

Builds on config.py, data.py, generate.py, optim.py, params.py,
training.py, bigrams.py, backprop.py, neural_lm.py and catalog.py. Left
out on purpose: printing (commands/progression.py), the other variants
(compare does them).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from ..architectures import backprop, bigrams, catalog, neural_lm
from ..config import Config
from ..data import held_out_examples
from ..generate import sample
from ..optim import Diverged
from ..params import param_count
from ..training import start_planned, train_step

MLP_LR = 1.0         # SGD's learning rate in stages 2 and 3 (docs/progression.md: measured)
ATTENTION_LR = 0.3   # ... and in stages 4 and 5
STAGES = (  # (name, what it adds)
    ("uniform", "every token equally likely"),
    ("bigram counts", "the next token from counts after the current one"),
    ("MLP, by hand", "3 tokens of context, a tanh layer; backprop by hand"),
    ("MLP, autograd", "the same on Value: backward() finds the gradients"),
    ("attention, 1 head", "every token before, positions, rmsnorm, residual"),
    ("multi-head", "4 heads (the reference's shape)"),
    ("Adam", "Adam in place of SGD: the reference run"),
)


@dataclass
class Result:
    stage: int
    name: str
    params: int
    train_losses: list    # one per step
    held_out_loss: float  # None when training diverged
    samples: list
    seconds: float        # CPU seconds: training, scoring, sampling
    diverged: int = None  # the step at which it did
    likeliest: list = dataclasses.field(default_factory=list)  # the counts' best guesses


@dataclass
class Ready:
    """A stage built, not trained yet: what run_stage reads of it."""
    params: int         # its parameter count (the counts': the table's entries)
    step: object        # step(s) -> the loss of training step s
    loss: object        # loss(ids) -> a document's mean loss per token, a float
    weights: object     # what its reader reads
    reader: object      # generate.sample's reader (None: the GPT's own cache)
    rng: object         # the random generator the samples draw from
    likeliest: list = dataclasses.field(default_factory=list)  # the counts' best guesses


def settings(steps=1000, val_fraction=0.1, seed=42, mlp_lr=MLP_LR, attention_lr=ATTENTION_LR):
    """Each stage's Config: train's run, with the stage's optimizer and shape."""
    base = Config(steps=steps, val_fraction=val_fraction, seed=seed, num_samples=3)
    sgd = lambda lr, **shape: dataclasses.replace(base, optimizer="sgd", lr=lr, **shape)
    return [base, base, sgd(mlp_lr), sgd(mlp_lr), sgd(attention_lr, n_head=1),
            sgd(attention_lr), base]


def build(k, planned):
    """Stage k on planned (training.plan's result), its weights drawn (or
    its table counted): a Ready."""
    config, examples, rng, tok = planned.config, planned.examples, planned.rng, planned.tokenizer
    if k <= 1:  # a table, counted (stage 0: from no document); no step changes it
        counts = bigrams.count(examples if k else [], config.vocab_size)
        table = bigrams.probabilities(counts)
        loss = lambda ids: bigrams.document_loss(ids, table, config)
        name = lambda i: tok.decode([i]) or "BOS"
        best = [(name(a), [(name(b), p) for b, p in bigrams.likeliest(table, a)])
                for a in bigrams.busiest_rows(counts, 5)] if k else []
        return Ready(config.vocab_size ** 2 if k else 0, lambda s: loss(examples[s % len(examples)]),
                     loss, table, bigrams.reader, rng, best)
    if k == 2:
        w = backprop.draw_weights(config, rng)
        return Ready(backprop.count(config), lambda s: backprop.train_step(w, examples, s, config),
                     lambda ids: backprop.document_loss(ids, w, config), w, backprop.reader, rng)
    if k == 3:
        state, reader, count = neural_lm.start(planned), neural_lm.reader, backprop.count(config)
    else:
        (examples, state), reader, count = start_planned(planned), None, param_count(config)
    return Ready(count, lambda s: train_step(state, examples),
                 lambda ids: state.loss(ids, state.params, config).data, state.params, reader,
                 state.rng)


def run_stage(k, docs, config, progress=None):
    """Stage k on docs (file order) with config, trained (when it trains),
    scored and sampled: a Result. progress: None, or what reports the steps
    of the stages that train (plumbing/progress.py's Progress)."""
    t0 = time.process_time()
    planned = catalog.plan(docs, config)
    held = held_out_examples(docs, planned.tokenizer, planned.config)
    ready = build(k, planned)
    losses, label = [], f"stage {k} of {len(STAGES) - 1} ({STAGES[k][0]})"
    try:
        for s in range(config.steps):
            losses.append(ready.step(s))
            if progress is not None and k >= 2:
                progress.step(label, s + 1, config.steps)
    except Diverged:  # the loss or a gradient is no longer finite: too high a learning rate
        if progress is not None:
            progress.skip(config.steps - len(losses))
        return Result(k, STAGES[k][0], ready.params, losses, None, [],
                      time.process_time() - t0, diverged=len(losses) + 1)
    total = 0.0
    for ids in held:  # every held-out document, each its mean loss per token
        total += ready.loss(ids)
    texts = [sample(ready.weights, planned.config, planned.tokenizer, ready.rng, reader=ready.reader)
             for _ in range(planned.config.num_samples)]
    return Result(k, STAGES[k][0], ready.params, losses, total / len(held), texts,
                  time.process_time() - t0, likeliest=ready.likeliest)


def progression(docs, progress=None, **options):
    """Every stage on docs (file order), in turn: an iterator that gives each
    Result as it finishes. options: settings()'s (steps, val_fraction, seed,
    mlp_lr, attention_lr). Every stage's settings are checked against the
    data now, before any trains (ConfigError).

    >>> from microgpt.plumbing.corpus import load_docs
    >>> stages = progression(load_docs("names.txt"), steps=2)   # the bundled names
    >>> uniform, bigram = next(stages), next(stages)          # log 27; then the counts
    >>> round(uniform.held_out_loss, 4), round(bigram.held_out_loss, 4), bigram.params
    (3.2958, 2.3635, 729)
    """
    configs = settings(**options)
    for config in configs:
        catalog.plan(docs, config)
    return (run_stage(k, docs, config, progress) for k, config in enumerate(configs))
