"""
data.py: the documents, and what a run trains on made from them.

A document is one training example: for the names datasets, one name. The
model never sees the file, only the list of documents. Reading follows the
reference exactly (strip the text, split on newlines, strip each line, drop
empty ones), because the order of the documents decides which name each
training step sees. A line ends as where the reference reads its file as
text, with universal newlines: at "\\n", "\\r\\n" or a lone "\\r".

Between the documents and the model:

- the run's order: the documents shuffled by the run's generator, its first
  random draw (`shuffled`; training.start does it, `replay_split` replays it);
- the held-out split: with a val_fraction F, the last max(1, round(F * n))
  documents after the shuffle are never trained on (`split`);
- the examples: each document as the token ids the model reads, [BOS, ...,
  BOS] (`make_examples`); with a stride, a document longer than the block
  becomes several windows, else the model reads its first block_size
  positions (the reference's truncation). Another model's example holds
  such lists in a tuple (`token_lists`); `check_example` refuses one whose
  ids the model has no row for;
- with config.loss_on "response" (supervised fine-tuning), a document is a
  line prompt<TAB>response whose example says where its loss starts
  (variants/sft.py).

Builds on nothing. tokenizer.py turns a document into ids, and the
settings (block_size, stride, val_fraction, seed) come in as a config.
Left out on purpose: reading the file, which is the tools' work
(plumbing/corpus.py: one reading, every check, the bundled datasets).
"""
from __future__ import annotations

import random


