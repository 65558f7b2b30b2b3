"""
bpe.py: byte-pair encoding (BPE), subword tokens learned from the data.

BPE starts from tokenizer.py's character ids and learns merges: it counts
every pair of neighbouring tokens inside the words of the documents, makes
the most frequent pair one new token, and repeats. Frequent pieces ("er",
"itis") become single tokens, so a block of `block_size` tokens holds more
text. This is Sennrich et al.'s original algorithm (2016), which GPT-2's
tokenizer refines. The rules, exactly:

- the base alphabet is the data's sorted characters, ids 0..n-1, as in
  tokenizer.py;
- a word is a maximal run of non-whitespace characters; a whitespace
  character is a token of its own and never merges; merges never cross words;
- each round the pair that occurs most often (a word that occurs k times
  counts k times; both pairs in "aaa" count) becomes token n, n+1, ...; a tie
  goes to the pair that occurs first when the documents are read in order;
  learning stops at the vocabulary size asked for, or when no pair occurs twice;
- a merge replaces its pair left to right, without overlap: "aaa" -> "aa", "a";
- encoding applies the merges in the order they were learned;
- BOS is the last id, so with no merges the ids are tokenizer.py's.

Builds on config.py and tokenizer.py (the alphabet, BOS, decode). `tokenizer_for`
learns the tokenizer a run asks for. Left out on purpose: bytes
(GPT-2 merges UTF-8 bytes, so no character is unknown to it; here the
alphabet is the data's characters, and any other character is an error),
GPT-2's regular-expression pre-split, and special tokens besides BOS.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from ..config import ConfigError
from ..tokenizer import Tokenizer


# -------------------------------------------------------------------------
# helpers

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


def apply_merges(ids, rank, merged):
    """ids after the merges, applied by rank: again and again the neighbouring
    pair with the lowest rank[pair] becomes merged[pair] (every occurrence,
    left to right), until no neighbouring pair has a rank.

    >>> rank = {(0, 1): 0, (3, 2): 1}      # first 0+1, then (0+1)+2
    >>> apply_merges([0, 1, 2, 0, 1], rank, {(0, 1): 3, (3, 2): 4})
    [4, 3]
    """
    while len(ids) >= 2:
        pair = min(zip(ids, ids[1:]), key=lambda p: rank.get(p, math.inf))
        if pair not in rank:
            break
        ids = merge(ids, pair, merged[pair])
    return ids


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
    >>> chars = Tokenizer.from_docs(docs).chars
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


# -------------------------------------------------------------------------
# the tokenizer

class BPETokenizer(Tokenizer):
    """The character tokenizer's alphabet plus merges, with its interface:
    chars, tokens, bos, vocab_size, encode, and (inherited) encode_document,
    decode, unknown. BPETokenizer(chars, merges) trusts its arguments: learn()
    makes them, and schema.py checks a checkpoint's before they get here.

    >>> tok = BPETokenizer.learn(["low lower lowest newer wider"], vocab_size=20)
    >>> tok.vocab_size, tok.bos                # stopped early: 11 chars, 3 merges, BOS
    (15, 14)
    >>> tok.tokens[11:]
    ['lo', 'low', 'er']
    >>> [tok.tokens[i] for i in tok.encode("slower newest")]
    ['s', 'low', 'er', ' ', 'n', 'e', 'w', 'e', 's', 't']
    >>> tok.decode(tok.encode_document("slower"))
    'slower'
    """

    def __init__(self, chars, merges=()):
        super().__init__(chars)                  # chars, ids, and tokens = chars
        self.merges = [tuple(pair) for pair in merges]  # a checkpoint's JSON has lists
        self.rank = {}                           # pair -> the id it merges into
        for new_id, (a, b) in enumerate(self.merges, start=len(self.chars)):
            self.tokens.append(self.tokens[a] + self.tokens[b])
            self.rank[a, b] = new_id
        self.bos = len(self.tokens)              # the last id
        self.vocab_size = self.bos + 1
        self.cache = {}                          # word -> its ids

    @classmethod
    def learn(cls, docs, vocab_size, each=None):
        """BPE learned from docs, in their order. vocab_size counts BOS; the
        result's vocab_size is smaller when no pair occurred twice before it.
        ValueError when vocab_size leaves no room for the data's characters.
        each: learn_merges'. The words of docs are encoded already, as
        learning left them (the same ids encode_word gives)."""
        docs = list(docs)
        chars = Tokenizer.from_docs(docs).chars
        smallest = len(chars) + 1
        if vocab_size < smallest:
            raise ValueError(f"the vocabulary size must be at least {smallest} (the data's "
                             f"{len(chars)} characters and BOS), got {vocab_size}")
        words = {}
        tokenizer = cls(chars, learn_merges(docs, chars, vocab_size - smallest, each, words))
        tokenizer.cache.update(words)
        return tokenizer

    def encode(self, text):
        """Ids of text (no BOS): each word's characters, merged in learned order.
        UnknownText naming any character outside the alphabet."""
        ids = []
        try:
            for word in split_words(text):
                if word not in self.cache:
                    self.cache[word] = self.encode_word(word)
                ids.extend(self.cache[word])
        except (KeyError, TypeError):  # the rare path: say which text, and why
            self.check_text(text, f"the text {text!r:.60}")
            raise
        return ids

    def encode_word(self, word):
        """One word's ids: its characters, then again and again the pair in it
        that was learned first, merged. That applies the merges in learned
        order (skipping absent ones), since a merge never makes an earlier pair."""
        ids = [self.ids[ch] for ch in word]
        return apply_merges(ids, self.rank, self.rank)  # a pair's rank is the id it makes



# -------------------------------------------------------------------------
# the run's tokenizer

def tokenizer_for(docs, config, each=None):
    """The tokenizer a run of config learns from docs (file order): the
    characters (config.tokenizer "char"), or BPE's merges up to
    config.bpe_vocab_size. BPE learns before the shuffle (its ties go to the
    pair met first in file order) and draws no random numbers. each:
    learn_merges' (progress)."""
    if config.tokenizer == "char":
        return Tokenizer.from_docs(docs)
    try:
        return BPETokenizer.learn(docs, config.bpe_vocab_size, each)
    except ValueError as e:  # a vocabulary smaller than the alphabet
        raise ConfigError(f"bpe_vocab_size: {e}") from None
