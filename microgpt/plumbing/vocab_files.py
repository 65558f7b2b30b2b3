"""
vocab_files.py: a Hugging Face folder's tokenizer, read and checked:
GPT-2's tokenizer.json, or its vocab.json and merges.txt.

`load(folder)` reads tokenizer.json when the folder has one (what Hugging
Face's fast tokenizer reads), else vocab.json and merges.txt (what the
original GPT-2 code read), and returns bytelevel.py's ByteLevelBPE. Both
spellings of a merge in tokenizer.json are read: "Ġ t" (older files) and
["Ġ", "t"] (`tokenizers` 0.20 on); merges.txt has one "a b" a line after
a "#version" line.

Every field is checked before the tokenizer is built, so a truncated,
hand-edited or foreign file is one VocabError naming what is wrong: ids that
are not 0..n-1 once each, a merge whose tokens (or the token it makes) are
not in the vocabulary, a line of merges.txt that is not two tokens. A file
asking for what GPT-2 does not do (a prefix space, a normalizer, a
post-processor that adds tokens, dropout) is refused in the same way, since
its ids would not be Hugging Face's.

Builds on bytelevel.py and files.py (read_bytes). Left out on purpose:
special_tokens_map.json and tokenizer_config.json (they change how
transformers calls the tokenizer, not its ids), other tokenizer models.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..variants.bytelevel import ByteLevelBPE
from .files import InputError, name_problem, read_bytes


class VocabError(Exception):
    """A tokenizer file that cannot be used, with a message for a person."""


def expect(ok, path, message):
    if not ok:
        raise VocabError(f"{path}: {message}")


def read_text(path):
    """The text of a tokenizer file (UTF-8, a byte-order mark dropped)."""
    try:
        raw = read_bytes(path, "a tokenizer file")
    except InputError as e:
        raise VocabError(e) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise VocabError(f"{path}: not UTF-8 text (byte 0x{raw[e.start]:02x} at offset "
                         f"{e.start})") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_json(path):
    """The JSON object in the file at path."""
    try:
        obj = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise VocabError(f"{path}: not valid JSON (truncated?): {e.msg} at line {e.lineno}, "
                         f"column {e.colno}") from None
    except RecursionError:
        raise VocabError(f"{path}: not a tokenizer file (JSON nested too deeply)") from None
    expect(isinstance(obj, dict), path, f"should hold a JSON object, not {type(obj).__name__}")
    return obj


def split_merge(merge, where):
    """A merge as a pair of tokens, from "a b" or ["a", "b"]; where: the
    file and place to name in the message when it is neither.

    >>> split_merge("Ġ t", "merges.txt: line 2"), split_merge(["Ġ", "t"], "merge 1")
    (('Ġ', 't'), ('Ġ', 't'))
    """
    pair = merge.split(" ") if isinstance(merge, str) else merge
    if not (isinstance(pair, list) and len(pair) == 2
            and all(isinstance(t, str) and t for t in pair)):
        raise VocabError(f"{where} is {merge!r}, not two tokens (\"a b\" or [\"a\", \"b\"])")
    return tuple(pair)


def checked(vocab, special, vocab_path, merges):
    """ByteLevelBPE(vocab, merges, special) once each part is what it should
    be: vocab and special ({token: id}, read from vocab_path) give the ids
    0..n-1 once each; merges ({where: (a, b)} in rank order) name tokens of
    the vocabulary, and so do the tokens they make."""
    expect(isinstance(vocab, dict) and vocab, vocab_path, "the vocabulary should be a "
                                                          "non-empty object {token: id}")
    ids = dict(vocab)
    for text, i in [*vocab.items(), *special.items()]:
        expect(type(i) is int and i >= 0, vocab_path, f"token {text!r} has id {i!r}, not a "
                                                      f"whole number")
        expect(ids.setdefault(text, i) == i, vocab_path,
               f"{text!r} has two ids, {ids[text]} and {i}")
    owner = {}
    for text, i in ids.items():
        expect(owner.setdefault(i, text) == text, vocab_path, f"id {i} is both {owner[i]!r} "
                                                              f"and {text!r}")
    missing = sorted(set(range(len(ids))) - set(owner))
    if missing:
        raise VocabError(f"{vocab_path}: ids should be 0..{len(ids) - 1}, each once: "
                         f"{missing[0]} is missing")
    for where, (a, b) in merges.items():
        for token, what in ((a, ""), (b, ""), (a + b, ", the token it makes,")):
            if token not in vocab:
                raise VocabError(f"{where} ({a} {b}): {token!r}{what} is not in the vocabulary")
    return ByteLevelBPE(vocab, merges.values(), special)


# -------------------------------------------------------------------------
# the two ways a folder holds a tokenizer

def from_tokenizer_json(obj, path="tokenizer.json"):
    """The tokenizer of a parsed tokenizer.json; VocabError when it is not GPT-2's kind."""
    model = obj.get("model")
    expect(isinstance(model, dict), path, "no \"model\" object: is this a tokenizer.json?")
    expect(model.get("type", "BPE") == "BPE", path, f"model type {model.get('type')!r}: only "
                                                    f"byte-level BPE (\"BPE\") is read")
    pre, post = obj.get("pre_tokenizer"), obj.get("post_processor")
    gpt2 = (isinstance(pre, dict) and pre.get("type") == "ByteLevel"
            and pre.get("add_prefix_space") is False and pre.get("use_regex", True) is True)
    expect(gpt2, path, f"pre_tokenizer is {json.dumps(pre)}, not GPT-2's (ByteLevel, "
                       f"add_prefix_space false, use_regex true)")
    refused = [what for asks, what in (
        (obj.get("normalizer"), "a normalizer"),
        (post is not None and not (isinstance(post, dict) and post.get("type") == "ByteLevel"),
         "a post_processor that adds tokens"),
        (model.get("continuing_subword_prefix") or model.get("end_of_word_suffix"),
         "a subword prefix or suffix"),
        (model.get("dropout"), "BPE dropout"),
        (model.get("ignore_merges"), "ignore_merges"),
    ) if asks]
    if refused:
        raise VocabError(f"{path}: it asks for {refused[0]}, which GPT-2's tokenizer has not "
                         f"(its ids would not be Hugging Face's)")
    merges = model.get("merges")
    expect(isinstance(merges, list), path, "model merges should be a list")
    added = obj.get("added_tokens") or []
    expect(isinstance(added, list) and all(isinstance(a, dict) for a in added), path,
           "added_tokens should be a list of objects")
    for a in added:
        expect(isinstance(a.get("content"), str) and a["content"], path,
               f"added token {a!r} has no content")
        strips = any(a.get(f) for f in ("lstrip", "rstrip", "single_word"))
        plain = a.get("special", True) and not strips
        expect(plain, path, f"added token {a['content']!r} is not special, or strips spaces "
                            f"(lstrip, rstrip, single_word): GPT-2's does neither")
    wheres = [f"{path}: merge {k}" for k in range(1, len(merges) + 1)]
    return checked(model.get("vocab"), {a["content"]: a.get("id") for a in added}, path,
                   {where: split_merge(m, where) for where, m in zip(wheres, merges)})


