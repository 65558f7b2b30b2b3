"""
sample.py: the command `python -m microgpt.sample model.json`: new documents
from a saved model.

By default it continues the checkpoint's own random generator, so sampling
from the checkpoint a training run saved at its end prints the very samples
that run printed. --seed starts a fresh generator instead. --prefix gives the
start the samples must continue; --top-k and --top-p drop unlikely tokens
before each draw; --temperature 0 always takes the most likely token.

When the training data is at hand (--data, or the file the checkpoint names,
if it is in the current folder or bundled, with a matching checksum), each
sample is marked as found in the training data or new.

Builds on tokenizer.py, config.py, generate.py and catalog.py (how a
model reads), and on the plumbing's checkpoint.py, cli.py, corpus.py and
stopping.py; the work is theirs, this module only
parses flags and prints.
"""
if __name__ == "__main__":  # first: Ctrl-C while the modules below load ends at once
    from .plumbing.stopping import stop_at_once_while_loading
    stop_at_once_while_loading()


import random
from pathlib import Path

from .architectures import catalog
from .plumbing import checkpoint, cli
from .plumbing.checkpoint import CheckpointError
from .config import Config
from .plumbing.corpus import DataError, load_docs, load_docs_and_sha256, locate_saved
from .generate import sample
from .tokenizer import UnknownText


def parse_args(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt.sample",
                           description="Generate documents from a microgpt checkpoint.")
    p.add_argument("checkpoint", help="a checkpoint written by python -m microgpt.train --out")
    d = Config()
    p.add_argument("--num-samples", type=cli.whole_number(1), default=d.num_samples,
                   help=f"how many (default {d.num_samples})")
    p.add_argument("--temperature", type=cli.number(0), default=None,
                   help=f"sampling temperature; 0 = greedy (default: the checkpoint's, "
                        f"usually {d.temperature})")
    p.add_argument("--top-k", type=cli.whole_number(1), default=None,
                   help="draw only from the K most likely tokens")
    p.add_argument("--top-p", type=cli.number(0, inclusive=False), default=None,
                   help="draw only from the most likely tokens that add up to P, 0 < P <= 1")
    p.add_argument("--prefix", default="", help="text every sample starts with")
    p.add_argument("--max-tokens", type=cli.whole_number(1), default=None, metavar="N",
                   help="longest sample in tokens, prefix included (default: the block size); "
                        "past the block the model reads the last block-size tokens")
    p.add_argument("--seed", type=cli.whole_number(0), default=None,
                   help="a fresh random seed (default: go on with the checkpoint's generator)")
    p.add_argument("--data", metavar="PATH", default=None,
                   help="training data, to mark each sample as seen in it or new")
    args = p.parse_args(argv)
    if args.top_p is not None and args.top_p > 1:
        p.error(f"argument --top-p: must be at most 1, got {args.top_p:g}")
    return p, args


def training_docs(state, data_arg):
    """The training documents as a set, or None when the data is not at hand."""
    if data_arg is not None:
        return set(load_docs(data_arg))
    candidate = locate_saved(state.data_name, state.data_sha256)  # where training read it, or bundled
    try:
        if candidate and Path(candidate).is_file():
            docs, sha256 = load_docs_and_sha256(candidate)
            if sha256 == state.data_sha256:
                return set(docs)
    except (OSError, DataError):  # a name no file can have (too long); unreadable now
        pass
    return None


def main(argv=None):
    parser, args = parse_args(argv)
    prog = parser.prog
    try:
        state = checkpoint.load(args.checkpoint)
        if state.config.model in ("classifier", "seq2seq", "vit"):
            command, flag = {"classifier": ("classify", "--text TEXT"), "vit": ("vit", "--image N"),
                             "seq2seq": ("seq2seq", "--text TEXT")}[state.config.model]
            raise CheckpointError(f"{args.checkpoint} is a {state.config.model}, which does not "
                                  f"generate (python -m microgpt {command} {args.checkpoint} "
                                  f"{flag})")
        state.tokenizer.check_text(args.prefix, "--prefix")
        max_tokens = args.max_tokens or state.config.block_size
        prefix_tokens = len(state.tokenizer.encode(args.prefix))
        if prefix_tokens >= max_tokens:
            limit = (f"--max-tokens ({max_tokens})" if args.max_tokens
                     else f"the block ({max_tokens}); or raise --max-tokens")
            raise CheckpointError(f"--prefix is {prefix_tokens} tokens; it must be shorter "
                                  f"than {limit}")
        seen = training_docs(state, args.data)
    except (CheckpointError, DataError, UnknownText) as e:
        cli.fail(prog, e)
    rng = random.Random(args.seed) if args.seed is not None else state.rng
    width = len(str(args.num_samples))
    for i in range(args.num_samples):
        text = sample(state.params, state.config, state.tokenizer, rng, args.temperature,
                      prefix=args.prefix, top_k=args.top_k, top_p=args.top_p,
                      max_tokens=max_tokens, reader=catalog.reader_of(state.config))
        mark = "" if seen is None else ("  (in training data)" if text in seen else "  (new)")
        print(f"sample {i + 1:{max(2, width)}d}: {cli.shown_sample(text)}{mark}", flush=True)


if __name__ == "__main__":
    cli.run(main)
