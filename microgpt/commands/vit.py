"""
vit.py: the command `python -m microgpt vit`: a Vision Transformer that
learns to read handwritten digits, each image a sequence of patch tokens.

    python -m microgpt vit --out vit.json              # the bundled 8 x 8 digits
    python -m microgpt vit --patch 4                   # 4 patches of 4 x 4 pixels each
    python -m microgpt vit mine.csv --pixel-max 255    # label,p0,...,pN lines of your own
    python -m microgpt vit vit.json --image 7 --svg 7.svg   # held-out image 7: where CLS looks
    python -m microgpt vit vit.json --eval more.csv    # accuracy on other images

The model is patches.py's, its run images.py's (the shuffle, then the
weights, then the held-out images this command shows). A line per step, the
held-out accuracy, the confusion matrix and its most confused pairs, and
SHOWN held-out images with the model's guess. --image N prints held-out
image N (of the run's data; with --eval, row N of that file) beside the
attention of CLS over its patches, the last layer's heads averaged, laid
on the pixel grid; --svg draws every head of every layer over the ink.

Train's flags where they apply, and --patch and --pixel-max; the defaults
differ (DEFAULTS: chosen so that the digits reach 90% held out within 3
minutes of CPU). Checkpoints, --resume (bit-identical), Ctrl-C and SIGTERM
as train's. What a model makes of images is verdicts.py's. Builds on
config.py, images.py, params.py and training.py, and on the plumbing's
checkpoint.py, cli.py, corpus.py, flags.py, memory.py, progress.py, runs.py and
verdicts.py.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import sys

from ..architectures import images
from ..config import Config, ConfigError
from ..params import param_count
from ..plumbing import checkpoint, cli, corpus, flags, memory, runs, verdicts
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.corpus import DataError
from ..plumbing.progress import Progress
from ..training import start_planned

PROG = "python -m microgpt vit"
SHOWN = 5  # held-out images shown at the end
DEFAULTS = {"steps": 10000, "val_fraction": 0.1, "eval_every": 1000}
NOT_HERE = ("model", "tokenizer", "bpe_vocab_size", "stride", "tie_weights", "block_size",
            "pad_to", "padding_mask", "causal_mask")  # train's, which the ViT lacks or sets itself


def parse_args(argv=None):
    p = cli.ArgumentParser(prog=PROG, epilog=cli.EXIT_STATUSES, description=(
        "Train a Vision Transformer on labelled square images (default: the bundled digits.csv, "
        "1,797 handwritten digits of 8 x 8 pixels), each cut into patches that are its tokens, "
        "or use one saved with --out. Train's flags where they apply; here the defaults are "
        + ", ".join(checkpoint.as_flag(k, v) for k, v in DEFAULTS.items())
        + "; the block size is CLS and the patches."))
    p.add_argument("input", nargs="?", metavar="FILE",
                   help="images, one label,p0,...,pN line each (a square image, row by row; "
                        "default digits.csv, bundled); with --image or --eval, a checkpoint")
    flags.add_run_flags(p, defaults=DEFAULTS, not_here=NOT_HERE, what="the Vision Transformer")
    flags.add_image_flags(p)
    p.add_argument("--out", metavar="FILE",
                   help="save a checkpoint here (at the end and on Ctrl-C)")
    p.add_argument("--resume", metavar="FILE", help="continue the run saved here (and save back "
                   "to it); the images default to the ones it trained on")
    p.add_argument("--image", type=cli.whole_number(0), metavar="N",
                   help="with a checkpoint: held-out image N, the model's guess, and where CLS "
                        "looks (with --eval: row N of that file)")
    p.add_argument("--svg", metavar="FILE", help="with --image: every head's attention over the "
                   "image, as a picture")
    p.add_argument("--eval", metavar="FILE", help="with a checkpoint: accuracy on these images")
    args = p.parse_args(argv)
    given = flags.run_config(args)
    if args.svg is not None and args.image is None:
        p.error("--svg draws the attention of --image N: give --image too")
    if args.image is not None or args.eval is not None:
        if args.input is None or given or args.out or args.resume:
            p.error(f"--image and --eval read one checkpoint and take no training flags: "
                    f"{PROG} MODEL.json --image N")
    return p, args, given


def read_data(path, pixel_max):
    """(images, sha256) of a CSV file (a bare name may be the bundled one)."""
    if not os.path.exists(path):  # corpus's message would list the bundled texts
        raise DataError(f"{path}: no such file (bundled images: digits.csv)")
    raw = corpus.read_bytes(path)
    if raw.lstrip()[:1] == b"{":  # JSON: a checkpoint where images were expected
        raise DataError(f"{path} is a checkpoint, not images ({PROG} {path} --image N, or "
                        f"--eval IMAGES.csv)")
    try:
        return images.read_images(corpus.decode(raw, path), str(path), pixel_max), \
            hashlib.sha256(raw).hexdigest()
    except images.BadImages as e:
        raise DataError(cli.spelled(str(e))) from None


def load_vit(path, resuming=False):
    """The checkpoint at path; CheckpointError, naming its command, unless a ViT's."""
    state = checkpoint.load(path)
    model = state.config.model
    if model != "vit":
        command = {"classifier": "classify", "seq2seq": "seq2seq"}.get(
            model, "train" if resuming else "sample")
        raise CheckpointError(f"{path} is {cli.a_model(model)}'s checkpoint, not a Vision "
                              f"Transformer's (python -m microgpt {command}"
                              f"{' --resume' if resuming else ''} {path})")
    return state


