"""
bert.py: an encoder-only classifier, BERT's kind: which file did this line
come from?

The model is encoder.py's stack with no mask (every position sees the whole
document), and a head on position 0: BOS plays BERT's [CLS]. After the
blocks it has read every position, and cls_head @ x there gives one logit
per class; the loss is the cross-entropy of the true class.

Its run: each class is a list of documents (classify.py reads one file per
class). A run starts as the reference's does, with one random generator
seeded with config.seed used in this order:

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
learning-rate schedule as the GPT's, the loss classifier_loss.

Builds on config.py, data.py, encoder.py, fused.py, model.py, tokenizer.py
and training.py. Left out on purpose: class weights for unbalanced classes
(the confusion matrix shows what imbalance does), segment embeddings.
"""
from __future__ import annotations

import dataclasses
import random

from ..config import ConfigError
from ..data import shuffled, split
from ..fused import cross_entropy, softmax_data
from ..model import linear
from ..tokenizer import Tokenizer
from ..training import Plan, check_config, split_run
from . import encoder
from .encoder import encode, mask_of, padded


# -------------------------------------------------------------------------
# the model: the encoder, and a head on BOS

def check(config):
    """A classifier needs classes to choose among, and has no lm_head to tie."""
    if config.n_class < 2:
        raise ConfigError(f"a classifier needs at least 2 classes, got {config.n_class}")
    if config.tie_weights:
        raise ConfigError("the classifier has no lm_head to tie to wte (its head is cls_head)")


def classifier_logits(ids, p, c, records=None):
    """The class logits of one document, ids = [BOS, characters...]:
    cls_head @ x at position 0 after the blocks, (n_class,). The mask is the
    config's (the classifier's: none, every position sees the whole document)."""
    ids = padded(ids[:c.block_size], c)
    xs = encode(ids, p, c, mask_of(ids, c), records)
    return linear(xs[0], p["cls_head"])                # BOS, BERT's [CLS], has read everything


def classifier_loss(example, p, c):
    """Cross-entropy of the true class of example = (ids, class index)."""
    ids, label = example
    return cross_entropy(classifier_logits(ids, p, c), label, c.label_smoothing)


# -------------------------------------------------------------------------
# its run: documents labelled by class, shuffled, split

def labelled(class_docs):
    """[(document, class index)] of one list of documents per class, in order.

    >>> labelled([["emma", "ava"], ["fever"]])
    [('emma', 0), ('ava', 0), ('fever', 1)]
    """
    return [(doc, k) for k, docs in enumerate(class_docs) for doc in docs]


def examples_of(pairs, tokenizer, config):
    """(ids, class) of each (document, class): [BOS] + ids, at most block_size."""
    return [(([tokenizer.bos] + tokenizer.encode(doc))[:config.block_size], k) for doc, k in pairs]


def plan(class_docs, config, tokenizer=None):
    """A fresh classifier run up to its weights (training.start_planned draws
    them): the vocabulary (tokenizer: the documents' characters by default;
    mlm.py passes its encoder's), the shuffle, the split. ConfigError when a
    class has no documents or nothing is left to train on."""
    for k, docs in enumerate(class_docs):
        if not docs:
            raise ConfigError(f"class {k} has no documents")
    pairs = labelled(class_docs)
    tokenizer = tokenizer or Tokenizer.from_docs([doc for doc, _ in pairs])
    rng = random.Random(config.seed)
    pairs = shuffled(pairs, rng)                                  # the first draws
    config = dataclasses.replace(config, model="classifier", n_class=len(class_docs),
                                 vocab_size=tokenizer.vocab_size)
    check_config(config, classifier_loss)
    encoder.check(config)
    check(config)
    train_pairs, _ = split_run(pairs, config)
    return Plan(examples_of(train_pairs, tokenizer, config), tokenizer, config, rng,
                classifier_loss)


def replay(class_docs, config):
    """(training pairs, held-out pairs) of a run, its shuffle replayed with
    a fresh generator seeded alike (for a resumed run, and the scores)."""
    return split(shuffled(labelled(class_docs), random.Random(config.seed)), config.val_fraction)


def probabilities(params, config, tokenizer, doc):
    """The model's probability of each class for one document, as floats
    (the text must be in the vocabulary: tokenizer.check_text first)."""
    ids = ([tokenizer.bos] + tokenizer.encode(doc))[:config.block_size]
    return softmax_data([z.data for z in classifier_logits(ids, params, config)])
