"""
bigrams.py: the simplest language model: count which token follows which.

No weights to learn and no gradients. Read each training document as the
GPT reads it, [BOS] + its tokens + [BOS], and count how often token b comes
right after token a: counts[a][b]. The guess for the token after a is row a
of the table, with one added to every count (add-one smoothing), so that a
pair the training documents never showed is unlikely but not impossible:

    P(b | a) = (counts[a][b] + 1) / (row total of a + vocab_size)

Before any document is counted every row is 1 / vocab_size: the uniform
guess, whose loss is log(vocab_size) at every position (`uniform`). These
are stages 0 and 1 of `python -m microgpt progression`.

A document's loss is the GPT's: the mean of -log P(next | current) over its
first block_size positions (model.document_loss truncates the same way).
The current token is all the model reads: after the "a" of "emma" and of
"anna" it guesses the same, and it cannot know how long the name is so far.

Builds on value.py (generate.sample reads logits as Values). Left out on
purpose: longer contexts (trigram counts and beyond: the table grows as
vocab_size ** context), other smoothing (Kneser-Ney).
"""
from __future__ import annotations

import math

from ..value import Value


def count(examples, vocab_size):
    """counts[a][b]: how often token b follows token a in examples (each
    [BOS, ..., BOS], read whole: counting costs nothing, so nothing is cut).

    >>> count([[2, 0, 1, 2], [2, 0, 2]], 3)       # BOS = 2: "ab" and "a"
    [[0, 1, 1], [0, 0, 1], [2, 0, 0]]
    """
    counts = [[0] * vocab_size for _ in range(vocab_size)]  # (vocab, vocab)
    for ids in examples:
        for a, b in zip(ids, ids[1:]):
            counts[a][b] += 1
    return counts


def probabilities(counts):
    """P[a][b] = (counts[a][b] + 1) / (row total of a + vocab_size): each row
    of counts, add-one smoothed, sums to 1.

    >>> probabilities([[0, 1, 1], [0, 0, 1], [2, 0, 0]])[0]       # (0+1)/5, (1+1)/5, (1+1)/5
    [0.2, 0.4, 0.4]
    """
    vocab_size = len(counts)
    return [[(c + 1) / (sum(row) + vocab_size) for c in row] for row in counts]


def uniform(vocab_size):
    """The table before any document is counted: every entry 1 / vocab_size."""
    return probabilities([[0] * vocab_size for _ in range(vocab_size)])


def document_loss(doc_ids, table, config):
    """Mean of -log P(next | current) over the first n = min(block_size,
    len(doc_ids) - 1) positions of one document (a float).

    >>> from microgpt.config import Config
    >>> round(document_loss([2, 0, 2], uniform(3), Config()), 6)   # log 3 at every position
    1.098612
    """
    n = min(config.block_size, len(doc_ids) - 1)
    total = 0.0
    for pos in range(n):
        total += -math.log(table[doc_ids[pos]][doc_ids[pos + 1]])
    return (1 / n) * total


def likeliest(table, row, k=3):
    """The k likeliest tokens after token `row`, with their probabilities,
    likeliest first: [(token id, P), ...].

    >>> likeliest([[0.2, 0.4, 0.4], [0.25, 0.25, 0.5], [0.6, 0.2, 0.2]], 2, k=2)
    [(0, 0.6), (1, 0.2)]
    """
    order = sorted(range(len(table[row])), key=lambda b: -table[row][b])  # ties: lower id first
    return [(b, table[row][b]) for b in order[:k]]


def busiest_rows(counts, k):
    """The k tokens most often followed by another (the largest row totals),
    most first: the rows a reader of the table learns most from.

    >>> busiest_rows([[0, 1, 1], [0, 0, 1], [2, 0, 0]], 2)
    [0, 2]
    """
    return sorted(range(len(counts)), key=lambda a: -sum(counts[a]))[:k]


def reader(table, config):
    """generate.sample's reader: read(tokens) -> logits for the next token,
    log P(b | last token): the softmax of a row of log-probabilities is the
    row, and the temperature sharpens it as it does the GPT's."""
    def read(tokens):
        return [Value(math.log(p)) for p in table[tokens[-1]]]
    return read
