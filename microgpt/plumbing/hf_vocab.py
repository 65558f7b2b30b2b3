"""
hf_vocab.py: a model folder's vocabulary as Hugging Face's tokenizer files.

A microgpt vocabulary (characters, or BPE's merges of them; BOS the last id)
is written by `write_vocab` as a tokenizer.json that Hugging Face's
tokenizers read with the checkpoint's very ids: a BPE model whose vocabulary
is every token's text, each character a token of its own, the merges in the
order learned ("a b": no token holds whitespace), the pre-split of bpe.py
(a word is a run of non-whitespace, a whitespace character stands alone),
a decoder that joins the tokens, and BOS as the special token "<BOS>" (which
a Hugging Face tokenizer does not add: a microgpt text is read after it, so
put it first, as ids [bos] + tokenizer.encode(text).ids). `read_vocab` reads
such a file back into tokenizer.py's or bpe.py's tokenizer.

GPT-2's own vocabulary (byte-level BPE: tokenizer.json, or vocab.json and
merges.txt) is read by `load_tokenizer`.

Builds on tokenizer.py, bpe.py, files.py and hf_gpt2.py (FolderError).
Left out on purpose: Hugging Face's other tokenizer models (WordPiece,
Unigram), which no microgpt model uses.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..tokenizer import Tokenizer
from ..variants.bpe import BPETokenizer
from .files import InputError, read_bytes
from .hf_gpt2 import FolderError

BOS_TEXT = "<BOS>"  # BOS as the tokenizer files spell it


def write_vocab(tokenizer, block_size):
    """{file name: text} of tokenizer.json and tokenizer_config.json for a
    microgpt tokenizer; ValueError when two tokens spell the same text (a
    Hugging Face vocabulary maps each text to one id)."""
    vocab = {}
    for i, text in enumerate(tokenizer.tokens):
        if text in vocab:
            raise ValueError(f"tokens {vocab[text]} and {i} both spell {text!r}: a Hugging Face "
                             f"vocabulary has one id per text")
        vocab[text] = i
    if BOS_TEXT in vocab:
        raise ValueError(f"a token spells {BOS_TEXT!r}, BOS's name in the files")
    merges = getattr(tokenizer, "merges", [])
    tokens = tokenizer.tokens
    spec = {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": tokenizer.bos, "content": BOS_TEXT, "single_word": False,
                              "lstrip": False, "rstrip": False, "normalized": False,
                              "special": True}],
            "normalizer": None,
            "pre_tokenizer": {"type": "Split", "pattern": {"Regex": r"\S+|\s"},
                              "behavior": "Isolated", "invert": False} if merges else None,
            "post_processor": None, "decoder": {"type": "Fuse"},
            "model": {"type": "BPE", "dropout": None, "unk_token": None,
                      "continuing_subword_prefix": None, "end_of_word_suffix": None,
                      "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": {**vocab, BOS_TEXT: tokenizer.bos},
                      "merges": [f"{tokens[a]} {tokens[b]}" for a, b in merges]}}
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": BOS_TEXT,
              "eos_token": BOS_TEXT, "model_max_length": block_size,
              "clean_up_tokenization_spaces": False}
    return {"tokenizer.json": json.dumps(spec, indent=1, ensure_ascii=False),
            "tokenizer_config.json": json.dumps(config, indent=1)}


def read_json(path, what):
    """The JSON in the file at path; FolderError when it cannot be read."""
    try:
        return json.loads(read_bytes(path, what).decode("utf-8"))
    except InputError as e:
        raise FolderError(e) from None
    except (UnicodeDecodeError, ValueError) as e:
        raise FolderError(f"{path}: not JSON ({e})") from None


def read_vocab(folder, vocab_size):
    """A microgpt tokenizer from the tokenizer.json write_vocab wrote;
    FolderError when the file is not one of vocab_size tokens."""
    path = Path(folder) / "tokenizer.json"
    spec = read_json(path, "a tokenizer.json")

    def expect(ok, message):
        if not ok:
            raise FolderError(f"{path}: {message}")
    model = spec.get("model") if isinstance(spec, dict) else None
    expect(isinstance(model, dict) and isinstance(model.get("vocab"), dict)
           and isinstance(model.get("merges"), list), "no BPE model with a vocab and merges")
    by_id = {i: text for text, i in model["vocab"].items()}
    expect(sorted(by_id) == list(range(vocab_size)) and by_id[vocab_size - 1] == BOS_TEXT,
           f"the vocabulary should be ids 0..{vocab_size - 1}, {BOS_TEXT} last")
    n_chars = vocab_size - 1 - len(model["merges"])
    chars = [by_id[i] for i in range(max(n_chars, 0))]
    expect(n_chars >= 1 and all(len(c) == 1 for c in chars),
           f"the first {n_chars} tokens should be characters, the rest merges")
    merges = []
    for k, merge in enumerate(model["merges"]):
        a, b = merge.split(" ", 1) if isinstance(merge, str) and " " in merge else \
            merge if isinstance(merge, list) and len(merge) == 2 else (None, None)
        pair = (model["vocab"].get(a), model["vocab"].get(b))
        expect(None not in pair and model["vocab"].get(a + b) == n_chars + k,
               f"merge {k + 1} {merge!r} does not make token {n_chars + k}")
        merges.append(pair)
    return BPETokenizer(chars, merges) if merges else Tokenizer(chars)


# -------------------------------------------------------------------------
# GPT-2's vocabulary: a stand-in for variants/'s byte-level BPE, exact for ASCII text

def bytes_to_unicode():
    """GPT-2's table: byte -> the printable character its files spell it with."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    others = iter(range(256, 512))
    return {b: chr(b) if b in printable else chr(next(others)) for b in range(256)}


