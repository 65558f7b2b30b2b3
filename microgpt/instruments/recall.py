"""
recall.py: the recall task, a test of long-range memory.

A document is a key letter (one of a..h), then `gap` filler characters drawn
uniformly from the digits 0..9, then "=", then the key letter again:

    g60487=g        (gap 5)

Every character but the last is noise, or fixed; only the last is
predictable, and only by remembering the first across the gap. Chance is
1/8. The draws, from one random.Random: per document, rng.choice over
"abcdefgh" for the key, then rng.choice over "0123456789" for each filler
character, in order. `python -m microgpt longrange` trains models on such
documents and `--write FILE` writes them, one per line, for train, sample
and inspect.

Standard library only. Left out on purpose: other fillers, several keys.
"""
from __future__ import annotations

import random

KEYS = "abcdefgh"
FILLER = "0123456789"


def recall_document(gap, rng):
    """One document: key, gap digits, "=", key.

    >>> recall_document(5, random.Random(0))
    'g60487=g'
    """
    key = rng.choice(KEYS)
    filler = "".join(rng.choice(FILLER) for _ in range(gap))
    return f"{key}{filler}={key}"


def recall_documents(gap, count, rng):
    """count documents, one after the other from rng.

    >>> recall_documents(2, 3, random.Random(1))
    ['c91=c', 'e17=e', 'h76=h']
    """
    return [recall_document(gap, rng) for _ in range(count)]


def recall_text(gap, count, seed):
    """The text of a recall file: count documents from random.Random(seed), one a line."""
    return "".join(doc + "\n" for doc in recall_documents(gap, count, random.Random(seed)))