def split_docs(text):
    """The documents in a text: non-empty stripped lines, in file order.

    >>> split_docs("  emma\\n\\nolivia \\n ava\\n\\n")
    ['emma', 'olivia', 'ava']
    >>> split_docs("emma\\rolivia\\r\\nava")        # every kind of line end
    ['emma', 'olivia', 'ava']
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as reading in text mode does
    return [line.strip() for line in text.strip().split("\n") if line.strip()]


def check_docs(docs):
    """Raise TypeError or ValueError unless docs is a list (or tuple) of at
    least one string that is not blank.

    >>> check_docs("emma")
    Traceback (most recent call last):
    ...
    TypeError: docs must be a list of documents (strings), got a str; one document is ['emma']
    >>> check_docs(["emma", " "])
    Traceback (most recent call last):
    ...
    ValueError: docs[1] is blank: a document needs at least one character that is not a space
    """
    if isinstance(docs, str):
        raise TypeError(f"docs must be a list of documents (strings), got a str; "
                        f"one document is [{docs[:20]!r}]")
    if not isinstance(docs, (list, tuple)):
        raise TypeError(f"docs must be a list of documents (strings), got a "
                        f"{type(docs).__name__}")
    if not docs:
        raise ValueError("no documents to train on (docs is empty)")
    for i, doc in enumerate(docs):
        if not isinstance(doc, str):
            raise TypeError(f"docs[{i}] must be a string (a document), got {doc!r}")
        if not doc.strip():
            raise ValueError(f"docs[{i}] is blank: a document needs at least one character "
                             f"that is not a space")


def shuffled(docs, rng):
    """docs in the run's order: shuffled by rng (the run's first random draw)."""
    docs = list(docs)
    rng.shuffle(docs)
    return docs


def held_out_count(n_docs, val_fraction):
    """How many of n_docs documents a val_fraction holds out: 0 without a
    split, else max(1, round(F * n)) (Python's round: halves go to the even number).

    >>> held_out_count(10, 0.25), held_out_count(3, 0.0), held_out_count(3, 0.01)
    (2, 0, 1)
    """
    return max(1, round(val_fraction * n_docs)) if val_fraction else 0


def split(docs, val_fraction):
    """(training documents, held-out documents) of docs, in the run's order:
    the last held_out_count(len(docs), val_fraction) are held out.

    >>> split(list("abcdefghij"), 0.25)
    (['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], ['i', 'j'])
    >>> split(list("abc"), 0.0)
    (['a', 'b', 'c'], [])
    """
    n_held = held_out_count(len(docs), val_fraction)
    return (docs[:-n_held], docs[-n_held:]) if n_held else (docs, [])


def replay_split(docs, config):
    """split() of docs (file order) in the run's order, as start made it: its
    shuffle replayed with a fresh generator seeded alike (for a resumed run,
    and the held-out documents)."""
    return split(shuffled(docs, random.Random(config.seed)), config.val_fraction)


def window_starts(length, size, stride):
    """Where windows() starts the windows of a sequence of `length` tokens.

    >>> window_starts(10, 4, 3), window_starts(9, 4, 3), window_starts(3, 4, 3)
    ([0, 3, 6], [0, 3, 5], [0])
    """
    if length <= size:
        return [0]
    starts = list(range(0, length - size + 1, stride))
    if (length - size) % stride:  # the last start fell short of length - size
        starts.append(length - size)
    return starts


def windows(ids, size, stride):
    """ids cut into windows of `size` tokens starting at 0, stride, 2*stride, ...
    while a window fits, plus one last window ending at the end of ids when
    those do not reach it. ids no longer than size stay whole.

    >>> windows(list(range(10)), 4, 3)
    [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    >>> windows(list(range(9)), 4, 3)     # the last window ends at the end
    [[0, 1, 2, 3], [3, 4, 5, 6], [5, 6, 7, 8]]
    """
    return [ids[i:i + size] for i in window_starts(len(ids), size, stride)]


# Supervised fine-tuning (config.loss_on "response") trains on lines prompt<TAB>response,
# each example knowing where its loss starts: a textbook variant the book reaches after the
# algorithm, variants/sft.py. microgpt/__init__.py sets this hook to that module.
sft = None


def make_examples(docs, tokenizer, config):
    """What the model trains on, in the order of docs: each document's token
    ids [BOS, ..., BOS]. With config.stride, a document of more than
    block_size + 1 tokens becomes windows of block_size + 1 tokens, each
    trained on as a document is; without, the model reads the first
    block_size positions (the reference's truncation). With config.loss_on
    "response", each example is an sft.Prompted: it knows where its loss
    starts."""
    if config.loss_on == "response":
        return sft.examples(docs, tokenizer, config)
    out = []
    for doc in docs:
        ids = tokenizer.encode_document(doc)
        out.extend(windows(ids, config.block_size + 1, config.stride) if config.stride else [ids])
    return out


def held_out_examples(docs, tokenizer, config):
    """The held-out examples of a run on docs (file order); [] without a split."""
    return make_examples(replay_split(docs, config)[1], tokenizer, config) if config.val_fraction else []


def token_lists(example):
    """The lists of token ids in one example: a document's own, or those a
    classifier's (ids, class), an encoder-decoder's (source, target) or a
    masked model's (ids, [(position, target), ...]) holds.

    >>> token_lists([3, 1, 3]), token_lists(([3, 1], 0)), token_lists(([3], [3, 2, 3]))
    ([[3, 1, 3]], [[3, 1]], [[3], [3, 2, 3]])
    """
    if isinstance(example, list):
        return [example]
    return [p for p in example if isinstance(p, list) and not (p and isinstance(p[0], tuple))]


def longest(examples):
    """The most token ids any one list of any example holds (a step's graph
    grows with it)."""
    return max(len(ids) for example in examples for ids in token_lists(example))


def check_example(example, i, config):
    """Raise TypeError or ValueError unless examples[i] is one a model of
    config can train on: lists of at least 2 token ids from 0 to
    vocab_size - 1 (a negative id would read a row from the end; a masked
    language model's MASK is vocab_size), and a
    classifier's class from 0 to n_class - 1."""
    if config.model == "vit":  # (an image's patches, its class): images.py reads and checks them
        return
    lists = token_lists(example) if isinstance(example, (list, tuple)) else []
    if not lists:
        raise TypeError(f"examples[{i}] must be a list of token ids (Tokenizer.encode_document), "
                        f"or a model's tuple of them, got {example!r:.60}")
    top = config.vocab_size + (config.model == "mlm")  # a masked model's input holds MASK too
    for ids in lists:
        if len(ids) < 2 or not 0 <= min(ids) <= max(ids) < top:
            raise ValueError(f"examples[{i}] must hold at least 2 token ids, each from 0 to "
                             f"{top - 1} ({'MASK' if top > config.vocab_size else 'BOS'}), "
                             f"got {ids!r:.60}")
    labels = [k for k in example if isinstance(k, int)] if isinstance(example, tuple) else []
    if any(not 0 <= k < config.n_class for k in labels):
        raise ValueError(f"examples[{i}] has the class {labels[0]}; the classes run from 0 to "
                         f"{config.n_class - 1}")
