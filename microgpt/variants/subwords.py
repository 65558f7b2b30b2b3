"""
subwords.py: how BPE learns its merges (bpe.py has the rules): the words
of the documents counted once each, every pair of neighbouring tokens in
them counted (a word seen k times counts k times), the most frequent pair
merged into a new token, and again. A merge recounts only the words that
contain its pair, so a long text takes seconds, not hours.

Builds on no other module: ids in, ids out. Leaves out encoding a new text
with the merges learned (apply_merges) and the tokenizer itself: bpe.py's.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict


def split_words(text):
    """Words (maximal runs of non-whitespace) and single whitespace characters.

    >>> split_words("acute  otitis media")
    ['acute', ' ', ' ', 'otitis', ' ', 'media']
    """
    return re.findall(r"\S+|\s", text)


def pair_counts(ids, counts=None, times=1):
    """How often each adjacent pair occurs in ids, times `times`, added to counts.

    >>> pair_counts([1, 2, 3, 1, 2])
    {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    >>> pair_counts([0, 0, 0], times=5)   # "aaa" in a word seen 5 times: overlaps count
    {(0, 0): 10}
    """
    counts = {} if counts is None else counts
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + times
    return counts


def merge(ids, pair, new_id):
    """ids with each occurrence of pair replaced by new_id, left to right.

    >>> merge([1, 2, 3, 1, 2], (1, 2), 4)
    [4, 3, 4]
    >>> merge([0, 0, 0], (0, 0), 1)       # "aaa" -> "aa", "a": no overlap
    [1, 0]
    """
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def first_occurrence(pair, containing, words):
    """(word index, position in that word) of pair's first occurrence in the data.

    Words are numbered in the order they first occur, and every occurrence of
    a word is split the same way, so the earliest word that contains the pair
    holds its first occurrence.
    """
    w = min(containing)
    tokens = words[w]
    return w, next(i for i, p in enumerate(zip(tokens, tokens[1:])) if p == pair)


def learn_merges(docs, chars, num_merges, each=None, words_out=None):
    """The merges BPE learns from docs, in order: at most num_merges, fewer
    when no pair occurs twice. Pairs are counted once over the distinct words;
    a merge then recounts only the words that contain its pair. each: None,
    or a function called with (merges learned, num_merges) after each merge
    (a long text takes minutes: a progress line); words_out: None, or a dict
    that gets each word of docs as its ids after the merges (its encoding).

    >>> docs = ["low lower lowest newer wider"]
    >>> chars = sorted(set("".join(docs)))   # the data's sorted characters, as tokenizer.py's
    >>> "".join(chars)
    ' deilnorstw'
    >>> [chars[a] + "+" + chars[b] for a, b in learn_merges(docs, chars, 1)]
    ['l+o']

    l+o, o+w, w+e and e+r each occur 3 times; l+o comes first. Then lo+w
    (low, lower, lowest) and e+r (lower, newer, wider) tie at 3, and lo+w
    comes first; then e+r (3) beats low+e (2). After that every pair occurs
    once, so learning stops:

    >>> learn_merges(docs, chars, 100)   # lo = 11, low = 12, er = 13
    [(4, 6), (11, 10), (2, 7)]
    """
    ids = {ch: i for i, ch in enumerate(chars)}
    seen = Counter(w for doc in docs for w in split_words(doc) if not w.isspace())
    words = [[ids[ch] for ch in word] for word in seen]  # in order of first occurrence
    times = list(seen.values())                             # how often each word occurs
    counts = {}                     # pair -> occurrences in the data
    where = defaultdict(set)        # pair -> indices of the words that contain it
    for w, tokens in enumerate(words):
        pair_counts(tokens, counts, times[w])
        for pair in zip(tokens, tokens[1:]):
            where[pair].add(w)
    merges = []
    while len(merges) < num_merges and counts:
        top = max(counts.values())
        if top < 2:
            break
        tied = [pair for pair, count in counts.items() if count == top]
        best = min(tied, key=lambda pair: first_occurrence(pair, where[pair], words))
        new_id = len(chars) + len(merges)
        merges.append(best)
        for w in list(where[best]):
            old = words[w]
            new = words[w] = merge(old, best, new_id)
            pair_counts(old, counts, -times[w])
            pair_counts(new, counts, times[w])
            for pair in set(zip(old, old[1:])) - set(zip(new, new[1:])):
                where[pair].discard(w)
                if not where[pair]:
                    del where[pair], counts[pair]
            for pair in zip(new, new[1:]):
                where[pair].add(w)
        if each is not None:
            each(len(merges), num_merges)
    if words_out is not None:
        words_out.update(zip(seen, words))
    return merges
