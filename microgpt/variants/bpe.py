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

Builds on config.py, tokenizer.py (the alphabet, BOS, decode) and
subwords.py (the merges learned: learn_merges). `tokenizer_for` learns the
tokenizer a run asks for. Left out on purpose: bytes
(GPT-2 merges UTF-8 bytes, so no character is unknown to it; here the
alphabet is the data's characters, and any other character is an error),
GPT-2's regular-expression pre-split, and special tokens besides BOS.
"""
from __future__ import annotations

import math

from ..config import ConfigError
from ..tokenizer import Tokenizer
from .subwords import learn_merges, merge, split_words


# -------------------------------------------------------------------------
# helpers

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



# -------------------------------------------------------------------------
# the tokenizer

class BPETokenizer(Tokenizer):
    """The character tokenizer's alphabet plus merges, with its interface:
    chars, tokens, bos, vocab_size, encode, and (inherited) encode_document,
    decode, unknown. BPETokenizer(chars, merges) trusts its arguments: learn()
    makes them, and field_checks.py checks a checkpoint's before they get here.

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
