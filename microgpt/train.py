"""
train.py: the training loop, and the command `python -m microgpt.train`.

One step: take the next document, run the model over it position by
position, average the next-token losses, backpropagate, let Adam move every
parameter. After the last step, print a few samples. With the default flags
on the 32,033-name file, this prints exactly the reference run's numbers.

Everything random comes from one generator seeded first, and is drawn in the
reference's order: shuffle the documents, draw the initial weights, then
(after training) draw the samples.

Builds on all the modules before it. Left out on purpose: batches of several
documents, validation splits, learning-rate warmup.
"""
from __future__ import annotations

import dataclasses
import random
import sys
import time

from . import cli
from .config import Config, ConfigError
from .data import DataError, find_bundled, load_docs
from .generate import sample
from .model import document_loss, flatten, init_params
from .optim import adam_step
from .tokenizer import Tokenizer


def setup(docs, config):
    """Shuffle docs, build the tokenizer and the initial weights.

    Returns (docs, tokenizer, config with vocab_size set, params, rng). The
    generator is seeded here and used for everything random afterwards.
    """
    rng = random.Random(config.seed)
    docs = list(docs)
    rng.shuffle(docs)                                  # the first random draw
    tokenizer = Tokenizer.from_docs(docs)
    config = dataclasses.replace(config, vocab_size=tokenizer.vocab_size)
    config.check()
    params = init_params(config, rng)
    return docs, tokenizer, config, params, rng


def train_step(step, docs, tokenizer, params, flat, m, v, config):
    """Train on docs[step % len(docs)]; return that document's loss (a float)."""
    doc = docs[step % len(docs)]
    doc_ids = [tokenizer.bos] + tokenizer.encode(doc) + [tokenizer.bos]
    loss = document_loss(doc_ids, params, config)
    loss.backward()
    adam_step(flat, m, v, step, config)
    return loss.data


# -------------------------------------------------------------------------
# the command line

def parse_args(argv=None):
    d = Config()
    p = cli.ArgumentParser(
        prog="python -m microgpt.train",
        description="Train a tiny GPT on a text file of documents (one per line) "
                    "and print samples. Defaults reproduce the reference run.")
    p.add_argument("path", nargs="?", default="names.txt",
                   help="text file, one document per line (default: names.txt; "
                        "falls back to the bundled data/ file of that name)")
    p.add_argument("--steps", type=cli.whole_number(1), default=d.steps, help=f"training steps (default {d.steps})")
    p.add_argument("--seed", type=cli.whole_number(0), default=d.seed, help=f"random seed (default {d.seed})")
    p.add_argument("--n-layer", type=cli.whole_number(1), default=d.n_layer, help=f"transformer blocks (default {d.n_layer})")
    p.add_argument("--n-embd", type=cli.whole_number(1), default=d.n_embd, help=f"embedding width (default {d.n_embd})")
    p.add_argument("--n-head", type=cli.whole_number(1), default=d.n_head, help=f"attention heads (default {d.n_head})")
    p.add_argument("--block-size", type=cli.whole_number(1), default=d.block_size, help=f"context length (default {d.block_size})")
    p.add_argument("--lr", type=cli.number(0, inclusive=False), default=d.lr, help=f"Adam learning rate (default {d.lr})")
    p.add_argument("--temperature", type=cli.number(0), default=d.temperature,
                   help=f"sampling temperature; 0 = greedy (default {d.temperature})")
    p.add_argument("--num-samples", type=cli.whole_number(1), default=d.num_samples,
                   help=f"samples to print after training (default {d.num_samples})")
    args = p.parse_args(argv)
    if args.n_embd % args.n_head:
        p.error(f"--n-embd ({args.n_embd}) must be divisible by --n-head ({args.n_head})")
    return p, args


def resolve_path(path, prog):
    """path itself, or the bundled dataset of that name when path is missing."""
    from pathlib import Path
    if not Path(path).exists():
        bundled = find_bundled(path)
        if bundled is not None:
            print(f"{prog}: {path} not found here; using the bundled {bundled}", file=sys.stderr)
            return bundled
    return path


def main(argv=None):
    parser, args = parse_args(argv)
    prog = parser.prog
    config = Config(n_embd=args.n_embd, n_head=args.n_head, n_layer=args.n_layer,
                    block_size=args.block_size, seed=args.seed, steps=args.steps, lr=args.lr,
                    temperature=args.temperature, num_samples=args.num_samples)
    try:
        docs = load_docs(resolve_path(args.path, prog))
        docs, tokenizer, config, params, rng = setup(docs, config)
    except (DataError, ConfigError) as e:
        cli.fail(prog, e)
    flat = flatten(params)
    print(f"num docs: {len(docs)}")
    print(f"vocab size: {config.vocab_size}")
    print(f"num params: {len(flat)}")
    too_long = sum(len(doc) >= config.block_size for doc in docs)
    if too_long:
        print(f"{prog}: note: {too_long} of {len(docs)} documents are longer than the block "
              f"({config.block_size} tokens with BOS) and are truncated", file=sys.stderr)

    m, v = [0.0] * len(flat), [0.0] * len(flat)
    start = time.perf_counter()
    step = 0
    try:
        for step in range(config.steps):
            loss = train_step(step, docs, tokenizer, params, flat, m, v, config)
            print(f"step {step + 1:4d} / {config.steps:4d} | loss {loss:.4f}", flush=True)
        elapsed = time.perf_counter() - start
        print(f"trained {config.steps} steps in {elapsed:.1f} s "
              f"({1000 * elapsed / config.steps:.1f} ms/step)", file=sys.stderr)
        print("\n--- inference (new, hallucinated names) ---")
        for i in range(config.num_samples):
            print(f"sample {i + 1:2d}: {sample(params, config, tokenizer, rng)}", flush=True)
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted at step {step + 1}", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
