"""
random_gpt2.py: a GPT-2 folder of the real shapes with random weights, to
measure what the real model costs in microgpt without its 548 MB download.

    python examples/random_gpt2.py /tmp/gpt2-random        # 124,439,808 weights, 498 MB
    /usr/bin/time -v python -m microgpt inspect /tmp/gpt2-random "The animal didn't" --json out.json

The folder is what Hugging Face's openai-community/gpt2 holds, in kind:
config.json (GPT-2 small's: 12 layers, 12 heads, 768 wide, 1024 positions,
50,257 tokens); model.safetensors (float32, as the real file; GPT-2's
names and Conv1D layout, written by microgpt's own export code,
plumbing/hf_gpt2.py and tensorfile.py), its weights uniform with GPT-2's
initial standard deviation, 0.02, its norms' gains 1 and biases 0; and
vocab.json with merges.txt: the 256 byte tokens, merges that spell the words
of SENTENCES as GPT-2 splits them (so these read as the same tokens as in the
real model), unused tokens up to id 50,255, and <|endoftext|> = 50256.

Random weights mean nothing: the attention and the guesses are noise. The
costs are the real model's: the same shapes, the same multiply-adds.
--n-layer, --n-embd and --n-head make a smaller one (a test's).
"""
import argparse
import json
import os
import random
import re
import sys
from array import array
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone

from microgpt.config import ARCHITECTURES, Config  # noqa: E402
from microgpt.params import param_count, param_shapes  # noqa: E402
from microgpt.plumbing.hf_gpt2 import hf_config, hf_shape, names  # noqa: E402
from microgpt.plumbing.tensorfile import count, save  # noqa: E402

SENTENCES = ("The animal didn't cross the street because it was too tired",
             "The quick brown fox jumps over the lazy dog",
             "When Mary and John went to the store, John gave a drink to Mary")
END_OF_TEXT = "<|endoftext|>"


def byte_table():
    """GPT-2's byte -> character table (bytes_to_unicode)."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    others = iter(range(256, 512))
    return {b: chr(b) if b in printable else chr(next(others)) for b in range(256)}


def vocabulary(vocab_size):
    """(vocab, merges): byte tokens, the merges of SENTENCES' words (GPT-2's
    pre-split: a word takes the space before it), unused tokens, <|endoftext|>."""
    table = byte_table()
    vocab = {table[b]: i for i, b in enumerate(sorted(table, key=lambda b: (b not in range(33, 256), b)))}
    merges = []
    for sentence in SENTENCES:
        for word in re.findall(r" ?\w+|'\w+| ?[^\w\s]+", sentence):  # GPT-2's pre-split, nearly
            spelled = "".join(table[b] for b in word.encode())
            for end in range(2, len(spelled) + 1):  # left to right: "Ġa", "Ġan", "Ġani", ...
                if spelled[:end] not in vocab:
                    merges.append(f"{spelled[:end - 1]} {spelled[end - 1]}")
                    vocab[spelled[:end]] = len(vocab)
    while len(vocab) < vocab_size - 1:
        vocab[f"<|unused{len(vocab)}|>"] = len(vocab)
    vocab[END_OF_TEXT] = vocab_size - 1
    return vocab, merges


def random_flat(n, rng, std=0.02):
    """n float32 numbers uniform on [-a, a], a = std * sqrt(3): standard deviation std."""
    scale = std * 3 ** 0.5 / 32768
    return array("f", (scale * (h - 32768) for h in array("H", rng.randbytes(2 * n))))


def main():
    p = argparse.ArgumentParser(description="Write a GPT-2 folder of the real shapes with "
                                            "random weights.")
    p.add_argument("folder")
    p.add_argument("--n-layer", type=int, default=12)
    p.add_argument("--n-embd", type=int, default=768)
    p.add_argument("--n-head", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    config = Config(n_layer=args.n_layer, n_embd=args.n_embd, n_head=args.n_head,
                    block_size=1024, vocab_size=50257, **ARCHITECTURES["gpt2"])
    rng, shapes = random.Random(args.seed), {m: (r, c) for m, r, c in param_shapes(config)}
    named = {}
    for hf, ours in names(config):
        shape = hf_shape(hf, ours, shapes)
        if len(shape) == 2:
            values = random_flat(count(shape), rng)
        else:  # a norm's gain starts at 1, every bias at 0
            values = array("f", [1.0 if hf.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight"))
                                 else 0.0]) * count(shape)
        named["transformer." + hf] = (shape, values)
    os.makedirs(args.folder, exist_ok=True)
    save(os.path.join(args.folder, "model.safetensors"), named, {"format": "pt"}, "F32")
    gpt2 = hf_config(config, bos=50256, dtype="float32")
    with open(os.path.join(args.folder, "config.json"), "w", encoding="utf-8") as f:
        json.dump({**gpt2, "n_ctx": 1024, "resid_pdrop": 0.1, "embd_pdrop": 0.1,
                   "attn_pdrop": 0.1, "initializer_range": 0.02}, f, indent=1)
    vocab, merges = vocabulary(config.vocab_size)
    with open(os.path.join(args.folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(args.folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(m + "\n" for m in merges))
    print(f"wrote {args.folder}: {param_count(config):,} random weights of GPT-2's shapes "
          f"({args.n_layer} layers, {args.n_head} heads, {args.n_embd} wide)")


if __name__ == "__main__":
    main()
