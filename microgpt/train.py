"""
train.py: the training loop, and the command `python -m microgpt.train`.

One step: take the next document, run the model over it position by
position, average the next-token losses, backpropagate, let Adam move every
parameter. After the last step, print a few samples. With the default flags
on the 32,033-name file, this prints exactly the reference run's numbers.

Everything random comes from one generator seeded first, and is drawn in the
reference's order: shuffle the documents, draw the initial weights, then
(after training) draw the samples. A checkpoint saves that generator too, so
a resumed run goes on exactly as the uninterrupted one would have.

Builds on all the modules before it. Left out on purpose: batches of several
documents, validation splits, learning-rate warmup.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import random
import signal
import sys
import time
from pathlib import Path

from . import checkpoint, cli, svg
from .checkpoint import CheckpointError, RunState
from .config import Config, ConfigError
from .data import DataError, find_bundled, load_docs
from .generate import sample
from .model import document_loss, flatten, init_params, param_table
from .optim import adam_step
from .tokenizer import Tokenizer
from .value import recording


def shuffled(docs, rng):
    """docs in the run's order: shuffled by rng (the run's first random draw)."""
    docs = list(docs)
    rng.shuffle(docs)
    return docs


def start(docs, config, data_name="", data_sha256=""):
    """A fresh run: (shuffled docs, RunState with new weights).

    The order of draws is the reference's: seed, shuffle, then the weights.
    """
    rng = random.Random(config.seed)
    docs = shuffled(docs, rng)
    tokenizer = Tokenizer.from_docs(docs)
    config = dataclasses.replace(config, vocab_size=tokenizer.vocab_size)
    config.check()
    params = init_params(config, rng)
    return docs, RunState(config, tokenizer, params, rng, data_name=data_name, data_sha256=data_sha256)


def train_step(state, docs, flat=None):
    """Train on the next document; return its loss (a float).

    flat: flatten(state.params), if the caller keeps it between steps.
    """
    doc = docs[state.step % len(docs)]
    with recording() as tape:  # the order the graph is made in: backward needs no sort
        loss = document_loss(state.tokenizer.encode_document(doc), state.params, state.config)
    loss.backward(tape)
    adam_step(flat or flatten(state.params), state.m, state.v, state.step, state.config)
    state.step += 1
    state.losses.append(loss.data)
    return loss.data


@contextlib.contextmanager
def cycle_collector_off():
    """Within the block, CPython's cycle collector is off.

    The graph has no reference cycles, so reference counting frees each
    step's nodes; the cycle collector would only rescan them, again and again.
    (PyPy's collector is its memory manager itself: it stays on.)
    """
    off = sys.implementation.name == "cpython" and gc.isenabled()
    if off:
        gc.disable()
    try:
        yield
    finally:
        if off:
            gc.enable()


# -------------------------------------------------------------------------
# the command line

TRAINING_FLAGS = ("steps", "seed", "n_layer", "n_embd", "n_head", "block_size", "lr")


def parse_args(argv=None):
    d = Config()
    p = cli.ArgumentParser(
        prog="python -m microgpt.train",
        description="Train a tiny GPT on a text file of documents (one per line) "
                    "and print samples. Defaults reproduce the reference run.")
    p.add_argument("path", nargs="?", default=None,
                   help="text file, one document per line (default: names.txt, or the "
                        "checkpoint's file with --resume; a bare name falls back to the "
                        "bundled data/ file of that name)")
    p.add_argument("--steps", type=cli.whole_number(1), help=f"training steps (default {d.steps})")
    p.add_argument("--seed", type=cli.whole_number(0), help=f"random seed (default {d.seed})")
    p.add_argument("--n-layer", type=cli.whole_number(1), help=f"transformer blocks (default {d.n_layer})")
    p.add_argument("--n-embd", type=cli.whole_number(1), help=f"embedding width (default {d.n_embd})")
    p.add_argument("--n-head", type=cli.whole_number(1), help=f"attention heads (default {d.n_head})")
    p.add_argument("--block-size", type=cli.whole_number(1), help=f"context length (default {d.block_size})")
    p.add_argument("--lr", type=cli.number(0, inclusive=False), help=f"Adam learning rate (default {d.lr})")
    p.add_argument("--temperature", type=cli.number(0),
                   help=f"sampling temperature; 0 = greedy (default {d.temperature})")
    p.add_argument("--num-samples", type=cli.whole_number(1),
                   help=f"samples to print after training (default {d.num_samples})")
    p.add_argument("--out", metavar="FILE", help="save a checkpoint here (at the end, on Ctrl-C, "
                                                 "and every --save-every steps)")
    p.add_argument("--save-every", type=cli.whole_number(1), metavar="N",
                   help="also save the checkpoint every N steps (needs --out)")
    p.add_argument("--resume", metavar="FILE", help="continue the run saved in this checkpoint")
    p.add_argument("--plot", metavar="FILE", help="write the loss curve (raw and running mean) as SVG")
    p.add_argument("--params", action="store_true", help="print every weight matrix's shape and count")
    args = p.parse_args(argv)
    if args.save_every and not args.out:
        p.error("--save-every needs --out FILE")
    given = {k: getattr(args, k) for k in TRAINING_FLAGS + ("temperature", "num_samples")
             if getattr(args, k) is not None}
    return p, args, given


def resolve_path(path, prog):
    """path itself, or the bundled dataset of that name when path is missing."""
    if not Path(path).exists():
        bundled = find_bundled(path)
        if bundled is not None:
            print(f"{prog}: {path} not found here; using the bundled {bundled}", file=sys.stderr)
            return bundled
    return path


def open_run(args, given, prog):
    """(docs, state) for a new run or a resumed one; errors exit with one line."""
    if args.resume:
        state = checkpoint.load(args.resume)
        for name in TRAINING_FLAGS:
            if name in given and given[name] != getattr(state.config, name):
                raise ConfigError(f"--{name.replace('_', '-')} {given[name]} differs from the "
                                  f"checkpoint's {getattr(state.config, name)}; a resumed run keeps "
                                  f"its settings")
        sampling = {k: given[k] for k in ("temperature", "num_samples") if k in given}
        state.config = dataclasses.replace(state.config, **sampling)
        path = resolve_path(args.path or state.data_name, prog)
        docs = load_docs(path)
        sha = checkpoint.file_sha256(path)
        if sha != state.data_sha256:
            raise CheckpointError(f"{path} is not the data file {args.resume} was trained on "
                                  f"({state.data_name}, sha256 {state.data_sha256[:12]}...)")
        docs = shuffled(docs, random.Random(state.config.seed))  # the run's order
        if Tokenizer.from_docs(docs).chars != state.tokenizer.chars:
            raise CheckpointError(f"{path}: its characters do not match {args.resume}'s vocabulary")
        print(f"{prog}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}",
              file=sys.stderr)
        return docs, state
    config = Config(**given)
    config.check()
    path = resolve_path(args.path or "names.txt", prog)
    docs = load_docs(path)
    return start(docs, config, Path(args.path or "names.txt").name, checkpoint.file_sha256(path))


def write_plot(path, losses):
    """The loss curve as SVG: every step's loss and a running mean of 50."""
    picture = svg.line_chart({"loss": ("#9ab", losses),
                              "running mean (50 steps)": ("#c33", svg.running_mean(losses))},
                             title="training loss")
    Path(path).write_text(picture, encoding="utf-8")


class StopRequest:
    """Ctrl-C (SIGINT) sets a flag the loop checks between steps, so a step
    is never left half done. A second Ctrl-C stops at once."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


def main(argv=None):
    parser, args, given = parse_args(argv)
    prog = parser.prog
    try:
        docs, state = open_run(args, given, prog)
    except (DataError, ConfigError, CheckpointError) as e:
        cli.fail(prog, e)
    config = state.config
    flat = flatten(state.params)
    print(f"num docs: {len(docs)}")
    print(f"vocab size: {config.vocab_size}")
    print(f"num params: {len(flat)}")
    if args.params:
        print(param_table(state.params), file=sys.stderr)
    too_long = sum(len(doc) >= config.block_size for doc in docs)
    if too_long:
        print(f"{prog}: note: {too_long} of {len(docs)} documents are longer than the block "
              f"({config.block_size} tokens with BOS) and are truncated", file=sys.stderr)

    def save(why):
        if args.out:
            checkpoint.save(state, args.out)
            print(f"{prog}: {why}: saved step {state.step} to {args.out}", file=sys.stderr)

    stop = StopRequest()
    previous_handler = signal.signal(signal.SIGINT, stop)
    with cycle_collector_off():
        try:
            start_step, start_time = state.step, time.perf_counter()
            while state.step < config.steps:
                loss = train_step(state, docs, flat)
                print(f"step {state.step:4d} / {config.steps:4d} | loss {loss:.4f}", flush=True)
                if stop.requested:
                    save("interrupted")
                    print(f"{prog}: interrupted after step {state.step}", file=sys.stderr)
                    sys.exit(130)
                if (args.save_every and state.step % args.save_every == 0
                        and state.step < config.steps):
                    save("checkpoint")
            done = state.step - start_step
            if done:
                elapsed = time.perf_counter() - start_time
                print(f"trained {done} steps in {elapsed:.1f} s "
                      f"({1000 * elapsed / done:.1f} ms/step)", file=sys.stderr)
            save("done")
            if args.plot:
                write_plot(args.plot, state.losses)
                print(f"{prog}: wrote the loss curve to {args.plot}", file=sys.stderr)
            print("\n--- inference (new, hallucinated names) ---")
            for i in range(config.num_samples):
                name = sample(state.params, config, state.tokenizer, state.rng)
                print(f"sample {i + 1:2d}: {name}", flush=True)
                if stop.requested:
                    sys.exit(130)
        except KeyboardInterrupt:
            print(f"\n{prog}: stopped during step {state.step + 1}; it was not saved",
                  file=sys.stderr)
            sys.exit(130)
        finally:
            signal.signal(signal.SIGINT, previous_handler)


if __name__ == "__main__":
    cli.run(main)
