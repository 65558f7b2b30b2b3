"""
dataset.py: what the model trains on, made from the documents.

A run reads documents (data.py) and trains on examples: each document as the
token ids the model reads, [BOS, ..., BOS]. Between the two:

- the documents checked: a list of strings, at least one (`check_docs`);
- the tokenizer, learned from the documents in file order: characters, or
  BPE's merges (bpe.py) up to config.bpe_vocab_size;
- the run's order: the documents shuffled by the run's generator, its first
  random draw (training.start does it; `replay_split` replays it);
- the held-out split: with config.val_fraction, the last documents after the
  shuffle are never trained on;
- windows: with config.stride, a document longer than the block becomes
  several examples; without, the model reads its first block_size positions
  (the reference's truncation).

Builds on bpe.py, config.py, optim.py and tokenizer.py. training.py starts a run from
these; train.py and compare.py ask for the held-out examples.
"""
from __future__ import annotations

import random

from .bpe import BPETokenizer
from .config import Config, ConfigError
from .optim import peak_learning_rate
from .tokenizer import Tokenizer


def check_docs(docs):
    """Raise ConfigError unless docs is a list (or tuple) of at least one string.

    >>> check_docs("emma")
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: docs must be a list of documents (strings), got a str; one document is ['emma']
    """
    if isinstance(docs, str):
        raise ConfigError(f"docs must be a list of documents (strings), got a str; "
                          f"one document is [{docs[:20]!r}]")
    if not isinstance(docs, (list, tuple)):
        raise ConfigError(f"docs must be a list of documents (strings), got a "
                          f"{type(docs).__name__}")
    if not docs:
        raise ConfigError("no documents to train on (docs is empty)")
    for i, doc in enumerate(docs):
        if not isinstance(doc, str):
            raise ConfigError(f"docs[{i}] must be a string (a document), got {doc!r}")


def shuffled(docs, rng):
    """docs in the run's order: shuffled by rng (the run's first random draw)."""
    docs = list(docs)
    rng.shuffle(docs)
    return docs


def make_tokenizer(docs, config):
    """The run's tokenizer, from the documents in file order.

    char: the data's characters (order does not matter). bpe: merges learned
    up to config.bpe_vocab_size (BPE's ties go to the pair met first in file
    order, so it learns before the shuffle; it draws no random numbers).
    """
    if config.tokenizer == "char":
        return Tokenizer.from_docs(docs)
    try:
        return BPETokenizer.learn(docs, config.bpe_vocab_size)
    except ValueError as e:  # a vocabulary smaller than the alphabet
        raise ConfigError(f"--vocab-size: {e}") from None


def windows(ids, size, stride):
    """ids cut into windows of `size` tokens starting at 0, stride, 2*stride, ...
    while a window fits, plus one last window ending at the end of ids when
    those do not reach it. ids no longer than size stay whole.

    >>> windows(list(range(10)), 4, 3)
    [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    >>> windows(list(range(9)), 4, 3)     # the last window ends at the end
    [[0, 1, 2, 3], [3, 4, 5, 6], [5, 6, 7, 8]]
    """
    if len(ids) <= size:
        return [ids]
    cuts = [ids[i:i + size] for i in range(0, len(ids) - size + 1, stride)]
    if (len(ids) - size) % stride:  # the last start fell short of len(ids) - size
        cuts.append(ids[-size:])
    return cuts


def make_examples(docs, tokenizer, config):
    """What the model trains on, in the order of docs: each document's token
    ids [BOS, ..., BOS]. With config.stride, a document of more than
    block_size + 1 tokens becomes windows of block_size + 1 tokens, each
    trained on as a document is; without, the model reads the first
    block_size positions (the reference's truncation)."""
    out = []
    for doc in docs:
        ids = tokenizer.encode_document(doc)
        out.extend(windows(ids, config.block_size + 1, config.stride) if config.stride else [ids])
    return out


def split(docs, config):
    """(training documents, held-out documents) of docs, in the run's order.

    With config.val_fraction F > 0, the last max(1, round(F * len(docs)))
    documents are held out (Python's round: halves go to the even number).
    ConfigError when that would leave nothing to train on.

    >>> split(list("abcdefghij"), Config(val_fraction=0.25))   # round(2.5) = 2
    (['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], ['i', 'j'])
    >>> split(list("abc"), Config())
    (['a', 'b', 'c'], [])
    """
    if not config.val_fraction:
        return docs, []
    n_held = max(1, round(config.val_fraction * len(docs)))
    if n_held >= len(docs):
        raise ConfigError(f"--val-fraction {config.val_fraction:g} holds out {n_held} of the "
                          f"{len(docs)} documents and leaves none to train on")
    return docs[:-n_held], docs[-n_held:]


def replay_split(docs, config):
    """split() of docs (file order) in the run's order, as start made it: its
    shuffle replayed with a fresh generator seeded alike (for a resumed run,
    and the held-out documents)."""
    return split(shuffled(docs, random.Random(config.seed)), config)


def held_out_examples(docs, tokenizer, config):
    """The held-out examples of a run on docs (file order); [] without a split."""
    return make_examples(replay_split(docs, config)[1], tokenizer, config) if config.val_fraction else []


HELD_OUT_LIMIT = 100  # a large split's held-out loss: the first 100 (each costs a forward pass)


def notes(docs, train, held_out, config):
    """What a learner should know about the examples before training, as
    sentences: documents truncated to the block, windows with gaps between
    them, a BPE vocabulary that stopped short of the size asked, a held-out
    loss over a subset."""
    said = []
    too_long = 0 if config.stride else sum(len(ids) > config.block_size + 1 for ids in train)
    if too_long:
        said.append(f"{too_long} of {len(docs)} documents are longer than the block "
                    f"(block size {config.block_size}, BOS included) and are truncated; "
                    f"--stride S trains on all of them, as windows S tokens apart")
    if config.stride and config.stride > config.block_size:  # a window predicts its last block_size
        said.append(f"--stride {config.stride} is more than the block ({config.block_size}): "
                    f"tokens between windows are never predicted; a stride up to "
                    f"{config.block_size} trains on every one")
    if config.tokenizer == "bpe" and config.bpe_vocab_size > config.vocab_size:
        said.append(f"no pair of tokens occurs twice any more: the vocabulary stops at "
                    f"{config.vocab_size}")
    peak = peak_learning_rate(config)
    if peak < config.lr / 10 and config.warmup > config.steps:
        said.append(f"the warmup ({config.warmup} steps) is longer than the run "
                    f"({config.steps}): the learning rate only climbs, to {peak:.2g}, under a "
                    f"tenth of --lr {config.lr:g}")
    elif peak < config.lr / 10:
        said.append(f"the {config.schedule} schedule peaks at a learning rate of {peak:.2g}, "
                    f"under a tenth of --lr {config.lr:g}: it multiplies --lr by n_embd ** -0.5 "
                    f"* W ** -0.5 = {peak / config.lr:.3g}, so for a peak of P give --lr P / "
                    f"{peak / config.lr:.3g}")
    if len(held_out) > HELD_OUT_LIMIT:
        said.append(f"the held-out loss is the mean over the first {HELD_OUT_LIMIT} of the "
                    f"{len(held_out)} held out")
    return said
