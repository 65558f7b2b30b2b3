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

A model folder (Hugging Face's GPT-2, or what export wrote) samples as a
checkpoint does (model_folder.py): `python -m microgpt.sample gpt2/ --prefix
"The animal"`. GPT-2 takes seconds a token, so a folder gives one sample of
FOLDER_TOKENS new tokens unless told otherwise, with a progress line.

A model fine-tuned on lines prompt<TAB>response (train --loss-on response)
answers: --prompt TEXT writes its response to TEXT (--temperature 0:
greedy); --eval PAIRS.tsv answers every prompt of a file greedily and
prints the exact-match accuracy (`exact: NN.N%`) and the per-character
one, --score icd10 adds ICD-10-CM's, and --held-out scores only the lines
the run held out (its --val-fraction) of the very file it trained on.

Builds on tokenizer.py, config.py, generate.py, catalog.py (how a model
reads) and responses.py (--score's tasks), and on the plumbing's
checkpoint.py, cli.py, corpus.py, exam.py (--prompt and --eval),
model_folder.py and stopping.py; the work is theirs, this module only
parses flags and prints.
"""
if __name__ == "__main__":  # first: Ctrl-C while the modules below load ends at once
    from .plumbing.stopping import stop_at_once_while_loading
    stop_at_once_while_loading()


import os
import random
from pathlib import Path

from .architectures import catalog
from .plumbing import checkpoint, cli, exam, model_folder
from .plumbing.checkpoint import CheckpointError
from .config import Config
from .plumbing.corpus import DataError, load_docs, load_docs_and_sha256, locate_saved
from .generate import gpt_reader, sample
from .instruments import responses
from .tokenizer import UnknownText

FOLDER_TOKENS = 20  # a model folder's samples: new tokens, unless --max-tokens says otherwise


def parse_args(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt.sample",
                           description="Generate documents from a microgpt checkpoint.")
    p.add_argument("checkpoint", help="a checkpoint file, or a model folder (Hugging Face's "
                                      "GPT-2, or one python -m microgpt export wrote)")
    d = Config()
    p.add_argument("--num-samples", type=cli.whole_number(1), default=None,
                   help=f"how many (default: {d.num_samples}; 1 from a model folder or "
                        f"with --prompt)")
    p.add_argument("--temperature", type=cli.number(0), default=None,
                   help=f"sampling temperature; 0 = greedy (default: the checkpoint's, "
                        f"usually {d.temperature})")
    p.add_argument("--top-k", type=cli.whole_number(1), default=None,
                   help="draw only from the K most likely tokens")
    p.add_argument("--top-p", type=cli.number(0, inclusive=False), default=None,
                   help="draw only from the most likely tokens that add up to P, 0 < P <= 1")
    p.add_argument("--prefix", default="", help="text every sample starts with")
    p.add_argument("--max-tokens", type=cli.whole_number(1), default=None, metavar="N",
                   help="longest sample in tokens, prefix included (default: the block size; "
                        f"from a model folder, the prefix and {FOLDER_TOKENS} more); past the "
                        "block the model reads the last block-size tokens")
    p.add_argument("--seed", type=cli.whole_number(0), default=None,
                   help="a fresh random seed (default: go on with the checkpoint's generator)")
    p.add_argument("--data", metavar="PATH", default=None,
                   help="training data, to mark each sample as seen in it or new")
    p.add_argument("--prompt", metavar="TEXT",
                   help="a model fine-tuned on prompt<TAB>response lines: its response to TEXT "
                        "(what it writes after TEXT and a TAB, until BOS)")
    p.add_argument("--eval", metavar="PAIRS.tsv",
                   help="answer the prompt of every line prompt<TAB>response greedily and print "
                        "the exact-match accuracy (exact: NN.N%%) and the per-character one")
    p.add_argument("--held-out", action="store_true",
                   help="with --eval: only the lines the run held out of the file it trained "
                        "on (the split its --val-fraction made)")
    p.add_argument("--score", choices=tuple(responses.TASKS),
                   help="with --eval: a task's scores too; icd10: the share of answers that "
                        "are a well-formed code, with the right chapter letter, with the right "
                        "three-character category")
    args = p.parse_args(argv)
    if args.top_p is not None and args.top_p > 1:
        p.error(f"argument --top-p: must be at most 1, got {args.top_p:g}")
    if args.temperature == 0:  # greedy: the likeliest token, whatever the others are
        p.refuse_given(args, ("top_k", "top_p"), "does not apply with --temperature 0, which "
                                                 "always takes the likeliest token")
    if args.eval is not None:
        extra = [flag for flag, value in (
            ("--num-samples", args.num_samples), ("--temperature", args.temperature),
            ("--top-k", args.top_k), ("--top-p", args.top_p), ("--seed", args.seed),
            ("--data", args.data), ("--prompt", args.prompt), ("--prefix", args.prefix or None))
            if value is not None]
        if extra:
            p.error(f"--eval answers each prompt greedily; {extra[0]} does not go with it")
    elif args.held_out or args.score:
        p.error(f"{'--held-out' if args.held_out else '--score'} goes with --eval PAIRS.tsv")
    if args.prompt is not None and (args.prefix or args.data):
        p.error(f"--prompt writes a response; {'--prefix' if args.prefix else '--data'} is for "
                f"samples")
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
    folder = os.path.isdir(args.checkpoint)
    try:
        state, _ = model_folder.open_model(args.checkpoint, prog)
        checkpoint.check_kind(state, args.checkpoint, checkpoint.LANGUAGE_MODELS)
        rows, which = exam.eval_rows(args, state) if args.eval is not None else (None, None)
        if args.prompt is not None:
            exam.check_prompt(args, state)
        state.tokenizer.check_text(args.prefix, "--prefix")
        prefix_tokens = len(state.tokenizer.encode(args.prefix))
        max_tokens = args.max_tokens or (min(prefix_tokens + FOLDER_TOKENS, state.config.block_size)
                                         if folder else state.config.block_size)
        if prefix_tokens >= max_tokens:
            limit = (f"--max-tokens ({max_tokens})" if args.max_tokens
                     else f"the block ({max_tokens}); or raise --max-tokens")
            raise CheckpointError(f"--prefix is {prefix_tokens} tokens; it must be shorter "
                                  f"than {limit}")
        seen = training_docs(state, args.data)
    except (CheckpointError, DataError, UnknownText, responses.Unanswerable) as e:
        cli.fail(prog, e)
    if args.eval is not None:
        return exam.evaluate(prog, args, state, rows, which)
    if args.prompt is not None:
        return exam.answer(args, state)
    rng = random.Random(args.seed) if args.seed is not None else state.rng
    num_samples = args.num_samples or (1 if folder else Config().num_samples)
    width = len(str(num_samples))
    reader = catalog.reader_of(state.config)
    each = model_folder.reading_progress(prog, state.config)
    if each is not None and reader is None:  # seconds a token (GPT-2): a progress line
        reader = lambda params, config: counted(gpt_reader(params, config), each, max_tokens)
    for i in range(num_samples):
        text = sample(state.params, state.config, state.tokenizer, rng, args.temperature,
                      prefix=args.prefix, top_k=args.top_k, top_p=args.top_p,
                      max_tokens=max_tokens, reader=reader)
        mark = "" if seen is None else ("  (in training data)" if text in seen else "  (new)")
        print(f"sample {i + 1:{max(2, width)}d}: {cli.shown_sample(text)}{mark}", flush=True)


def counted(read, each, total):
    """read, and each(tokens read, total) after each call (a progress line)."""
    def read_counted(tokens):
        logits = read(tokens)
        each(min(len(tokens), total), total)
        return logits
    return read_counted


if __name__ == "__main__":
    cli.run(main)
