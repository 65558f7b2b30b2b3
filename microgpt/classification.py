"""
classification.py: a classifier's run: which file did this line come from?

Each class is a list of documents (classify.py reads one file per class).
A run starts as the reference's does, with one random generator seeded
with config.seed used in this order:

1. the pairs (document, class index) of every class, in the order given,
   shuffled once; the last max(1, round(F * n)) are held out (F:
   config.val_fraction), the rest train, step s on example s % n_train;
2. the weights (params.py: wte, wpe, cls_head, then each layer's, each
   gauss(0, init_std));
3. afterwards, anything the command draws (classify.py: the held-out
   documents it shows).

The vocabulary is the sorted characters of every class's documents plus BOS;
an example is ([BOS] + the document's ids, truncated to block_size
positions, class index). Training is training.py's train_step: Adam and the
learning-rate schedule as the GPT's, the loss encoder.classifier_loss.

Builds on config.py, dataset.py, encoder.py, fused.py, tokenizer.py and
training.py. Left out on purpose: class weights for unbalanced classes (the
confusion matrix shows what imbalance does), top-k accuracy.
"""
from __future__ import annotations

import dataclasses
import random

from .config import ConfigError
from .dataset import shuffled, split
from .encoder import classifier_logits
from .fused import softmax_data
from .tokenizer import Tokenizer
from .training import Plan


def labelled(class_docs):
    """[(document, class index)] of one list of documents per class, in order.

    >>> labelled([["emma", "ava"], ["fever"]])
    [('emma', 0), ('ava', 0), ('fever', 1)]
    """
    return [(doc, k) for k, docs in enumerate(class_docs) for doc in docs]


def examples_of(pairs, tokenizer, config):
    """(ids, class) of each (document, class): [BOS] + ids, at most block_size."""
    return [(([tokenizer.bos] + tokenizer.encode(doc))[:config.block_size], k) for doc, k in pairs]


def plan(class_docs, config):
    """A fresh classifier run up to its weights (training.start_planned draws
    them): the vocabulary, the shuffle, the split. ConfigError when a class
    has no documents or nothing is left to train on."""
    for k, docs in enumerate(class_docs):
        if not docs:
            raise ConfigError(f"class {k} has no documents")
    pairs = labelled(class_docs)
    tokenizer = Tokenizer.from_docs([doc for doc, _ in pairs])
    rng = random.Random(config.seed)
    pairs = shuffled(pairs, rng)                                  # the first draws
    config = dataclasses.replace(config, model="classifier", n_class=len(class_docs),
                                 vocab_size=tokenizer.vocab_size)
    config.check()
    train_pairs, _ = split(pairs, config)
    return Plan(examples_of(train_pairs, tokenizer, config), tokenizer, config, rng)


def replay(class_docs, config):
    """(training pairs, held-out pairs) of a run, its shuffle replayed with
    a fresh generator seeded alike (for a resumed run, and the scores)."""
    return split(shuffled(labelled(class_docs), random.Random(config.seed)), config)


def probabilities(params, config, tokenizer, doc):
    """The model's probability of each class for one document, as floats
    (the text must be in the vocabulary: tokenizer.check_text first)."""
    ids = ([tokenizer.bos] + tokenizer.encode(doc))[:config.block_size]
    return softmax_data([z.data for z in classifier_logits(ids, params, config)])


def confusion(truths, predictions, n_class):
    """The n_class x n_class counts: row the true class, column the predicted.

    >>> confusion([0, 0, 1, 1], [0, 1, 1, 1], 2)
    [[1, 1], [0, 2]]
    """
    matrix = [[0] * n_class for _ in range(n_class)]
    for t, p in zip(truths, predictions):
        matrix[t][p] += 1
    return matrix


def accuracy(matrix):
    """The share of the diagonal in a confusion matrix.

    >>> accuracy([[1, 1], [0, 2]])
    0.75
    """
    return sum(matrix[k][k] for k in range(len(matrix))) / sum(map(sum, matrix))


def report(matrix, classes, title):
    """The accuracy line and the confusion matrix, as text lines."""
    right, total = sum(matrix[k][k] for k in range(len(matrix))), sum(map(sum, matrix))
    corner = "true \\ predicted"
    width = max(len(corner), *(len(c) for c in classes))
    cols = [max(len(c), 6) for c in classes]
    lines = [f"{title}: {100 * right / total:.1f}% ({right} of {total})",
             "confusion matrix (rows: true class, columns: predicted):",
             f"{corner:<{width}}" + "".join(f"  {c:>{w}}" for c, w in zip(classes, cols))]
    for name, row in zip(classes, matrix):
        lines.append(f"{name:<{width}}" + "".join(f"  {n:>{w}}" for n, w in zip(row, cols)))
    return lines
