"""
pairs.py: a sequence-to-sequence run: (source, target) pairs, their order,
and greedy decoding scored.

The pairs come from a text of `source<TAB>target` lines (`read_pairs`), or
from a word list and a task (`task_pairs`): reverse (emma -> amme), sort
(emma -> aemm, the letters sorted), copy (emma -> emma). A run starts as the
reference's does, with one random generator seeded with config.seed, used in
this order:

1. the pairs, in file order, shuffled once; the last max(1, round(F * n))
   are held out (F: config.val_fraction), the rest train, step s on pair
   s % n_train (with batch_size B: pairs s*B .. s*B+B-1, modulo n_train);
2. the weights (the architecture's room gives their order: transformer.py,
   bottleneck.py, bahdanau.py);
3. afterwards, anything the command draws (none so far).

The vocabulary is the sorted characters of every source and target, plus
BOS. An example is ([BOS] + source ids, [BOS] + target ids + [BOS]).
Training is training.py's train_step (Adam, the schedule), the loss that
of config.arch (catalog.loss_of: the transformer's, or a GRU
encoder-decoder's). `translate` decodes greedily (catalog.greedy_of);
`score` gives the exact-match accuracy (the whole output right) and the
mean per-character accuracy (the share of a target's characters the output
has at their place), `by_length` the exact-match accuracy for each length
of source: what the bottleneck of one vector costs (bottleneck.py).

Builds on catalog.py, config.py, data.py, tokenizer.py and training.py.
Left out on purpose: separate source and target vocabularies, subword
tokens, sampling at a temperature.
"""
from __future__ import annotations

import dataclasses
import random

from . import catalog
from ..config import ConfigError
from ..data import shuffled, split
from ..tokenizer import Tokenizer
from ..training import Plan, split_run

TASKS = {
    "reverse": lambda word: word[::-1],
    "sort": lambda word: "".join(sorted(word)),
    "copy": lambda word: word,
}


class BadPairs(ValueError):
    """A text of pairs that cannot be read, naming the line."""


def read_pairs(text, what="the text"):
    """(source, target) of every non-empty line source<TAB>target, in order.

    >>> read_pairs("emma\\tamme\\n\\nava\\tava\\n")
    [('emma', 'amme'), ('ava', 'ava')]
    >>> read_pairs("emma amme\\n", "pairs.txt")
    Traceback (most recent call last):
    ...
    microgpt.architectures.pairs.BadPairs: pairs.txt, line 1: expected source<TAB>target, one tab (found 0)
    """
    pairs = []
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if line.count("\t") != 1:
            raise BadPairs(f"{what}, line {n}: expected source<TAB>target, one tab "
                           f"(found {line.count(chr(9))})")
        source, target = line.split("\t")
        if not source or not target:
            raise BadPairs(f"{what}, line {n}: the {'source' if not source else 'target'} is empty")
        pairs.append((source, target))
    if not pairs:
        raise BadPairs(f"{what}: no pairs (no line source<TAB>target)")
    return pairs


def task_pairs(task, words):
    """(word, the task's output) of every word.

    >>> task_pairs("sort", ["emma", "zoe"])
    [('emma', 'aemm'), ('zoe', 'eoz')]
    """
    return [(word, TASKS[task](word)) for word in words]


def longest(pairs):
    """The most characters in a source or target: block_size must exceed it (BOS)."""
    return max(len(side) for pair in pairs for side in pair)


def examples_of(pairs, tokenizer):
    """([BOS] + source ids, [BOS] + target ids + [BOS]) of each pair."""
    return [([tokenizer.bos] + tokenizer.encode(src), tokenizer.encode_document(tgt))
            for src, tgt in pairs]


def plan(pairs, config):
    """A fresh run up to its weights (training.start_planned draws them):
    the vocabulary, the shuffle, the split. ConfigError when a side does not
    fit the block or nothing is left to train on."""
    tokenizer = Tokenizer.from_docs([side for pair in pairs for side in pair])
    config = dataclasses.replace(config, model="seq2seq", vocab_size=tokenizer.vocab_size)
    catalog.check(config)                          # the run's settings, then its arch's own
    if longest(pairs) + 1 > config.block_size:
        raise ConfigError(f"a pair has {longest(pairs)} characters on one side: with BOS that is "
                          f"more than --block-size {config.block_size}")
    rng = random.Random(config.seed)
    train_pairs, _ = split_run(shuffled(pairs, rng), config, "pairs")   # the first draws
    return Plan(examples_of(train_pairs, tokenizer), tokenizer, config, rng,
                catalog.loss_of(config))


def replay(pairs, config):
    """(training pairs, held-out pairs) of a run, its shuffle replayed with a
    fresh generator seeded alike (for a resumed run, and the scores)."""
    return split(shuffled(pairs, random.Random(config.seed)), config.val_fraction)


def translate(params, config, tokenizer, source):
    """The model's greedy output for a source text (in the vocabulary:
    tokenizer.check_text first)."""
    greedy = catalog.greedy_of(config)
    ids = greedy([tokenizer.bos] + tokenizer.encode(source), params, config, tokenizer.bos)
    return tokenizer.decode(ids)


def char_accuracy(output, target):
    """The share of target's characters that output has at the same place.

    >>> char_accuracy("amme", "amme"), char_accuracy("ammx", "amme"), char_accuracy("am", "amme")
    (1.0, 0.75, 0.5)
    """
    return sum(o == t for o, t in zip(output, target)) / len(target)


def score(rows):
    """(exact-match accuracy, mean per-character accuracy) of (source,
    target, output) rows.

    >>> score([("emma", "amme", "amme"), ("ava", "ava", "avx")])
    (0.5, 0.8333333333333333)
    """
    exact = sum(out == tgt for _, tgt, out in rows) / len(rows)
    return exact, sum(char_accuracy(out, tgt) for _, tgt, out in rows) / len(rows)


def by_length(rows):
    """(source length, pairs, exact matches) of (source, target, output)
    rows, one per length, shortest first.

    >>> by_length([("emma", "amme", "amme"), ("ava", "ava", "avx"), ("liam", "mail", "mali")])
    [(3, 1, 0), (4, 2, 1)]
    """
    lengths = sorted({len(src) for src, _, _ in rows})
    return [(n, sum(len(src) == n for src, _, _ in rows),
             sum(len(src) == n and out == tgt for src, tgt, out in rows)) for n in lengths]