WORD = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")
END_OF_TEXT = "<|endoftext|>"


class GPT2Tokenizer(Tokenizer):
    """GPT-2's byte-level BPE with tokenizer.py's interface; its texts are read
    as their own tokens, with no BOS before them (encode_prompt)."""

    starts_with_bos = False

    def __init__(self, vocab, merges):
        table = bytes_to_unicode()
        byte_of = {ch: b for b, ch in table.items()}
        self.vocab, self.chars = dict(vocab), []
        self.bos = self.vocab.get(END_OF_TEXT, max(self.vocab.values()) + 1)
        self.vocab_size = max(self.bos, *self.vocab.values()) + 1
        self.byte_ids = [self.vocab.get(table[b]) for b in range(256)]
        self.rank = {pair: r for r, pair in enumerate(merges)}
        self.token_bytes = [b""] * self.vocab_size
        for text, i in self.vocab.items():
            self.token_bytes[i] = (text.encode() if text == END_OF_TEXT
                                   else bytes(byte_of.get(ch, 63) for ch in text))
        self.tokens = [b.decode("utf-8", "replace") for b in self.token_bytes]  # as HF's decode
        self.ids, self.cache = {}, {}

    def encode(self, text):
        ids = []
        for i, part in enumerate(text.split(END_OF_TEXT)):
            ids += [self.bos] if i else []
            for word in WORD.findall(part):
                if word not in self.cache:
                    self.cache[word] = self.encode_word(word)
                ids += self.cache[word]
        return ids

    def encode_word(self, word):
        table = bytes_to_unicode()
        parts = [table[b] for b in word.encode("utf-8")]
        while len(parts) > 1:  # merge the pair of the lowest rank, everywhere, again and again
            pair = min(zip(parts, parts[1:]), key=lambda p: self.rank.get(p, len(self.rank)))
            if pair not in self.rank:
                break
            merged, i = [], 0
            while i < len(parts):
                if tuple(parts[i:i + 2]) == pair:
                    merged.append(pair[0] + pair[1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return [self.vocab[p] for p in parts]

    def decode(self, ids):
        return b"".join(self.token_bytes[i] for i in ids if i != self.bos).decode("utf-8", "replace")

    def unknown(self, text):
        return []


def load_tokenizer(folder):
    """GPT-2's tokenizer from a folder's tokenizer.json, or its vocab.json and
    merges.txt; FolderError when neither is there."""
    folder = Path(folder)
    if (folder / "tokenizer.json").is_file():
        model = read_json(folder / "tokenizer.json", "a tokenizer.json").get("model", {})
        vocab, merges = model.get("vocab", {}), model.get("merges", [])
    elif (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file():
        vocab = read_json(folder / "vocab.json", "a vocab.json")
        try:
            lines = read_bytes(folder / "merges.txt", "merges.txt").decode("utf-8").splitlines()
        except (InputError, UnicodeDecodeError) as e:
            raise FolderError(f"{folder / 'merges.txt'}: {e}") from None
        merges = [line for line in lines if line and not line.startswith("#version")]
    else:
        raise FolderError(f"{folder}: no tokenizer.json, nor vocab.json and merges.txt")
    pairs = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in merges]
    return GPT2Tokenizer(vocab, pairs)
