"""
classify.py: the command `python -m microgpt classify`: an encoder-only
transformer that learns which file a line came from.

    python -m microgpt classify names.txt medical_words.txt --out cls.json
    python -m microgpt classify cls.json --text cholecystitis   # each class's probability
    python -m microgpt classify cls.json --eval more_names.txt  # accuracy on other files

Each file is a class, named by its file name without the extension; each
non-empty line is a document. The model is bert.py's classifier (encoder.py's
blocks with no mask; BOS plays BERT's [CLS]), and so is its run (the shuffle,
then the weights, then what this command draws). It prints a line per step, the
held-out accuracy, the confusion matrix and SHOWN held-out documents
(rng.sample, the run's generator after the weights) with the predicted class
and its probability. Train's flags where they apply; --val-fraction defaults
to 0.1 here. Checkpoints, --resume (bit-identical), Ctrl-C and SIGTERM as
train's. Builds on config.py, bert.py, confusion.py, generate.py, tokenizer.py and
training.py, and on the plumbing's checkpoint.py, cli.py, corpus.py,
files.py, flags.py, progress.py, runs.py (the session the loop runs in) and memory.py.
"""
from __future__ import annotations

import dataclasses
import hashlib
import sys
from pathlib import Path

from ..architectures import bert
from ..config import Config, ConfigError
from ..generate import argmax
from ..instruments import confusion
from ..plumbing import checkpoint, cli, corpus, files, flags, runs, memory
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.corpus import DataError
from ..plumbing.progress import Progress
from ..tokenizer import UnknownText
from ..training import start_planned, train_step

PROG = "python -m microgpt classify"
SHOWN = 5                                                # held-out documents shown at the end
DEFAULTS = {"val_fraction": 0.1, "causal_mask": False}  # the classifier's, where train's differ
KIND = {"gpt": "GPT", "seq2seq": "seq2seq model", "vit": "Vision Transformer"}  # the others, named
GO_ON = {"vit": ("python -m microgpt vit --resume {}", "python -m microgpt vit {} --image N")}
GPT_GO_ON = ("python -m microgpt.train --resume {}", "python -m microgpt.sample {}")  # and use
NOT_HERE = ("tokenizer", "bpe_vocab_size", "stride", "tie_weights")  # train's, meaningless here


def parse_args(argv=None):
    p = cli.ArgumentParser(prog=PROG, epilog=cli.EXIT_STATUSES, description=(
        "Train an encoder-only transformer to tell which file a line came from (each file a "
        "class, named by its file name), or use one saved with --out. Train's flags where they "
        "apply; here --val-fraction defaults to 0.1 and --causal-mask to off, and --tokenizer, "
        "--vocab-size, --stride and --tie-weights do not apply."))
    p.add_argument("inputs", nargs="*", metavar="FILE",
                   help="two or more text files, one class each, one document per line (a bare "
                        "name falls back to the bundled dataset); with --text or --eval, one "
                        "checkpoint")
    flags.add_run_flags(p)
    p.add_argument("--out", metavar="FILE", help="save a checkpoint here (at the end and on Ctrl-C)")
    p.add_argument("--resume", metavar="FILE",
                   help="continue the run saved here (and save back to it); the files default "
                        "to the ones it trained on")
    p.add_argument("--text", help="with a checkpoint: each class's probability for this text")
    p.add_argument("--eval", nargs="+", metavar="FILE",
                   help="with a checkpoint: accuracy on these files, each named as a class")
    args = p.parse_args(argv)
    given = {**flags.run_config(args)}
    for name in NOT_HERE:
        if name in given:
            p.error(f"{checkpoint.as_flag(name, given[name])} does not apply to the classifier")
    if args.text is not None or args.eval:
        if len(args.inputs) != 1 or given or args.out or args.resume:
            p.error("--text and --eval read one checkpoint and take no training flags: "
                    f"{PROG} MODEL.json --text TEXT")
    elif args.resume is None and len(args.inputs) < 2:
        p.error("give at least two files, one per class (a classifier tells files apart)")
    return p, args, given


def read_classes(paths):
    """(class names, documents per class, combined sha256) of the files; DataError
    for a file given twice or two files with one name."""
    names, class_docs, shas = [], [], []
    for i, path in enumerate(paths):
        for earlier in paths[:i]:
            if files.same_file(corpus.locate(earlier), corpus.locate(path)):
                raise DataError(f"{path} is given twice; each file is one class")
        name = Path(path).stem
        if name in names:
            raise DataError(f"{paths[names.index(name)]} and {path} both name the class "
                            f"{name!r}; rename one")
        docs, sha = corpus.load_docs_and_sha256(corpus.locate(path))
        names.append(name)
        class_docs.append(docs)
        shas.append(sha)
    return names, class_docs, hashlib.sha256(" ".join(shas).encode()).hexdigest()


