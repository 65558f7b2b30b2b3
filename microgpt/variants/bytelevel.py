"""
bytelevel.py: GPT-2's tokenizer, byte-level BPE, splitting text as GPT-2 does.

bpe.py merges the data's characters, so a character it never saw has no
id. GPT-2 (Radford et al., 2019) merges UTF-8 bytes, and all 256 have a
token, so no text is unknown to it. It tokenizes in four steps:

1. "<|endoftext|>" in a text is one token (id 50256), matched first;
2. a regular expression splits the rest into words, so no merge crosses
   from a letter to a digit, a space or punctuation:
   's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
   (\\p{L}, \\p{N}: a letter, a number, of any script; Python's re has
   neither, so pre_tokenize scans for them with unicodedata);
3. each word becomes its UTF-8 bytes, each spelled as one printable
   character (bytes_to_unicode: the file's token 'Ġthe' is " the");
4. bpe.py's loop (apply_merges) merges them, lowest rank first; the ids
   are the vocabulary file's.

GPT-2 adds no BOS: a text's tokens are its own. <|endoftext|> joined the
documents GPT-2 was trained on and starts its unconditional samples, so it
is `bos` here: encode_document wraps a document in it, as microgpt wraps
one in BOS, and sampling from it is sampling GPT-2 from nothing. (A
vocabulary without it gets it as one more id, the last.)

Builds on tokenizer.py (the interface) and bpe.py (apply_merges);
plumbing/vocab_files.py reads a Hugging Face folder's files and builds the
tokenizer from their plain dict and list. Left out on purpose: learning
the merges (bpe.py shows how), tokenizer.json's other options (a prefix
space, normalizers, dropout: the loader refuses them), offsets. Hugging
Face's fast tokenizer merges one pair at a time, the lowest (rank,
position) first: for a learned merge list (each merge's tokens made before
it, none made twice: GPT-2's, the `tokenizers` trainer's) the ids are the
same.
"""
from __future__ import annotations

import re
import unicodedata

from ..tokenizer import Tokenizer
from .bpe import apply_merges

END_OF_TEXT = "<|endoftext|>"
CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")  # the ASCII apostrophe only
NOT_WHITE_SPACE = "\x1c\x1d\x1e\x1f"  # str.isspace() says yes; Unicode's White_Space (\s) no


# -------------------------------------------------------------------------
# helpers: the byte table, and the pre-split