def from_vocab_and_merges(vocab, merges_text, vocab_path="vocab.json", merges_path="merges.txt"):
    """The tokenizer of a parsed vocab.json and merges.txt's text.

    >>> vocab = {"a": 0, "b": 1, "ab": 2}
    >>> from_vocab_and_merges(vocab, "#version: 0.2\\na b\\n").encode("abba")
    [2, 1, 0]
    >>> from_vocab_and_merges(vocab, "#version: 0.2\\na b c\\n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    microgpt.plumbing.vocab_files.VocabError: merges.txt: line 2 is 'a b c', not two tokens ...
    """
    merges = {}
    for n, line in enumerate(merges_text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line and not (n == 1 and line.startswith("#version")):
            where = f"{merges_path}: line {n}"
            merges[where] = split_merge(line, where)
    return checked(vocab, {}, vocab_path, merges)


def load(folder):
    """The tokenizer of a Hugging Face folder: its tokenizer.json, else its
    vocab.json and merges.txt; VocabError for anything a person can fix."""
    name = os.fspath(folder)
    problem = name_problem(name)
    if problem:
        raise VocabError(f"{name!r}: {problem}")
    folder = Path(name)
    expect(folder.is_dir(), name, "no such folder" if not folder.exists() else "not a folder "
           "(give the folder that holds tokenizer.json, or vocab.json and merges.txt)")
    if (folder / "tokenizer.json").exists():
        return from_tokenizer_json(read_json(folder / "tokenizer.json"), folder / "tokenizer.json")
    expect((folder / "vocab.json").exists() and (folder / "merges.txt").exists(), name,
           "no tokenizer.json, nor vocab.json and merges.txt")
    return from_vocab_and_merges(read_json(folder / "vocab.json"), read_text(folder / "merges.txt"),
                                 folder / "vocab.json", folder / "merges.txt")