def open_run(args, given):
    """(class_docs, training examples, state): a fresh run or the one in --resume."""
    out = args.out if args.out is not None else args.resume
    state = checkpoint.load(args.resume) if args.resume is not None else None
    if state is not None and state.config.model != "classifier":
        raise CheckpointError(f"{args.resume} is a {KIND[state.config.model]}'s checkpoint, "
                              f"not a classifier's "
                              f"({GO_ON.get(state.config.model, GPT_GO_ON)[0].format(args.resume)})")
    paths = args.inputs or [str(corpus.locate_saved(n)) for n in state.data_name.split("\n")]
    taken = {str(path): "a data file" for path in paths}
    cli.check_output(PROG, "--out" if args.out is not None else "--resume", out, taken)
    names, class_docs, sha = read_classes(paths)
    if state is None:
        planned = bert.plan(class_docs, Config(**{**DEFAULTS, **given}))
        memory.check_fits(planned.config, max(len(ids) for ids, _ in planned.examples))
        examples, state = start_planned(planned, "\n".join(map(str, paths)), sha)
        state.classes = names
        return class_docs, examples, state
    if names != state.classes:
        raise CheckpointError(f"{args.resume} was trained on the classes {', '.join(state.classes)}, "
                              f"not {', '.join(names)}")
    checkpoint.check_resume(state, given, args.resume, " ".join(paths), sha)
    changes = {k: given[k] for k in checkpoint.MAY_CHANGE if k in given}
    state.config = dataclasses.replace(state.config, **changes)
    train_pairs, _ = bert.replay(class_docs, state.config)
    print(f"{PROG}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}",
          file=sys.stderr)
    return class_docs, bert.examples_of(train_pairs, state.tokenizer, state.config), state


def score(state, pairs, label):
    """(confusion matrix, [(document, class, predicted, probability)]) of pairs."""
    progress, rows = Progress(PROG, len(pairs)), []
    for n, (doc, k) in enumerate(pairs, 1):
        probs = bert.probabilities(state.params, state.config, state.tokenizer, doc)
        rows.append((doc, k, argmax(probs), max(probs)))
        progress.step(label, n, len(pairs))
    return confusion.confusion([r[1] for r in rows], [r[2] for r in rows],
                                    state.config.n_class), rows


def use(args, prog):
    """--text and --eval: a saved classifier applied, nothing trained."""
    state = checkpoint.load(args.inputs[0])
    if state.config.model != "classifier":
        raise CheckpointError(f"{args.inputs[0]} is a {KIND[state.config.model]}'s checkpoint, "
                              f"not a classifier's "
                              f"({GO_ON.get(state.config.model, GPT_GO_ON)[1].format(args.inputs[0])})")
    if args.text is not None:
        state.tokenizer.check_text(args.text, "--text", "the classifier's vocabulary")
        probs = bert.probabilities(state.params, state.config, state.tokenizer, args.text)
        print(f"{args.text!r}:")
        width = max(len(c) for c in state.classes)
        for k in sorted(range(len(probs)), key=lambda k: -probs[k]):
            print(f"  {state.classes[k]:<{width}}  {probs[k]:.4f}")
    if args.eval:
        names, class_docs, _ = read_classes(args.eval)
        for path, name, docs in zip(args.eval, names, class_docs):
            if name not in state.classes:
                raise DataError(f"{path}: no class {name!r} in {args.inputs[0]} (its classes: "
                                f"{', '.join(state.classes)})")
            state.tokenizer.check_text("".join(docs), path, "the classifier's vocabulary")
        pairs = [(doc, state.classes.index(name)) for name, docs in zip(names, class_docs)
                 for doc in docs]
        matrix, _ = score(state, pairs, "scoring")
        title = f"accuracy on {' '.join(args.eval)}"
        print("\n".join(confusion.report(matrix, state.classes, title)))


def main(argv=None):
    parser, args, given = parse_args(argv)
    prog = parser.prog
    try:
        if args.text is not None or args.eval:
            return use(args, prog)
        class_docs, examples, state = open_run(args, given)
    except (DataError, ConfigError, CheckpointError, UnknownText) as e:
        cli.fail(prog, e)
    config, out = state.config, (args.out if args.out is not None else args.resume)
    _, held = bert.replay(class_docs, config)
    print(f"classes: {', '.join(f'{c} ({len(d)})' for c, d in zip(state.classes, class_docs))}")
    print(f"vocab size: {config.vocab_size}")
    print(f"num train: {len(examples)}, num held out: {len(held)}")
    held_examples = bert.examples_of(held, state.tokenizer, config)

    def save(why=None):
        return out is not None and cli.save(prog, state, out, why)

    with runs.session(prog, state, save, out) as stop:
        for step in range(state.step, config.steps):
            loss = train_step(state, examples)
            print(f"step {step + 1:4d} / {config.steps:4d} | loss {loss:.4f}", flush=True)
            runs.held_out_line(state, held_examples)
            if stop.requested:
                break
    if not held:  # --val-fraction 0 was asked for: nothing to score
        return
    matrix, rows = score(state, held, "scoring the held-out documents")
    print("\n".join(confusion.report(matrix, state.classes, "held-out accuracy")))
    print("some held-out documents:")
    for doc, k, guess, prob in state.rng.sample(rows, min(SHOWN, len(rows))):
        mark = "" if guess == k else f"   (wrong: it is {state.classes[k]})"
        print(f"  {doc!r} -> {state.classes[guess]} {prob:.2f}{mark}")


if __name__ == "__main__":
    cli.run(main)