def open_run(args, given):
    """(all images, training examples, state): a fresh run or the one in --resume."""
    state = load_vit(args.resume, resuming=True) if args.resume else None
    path = args.input or (state.data_name if state else "digits.csv")
    out, flag = (args.out, "--out") if args.out is not None else (args.resume, "--resume")
    found = corpus.locate_saved(path, state.data_sha256) if state and not args.input \
        else corpus.locate(path)
    cli.check_output(PROG, flag, out, corpus.data_files(path, found))
    cli.lock_output(PROG, flag, out)  # one run a file
    config = state.config if state else Config(**{**DEFAULTS, **given})  # a resume keeps its own
    all_images, sha = read_data(found, config.pixel_max)
    if state is None:
        planned = images.plan(all_images, config)
        memory.check_fits(planned.config, planned.config.block_size)  # before the weights
        examples, state = start_planned(planned, str(path), sha)
        return all_images, examples, state
    checkpoint.check_resume(state, given, args.resume, path, sha)
    state.config = dataclasses.replace(state.config, **{k: given[k] for k in
                                                        checkpoint.MAY_CHANGE if k in given})
    print(f"{PROG}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}",
          file=sys.stderr)
    train_images, _ = images.replay(all_images, state.config)
    return all_images, images.examples_of(train_images, state.config), state


def use(args):
    """--image and --eval: a saved ViT applied, nothing trained."""
    state = load_vit(args.input)
    c = state.config
    cli.check_output(PROG, "--svg", args.svg, {args.input: "the checkpoint"})
    if args.eval is not None:
        some, _ = read_data(corpus.locate(args.eval), c.pixel_max)
        verdicts.readable(state, some, args.eval)
        if args.image is None:
            matrix, _ = verdicts.score(PROG, state, some, "scoring")
            print("\n".join(verdicts.report(matrix, f"accuracy on {args.eval}")))
            return
        pool, what = some, f"{args.eval} has {len(some)} images"
    else:
        path = corpus.locate_saved(state.data_name, state.data_sha256)
        everything, sha = read_data(path, c.pixel_max)
        if sha != state.data_sha256:
            raise DataError(corpus.not_the_data(path, state.data_sha256, args.input,
                                                state.data_name))
        _, pool = images.replay(everything, c)
        what = f"{args.input} held out {len(pool)} images"
        if not pool:
            raise DataError(f"{args.input} held out no images (--val-fraction 0); --eval FILE "
                            f"--image N shows row N of FILE")
    if args.image >= len(pool):
        raise DataError(f"--image {args.image}: {what} (0 to {len(pool) - 1})")
    where = (f"{args.eval}, row {args.image}" if args.eval is not None
             else f"held-out image {args.image} of {len(pool)}")
    verdicts.show_image(PROG, state, *pool[args.image], where, args.svg, args.input)


def main(argv=None):
    parser, args, given = parse_args(argv)
    prog = parser.prog
    try:
        if args.image is not None or args.eval is not None:
            return use(args)
        all_images, examples, state = open_run(args, given)
    except (DataError, ConfigError, CheckpointError) as e:
        cli.fail(prog, e)
    c, out = state.config, runs.save_path(args)
    _, held = images.replay(all_images, c)
    across = c.image_size // c.patch
    print(f"images: {len(all_images)} of {c.image_size} x {c.image_size} pixels from 0 to "
          f"{c.pixel_max:g}, labels 0 to {c.n_class - 1}")
    print(f"tokens: CLS and {across * across} patches of {c.patch} x {c.patch} pixels "
          f"(block size {c.block_size})")
    print(f"num params: {param_count(c)}")
    print(f"num train: {len(examples)}, num held out: {len(held)}")
    held_examples = images.examples_of(held, c)
    runs.train_to_the_end(prog, state, examples, held_examples, out,
                          Progress(prog, c.steps - state.step, every=10.0))
    if not held:  # --val-fraction 0 was asked for: nothing to score
        return
    matrix, rows = verdicts.score(prog, state, held, "scoring the held-out images")
    print("\n".join(verdicts.report(matrix, "held-out accuracy")))
    print("some held-out images:")
    for n in sorted(state.rng.sample(range(len(rows)), min(SHOWN, len(rows)))):
        k, guess, prob = rows[n]
        print(f"  image {n}: label {k}, read as {guess} ({prob:.2f})" + ("" if guess == k else
                                                                     "   (wrong)"))
    if out is not None:
        print(f"(python -m microgpt vit {out} --image N: image N beside where CLS looks)")


if __name__ == "__main__":
    cli.run(main)
