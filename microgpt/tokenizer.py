"""
tokenizer.py: characters <-> integer ids, plus one special token, BOS.

The model reads and writes integers. This tokenizer gives each distinct
character of the training documents an id (in sorted order, 0..n-1) and adds
one more id, n, for BOS ("beginning of sequence"), which marks both ends of a
document: "emma" is trained as [BOS, e, m, m, a, BOS]. So the vocabulary size
is n + 1.

It builds on data.py's list of documents; model.py only needs `vocab_size`.
Left out on purpose: subwords (bpe.py learns them on top of this alphabet,
with the same interface), unknown-character handling (check_text names the
characters the tokenizer has not seen).
"""
from __future__ import annotations


class UnknownText(ValueError):
    """Text with characters the tokenizer has no id for, named in the message."""


class Tokenizer:
    """
    >>> tok = Tokenizer.from_docs(["emma", "ava"])
    >>> tok.chars, tok.bos, tok.vocab_size
    (['a', 'e', 'm', 'v'], 4, 5)
    >>> tok.encode("emma")
    [1, 2, 2, 0]
    >>> tok.decode([1, 2, 2, 0])
    'emma'
    >>> tok
    Tokenizer(5 tokens: 4 characters 'aemv' + BOS, id 4)
    """

    starts_with_bos = True  # a text is read after BOS (False: GPT-2's, read as its own tokens)

    def __init__(self, chars):
        self.chars = list(chars)                 # id -> character
        self.tokens = list(self.chars)           # id -> text (bpe.py adds longer ones)
        self.bos = len(self.chars)               # the extra token's id
        self.vocab_size = len(self.chars) + 1
        self.ids = {ch: i for i, ch in enumerate(self.chars)}  # character -> id

    def __repr__(self):
        chars = "".join(self.chars)
        shown = repr(chars if len(chars) <= 40 else chars[:37] + "...")
        merges = len(self.tokens) - len(self.chars)
        learned = f" + {merges} merges" if merges else ""
        return (f"{type(self).__name__}({self.vocab_size} tokens: {len(self.chars)} characters "
                f"{shown}{learned} + BOS, id {self.bos})")

    @classmethod
    def from_docs(cls, docs):
        """The sorted set of all characters in all documents."""
        return cls(sorted(set("".join(docs))))

    def encode(self, text):
        """Ids of the characters of text (no BOS added); UnknownText (a
        ValueError) naming the characters it has no id for."""
        try:
            return [self.ids[ch] for ch in text]
        except (KeyError, TypeError):  # the rare path: say which text, and why
            self.check_text(text, f"the text {text!r:.60}")
            raise

    def encode_document(self, doc):
        """A document as the model trains on it: BOS, its characters' ids, BOS.

        >>> Tokenizer.from_docs(["emma", "ava"]).encode_document("ava")
        [4, 0, 3, 0, 4]
        """
        return [self.bos] + self.encode(doc) + [self.bos]

    def encode_prompt(self, text):
        """What a model reads of text before it goes on: BOS, then text's ids,
        as every document starts. A tokenizer whose texts stand alone (GPT-2's:
        starts_with_bos False) gives text's own ids, and BOS for no text.

        >>> Tokenizer.from_docs(["emma", "ava"]).encode_prompt("ava")
        [4, 0, 3, 0]
        """
        ids = self.encode(text)
        return [self.bos] + ids if self.starts_with_bos or not ids else ids

    def decode(self, ids):
        """The text of a list of ids; BOS tokens are skipped. ValueError for
        an id that is no token's (the ids run from 0 to BOS, the last)."""
        for i in ids:
            if not (isinstance(i, int) and 0 <= i <= self.bos):
                raise ValueError(f"ids must be token ids from 0 to {self.bos} (BOS), got {i!r}")
        return "".join(self.tokens[i] for i in ids if i != self.bos)

    def unknown(self, text):
        """The characters of text this tokenizer cannot encode, in order.

        >>> Tokenizer(['a', 'b']).unknown("abcad")
        ['c', 'd']
        """
        return sorted(set(text) - set(self.ids), key=text.index)

    def check_text(self, text, what="the text", vocabulary="the vocabulary"):
        """Raise UnknownText naming the first characters of text (up to 10)
        that this tokenizer cannot encode; what: how to call the text, and
        vocabulary: its characters.

        >>> Tokenizer(['a', 'b']).check_text("abcad", "--prefix")
        Traceback (most recent call last):
        ...
        microgpt.tokenizer.UnknownText: --prefix has characters not in the vocabulary: 'c' 'd'
        """
        if not isinstance(text, str):
            raise TypeError(f"{what} must be a string, got {text!r:.60}")
        unknown = self.unknown(text)
        if unknown:
            raise UnknownText(f"{what} has characters not in {vocabulary}: "
                              f"{' '.join(repr(ch) for ch in unknown[:10])}")
