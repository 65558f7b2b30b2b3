"""
pretrain.py: the command `python -m microgpt mlm`: an encoder pretrained
by masked language modelling, BERT's recipe before the classifier.

    python -m microgpt mlm names.txt medical_words.txt --out enc.json
    python -m microgpt classify names.txt medical_words.txt --init enc.json
    python -m microgpt inspect enc.json "chol[MASK]cystitis"

The documents are every non-empty line of the files, in the order given;
the model is mlm.py's (encoder.py's blocks with no mask, lm_head where a
blank is to be filled), and so is its run: the shuffle, one mask per
document (15% of its positions chosen, 80% MASK, 10% random, 10% kept),
the weights. It prints a line per step, the held-out loss, then how often
the model fills a held-out blank with the character that was there, and
SHOWN held-out documents as the model read them (rng.sample, the run's
generator after the weights). Train's flags where they apply; here
--val-fraction defaults to 0.1. Checkpoints, --resume (bit-identical),
Ctrl-C and SIGTERM as train's.

Builds on config.py, generate.py, params.py, tokenizer.py, training.py, mlm.py,
and on the plumbing's checkpoint.py, sources.py (read_classes: the files,
each once), cli.py, corpus.py, flags.py, runs.py and memory.py.
"""
from __future__ import annotations

import dataclasses
import sys

from ..architectures import mlm
from ..config import Config, ConfigError
from ..generate import argmax
from ..params import param_count
from ..plumbing import checkpoint, cli, flags, memory, runs
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.sources import read_classes
from ..plumbing.corpus import DataError, locate_saved
from ..tokenizer import UnknownText
from ..training import start_planned

PROG = "python -m microgpt mlm"
SHOWN = 5                                                # held-out documents shown at the end
DEFAULTS = {"val_fraction": 0.1, "causal_mask": False, "model": "mlm"}
NOT_HERE = ("model", "tokenizer", "bpe_vocab_size", "stride", "pad_to", "padding_mask")  # train's


def parse_args(argv=None):
    p = cli.ArgumentParser(prog=PROG, epilog=cli.EXIT_STATUSES, description=(
        "Pretrain an encoder (no causal mask) by masked language modelling, as BERT: in each "
        "line 15%% of the characters are chosen, 80%% of them replaced by MASK, 10%% by a "
        "random character, 10%% left as they are, and the model learns to tell what was "
        "there. python -m microgpt classify ... --init starts a classifier from it. Train's "
        "flags where they apply; here --val-fraction defaults to 0.1."))
    p.add_argument("inputs", nargs="*", metavar="FILE",
                   help="text files, one document per line (a bare name falls back to the "
                        "bundled dataset); with --resume, the files it trained on by default")
    flags.add_run_flags(p)
    p.add_argument("--out", metavar="FILE", help="save a checkpoint here (at the end and on Ctrl-C)")
    p.add_argument("--resume", metavar="FILE", help="continue the run saved here (and save back to it)")
    args = p.parse_args(argv)
    given = flags.run_config(args)
    for name in NOT_HERE:
        if name in given:
            p.error(f"{checkpoint.as_flag(name, given[name])} does not apply to the masked "
                    f"language model")
    if not args.inputs and args.resume is None:
        p.error("give a text file to pretrain on (one document per line)")
    return p, args, given


def open_run(args, given):
    """(docs, training examples, held-out examples, state): a fresh run or --resume's."""
    out = args.out if args.out is not None else args.resume
    state = checkpoint.load(args.resume) if args.resume is not None else None
    if state is not None and state.config.model != "mlm":
        raise CheckpointError(f"{args.resume} holds {cli.a_model(state.config.model)}, not a "
                              f"masked language model's encoder")
    paths = args.inputs or [str(locate_saved(n)) for n in state.data_name.split("\n")]
    cli.check_output(PROG, "--out" if args.out is not None else "--resume", out,
                     {str(path): "a data file" for path in paths})
    cli.lock_output(PROG, "--out" if args.out is not None else "--resume", out)
    _, per_file, sha = read_classes(paths)
    docs = [doc for file_docs in per_file for doc in file_docs]
    if state is None:
        planned = mlm.plan(docs, Config(**{**DEFAULTS, **given}))
        memory.check_fits(planned.config, max(len(ids) for ids, _ in planned.examples))
        examples, state = start_planned(planned, "\n".join(map(str, paths)), sha)
        return docs, examples, mlm.replay(docs, state.tokenizer, state.config)[1], state
    checkpoint.check_resume(state, given, args.resume, " ".join(paths), sha)
    changes = {k: given[k] for k in checkpoint.MAY_CHANGE if k in given}
    state.config = dataclasses.replace(state.config, **changes)
    train, held = mlm.replay(docs, state.tokenizer, state.config)
    print(f"{PROG}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}",
          file=sys.stderr)
    return docs, train, held, state


def shown(state, ids, chosen):
    """A held-out document as the model read it ("[MASK]" for MASK), and
    what it put at each chosen position (1: the first character; a kept or
    random one too): its guess, and the character that was there."""
    tok, c = state.tokenizer, state.config
    text = "".join(mlm.MASK_TEXT if t == c.vocab_size else tok.decode([t]) for t in ids[1:])
    logits = mlm.logits_at(ids, state.params, c, [pos for pos, _ in chosen])
    guesses = [(pos, tok.decode([argmax([z.data for z in row])]) or "BOS", tok.decode([t]))
               for row, (pos, t) in zip(logits, chosen)]
    return f"  {text!r}: " + ", ".join(f"at {pos} {g!r}" + ("" if g == t else f" (was {t!r})")
                                      for pos, g, t in guesses)


def main(argv=None):
    parser, args, given = parse_args(argv)
    prog = parser.prog
    try:
        docs, examples, held, state = open_run(args, given)
    except (DataError, ConfigError, CheckpointError, UnknownText) as e:
        cli.fail(prog, e)
    config, out = state.config, (args.out if args.out is not None else args.resume)
    print(f"num docs: {len(docs)}")
    print(f"vocab size: {config.vocab_size} (and MASK, never a target)")
    print(f"num params: {param_count(config)}")
    print(f"num train: {len(examples)}, num held out: {len(held)}")
    runs.train_to_the_end(prog, state, examples, held, out)
    if not held:  # --val-fraction 0 was asked for: nothing to score
        return
    right, total = mlm.filled(state.params, config, held)
    print(f"held-out blanks filled right: {100 * right / total:.1f}% ({right} of {total})")
    print("some held-out documents, as the model read them, and what it filled in:")
    for ids, chosen in state.rng.sample(held, min(SHOWN, len(held))):
        print(shown(state, ids, chosen))


if __name__ == "__main__":
    cli.run(main)