def bytes_to_unicode():
    """GPT-2's table: byte -> the printable character that spells it. The
    188 printable bytes spell themselves; the others (controls, space,
    0x7f-0xa0, 0xad) take the characters from chr(256) on, in byte order.

    >>> table = bytes_to_unicode()
    >>> table[ord("a")], table[ord(" ")], table[ord("\\n")], table[0xe9]
    ('a', 'Ġ', 'Ċ', 'é')
    >>> "".join(table[b] for b in "é".encode("utf-8"))  # é is two bytes, c3 a9
    'Ã©'
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
                 *range(ord("®"), ord("ÿ") + 1)]
    others = [b for b in range(256) if b not in printable]  # 68 bytes: chr(256) to chr(323)
    return {b: chr(b) if b in printable else chr(256 + others.index(b)) for b in range(256)}


def kind(ch):
    """What the pattern sees in ch: "s" whitespace (\\s, Unicode's White_Space),
    "L" a letter (\\p{L}: categories Lu Ll Lt Lm Lo), "N" a number (\\p{N}:
    Nd Nl No, so ٣ ३ ½ ² too), or "P" anything else (punctuation, symbols,
    emoji, marks, controls).

    >>> [kind(ch) for ch in " \\t\\x1céß٣३½²’😀\\u0301"]
    ['s', 's', 'P', 'L', 'L', 'N', 'N', 'N', 'N', 'P', 'P', 'P']
    """
    if ch.isspace() and ch not in NOT_WHITE_SPACE:
        return "s"
    category = unicodedata.category(ch)[0]
    return category if category in "LN" else "P"


def pre_tokenize(text):
    """The words GPT-2's pattern finds in text, in order; together they are
    the text. At each position the first alternative that matches wins: a
    contraction; an optional space and a run of letters, of numbers, or of
    anything else; whitespace up to the end, or up to one before a
    non-space (\\s+(?!\\S) gives that one back, so " world" keeps its space);
    a last lone whitespace character.

    >>> pre_tokenize("I'm  3 days’ old!!\\n\\nok ")
    ['I', "'m", ' ', ' 3', ' days', '’', ' old', '!!', '\\n', '\\n', 'ok', ' ']
    """
    kinds = [kind(ch) for ch in text]
    words, i, n = [], 0, len(text)
    while i < n:
        contraction = text[i] == "'" and next(
            (c for c in CONTRACTIONS if text.startswith(c, i)), "")
        start = i + 1 if text[i] == " " and i + 1 < n and kinds[i + 1] != "s" else i  # ' ?'
        if contraction:
            end = i + len(contraction)
        elif kinds[start] != "s":           # ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+'
            end = start + 1
            while end < n and kinds[end] == kinds[start]:
                end += 1
        else:                               # '\s+(?!\S)', else '\s+'
            end = i + 1
            while end < n and kinds[end] == "s":
                end += 1
            if end < n and end - i >= 2:    # a non-space follows: give the last one back
                end -= 1
        words.append(text[i:end])
        i = end
    return words


# -------------------------------------------------------------------------
# the tokenizer

class ByteLevelBPE(Tokenizer):
    """GPT-2's byte-level BPE with tokenizer.py's interface: encode, decode,
    bos, vocab_size, tokens (id -> its text, as a person reads it), and
    (inherited) encode_document and check_text.

    vocab: {token as the files spell it ('Ġthe'): id}, ids 0..n-1; merges:
    [(a, b), ...] as spelled, in rank order; special: {text: id} of the
    tokens matched whole in a text, <|endoftext|> always among them. The
    arguments are trusted: plumbing/vocab_files.py checks a folder's files.

    >>> spelled = [bytes_to_unicode()[b] for b in range(256)]   # ids 0..255: the bytes
    >>> vocab = {s: i for i, s in enumerate(spelled + ["Ġc", "Ġca", "Ġcat", END_OF_TEXT])}
    >>> tok = ByteLevelBPE(vocab, [("Ġ", "c"), ("Ġc", "a"), ("Ġca", "t")])
    >>> tok
    ByteLevelBPE(260 tokens: 256 bytes + 3 merges + '<|endoftext|>', id 259)
    >>> tok.encode("the cat's")
    [116, 104, 101, 258, 39, 115]
    >>> [tok.tokens[i] for i in tok.encode(" café")]    # é's two bytes: each half a character
    [' ca', 'f', '�', '�']
    >>> tok.decode(tok.encode_document(" café"))        # decode joins the bytes first
    ' café'
    """

    starts_with_bos = False  # GPT-2 adds no BOS: a text's own tokens are the sequence

    def __init__(self, vocab, merges, special=None):
        self.vocab = dict(vocab)
        self.merges = [tuple(pair) for pair in merges]
        self.special = dict(special or {})
        ids = [*self.vocab.values(), *self.special.values()]
        self.bos = self.special.setdefault(END_OF_TEXT, self.vocab.get(END_OF_TEXT, max(ids) + 1))
        self.vocab_size = max(ids + [self.bos]) + 1  # without it in vocab, it is the last id
        table = bytes_to_unicode()
        byte_of = {ch: b for b, ch in table.items()}
        self.byte_ids = [self.vocab.get(table[b]) for b in range(256)]  # None: no token
        self.token_bytes = [b""] * self.vocab_size   # id -> its bytes
        for spelled, i in self.vocab.items():        # a spelling outside the table is its own UTF-8
            known = all(ch in byte_of for ch in spelled)
            self.token_bytes[i] = bytes(map(byte_of.get, spelled)) if known else spelled.encode()
        for text, i in self.special.items():
            self.token_bytes[i] = text.encode("utf-8")
        self.tokens = [b.decode("utf-8", "replace") for b in self.token_bytes]
        self.rank, self.merged = {}, {}              # pair of ids -> its rank, the id it makes
        for r, (a, b) in enumerate(self.merges):
            pair = self.vocab[a], self.vocab[b]
            self.rank[pair], self.merged[pair] = r, self.vocab[a + b]
        longest_first = sorted(self.special, key=len, reverse=True)
        self.special_split = re.compile("(" + "|".join(map(re.escape, longest_first)) + ")")
        self.cache = {}                              # word -> its ids

    def __repr__(self):
        bytes_ = sum(i is not None for i in self.byte_ids)
        return (f"{type(self).__name__}({self.vocab_size} tokens: {bytes_} bytes + "
                f"{len(self.merges)} merges + {END_OF_TEXT!r}, id {self.bos})")

    def encode(self, text):
        """Ids of text (no end-of-text added): the special tokens in it, and
        between them each pre-split word's bytes, merged. UnknownText
        naming characters with no ids (only a lone surrogate, for GPT-2)."""
        self.check_text(text)
        ids = []
        for part in self.special_split.split(text):  # text, special, text, ...
            if part in self.special:
                ids.append(self.special[part])
                continue
            for word in pre_tokenize(part):
                if word not in self.cache:
                    self.cache[word] = self.encode_word(word)
                ids.extend(self.cache[word])
        return ids

    def encode_word(self, word):
        """One word's ids: its UTF-8 bytes' tokens, merged by rank."""
        ids = [self.byte_ids[b] for b in word.encode("utf-8")]
        return apply_merges(ids, self.rank, self.merged)

    def decode(self, ids):
        """The text of ids: their bytes, joined, read as UTF-8; a character
        cut between tokens reads as '�' (U+FFFD, as in Hugging Face's
        decode); the special tokens skipped (its skip_special_tokens=True),
        as tokenizer.py skips BOS."""
        skipped = set(self.special.values())
        joined = b"".join(self.token_bytes[i] for i in ids if i not in skipped)
        return joined.decode("utf-8", "replace")

    def unknown(self, text):
        """The characters of text this tokenizer cannot encode, in order:
        lone surrogates (no UTF-8 bytes at all), and characters with a byte
        the vocabulary has no token for (GPT-2's has all 256).

        >>> ByteLevelBPE({"a": 0, "b": 1}, []).unknown("abcé\\ud800a")
        ['c', 'é', '\\ud800']
        """
        def encodable(ch):
            try:
                return all(self.byte_ids[b] is not None for b in ch.encode("utf-8"))
            except UnicodeEncodeError:
                return False
        return [ch for ch in dict.fromkeys(text) if not encodable(ch)]
