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

Builds on tokenizer.py, bpe.py, files.py, hf_gpt2.py (FolderError) and
vocab_files.py (GPT-2's own files).
Left out on purpose: Hugging Face's other tokenizer models (WordPiece,
Unigram), which no microgpt model uses.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..tokenizer import Tokenizer
from ..variants.bpe import BPETokenizer
from .files import InputError, read_bytes
from . import vocab_files
from .hf_gpt2 import FolderError
from .vocab_files import VocabError

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
# GPT-2's vocabulary: byte-level BPE (variants/bytelevel.py), read by vocab_files.py

def load_tokenizer(folder):
    """GPT-2's tokenizer from a folder's tokenizer.json, or its vocab.json and
    merges.txt (vocab_files.load); FolderError for what is wrong with them."""
    try:
        return vocab_files.load(folder)
    except VocabError as e:
        raise FolderError(str(e)) from None
