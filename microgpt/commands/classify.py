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
and its probability. --init ENCODER starts it from an encoder that `python
-m microgpt mlm` pretrained (BERT's recipe, mlm.classifier_from). Train's flags where they apply; --val-fraction defaults
to 0.1 here. Checkpoints, --resume (bit-identical), Ctrl-C and SIGTERM as
train's. Builds on config.py, bert.py, mlm.py (--init), confusion.py, generate.py,
tokenizer.py and training.py, and on the plumbing's checkpoint.py, cli.py, sources.py
(each file a class), corpus.py, flags.py, progress.py, runs.py (the session the loop runs in)
and memory.py.
"""
from __future__ import annotations

import dataclasses

from ..architectures import bert, mlm
from ..config import Config, ConfigError
from ..generate import argmax
from ..instruments import confusion
from ..plumbing import checkpoint, cli, corpus, flags, runs, memory
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.sources import note_cut, read_classes, shown_classes
from ..plumbing.corpus import DataError
from ..plumbing.progress import Progress
from ..tokenizer import UnknownText
from ..training import start_planned

PROG = "python -m microgpt classify"
SHOWN = 5                                                # held-out documents shown at the end
DEFAULTS = {"val_fraction": 0.1, "causal_mask": False}  # the classifier's, where train's differ
KIND = {"gpt": "GPT", "seq2seq": "seq2seq model", "mlm": "masked language model",
        "rnn": "RNN", "gru": "GRU", "lstm": "LSTM", "vit": "Vision Transformer"}  # the others, named
NOT_HERE = ("model", "tokenizer", "bpe_vocab_size", "stride", "tie_weights")  # train's, meaningless here


def parse_args(argv=None):
    p = cli.ArgumentParser(prog=PROG, epilog=cli.EXIT_STATUSES, description=(
        "Train an encoder-only transformer to tell which file a line came from (each file a "
        "class, named by its file name), or use one saved with --out. Train's flags where they "
        "apply; here the defaults are " + ", ".join(checkpoint.as_flag(k, v) for k, v in
                                                     DEFAULTS.items())
        + ", and --model, --tokenizer, --vocab-size, --stride and --tie-weights do not apply."))
    p.add_argument("inputs", nargs="*", metavar="FILE",
                   help="two or more text files, one class each, one document per line (a bare "
                        "name falls back to the bundled dataset); with --text or --eval, one "
                        "checkpoint")
    flags.add_run_flags(p, DEFAULTS, not_here=NOT_HERE, what="the classifier")
    p.add_argument("--out", metavar="FILE", help="save a checkpoint here (at the end and on Ctrl-C)")
    p.add_argument("--resume", metavar="FILE",
                   help="continue the run saved here (and save back to it); the files default "
                        "to the ones it trained on")
    p.add_argument("--init", metavar="ENCODER",
                   help="start from this masked language model's encoder (python -m microgpt "
                        "mlm FILE --out ENCODER): its embeddings and blocks, a new cls_head; its "
                        "settings, so a flag that would change the model is refused")
    p.add_argument("--text", help="with a checkpoint: each class's probability for this text")
    p.add_argument("--eval", nargs="+", metavar="FILE",
                   help="with a checkpoint: accuracy on these files, each named as a class")
    args = p.parse_args(argv)
    given = flags.run_config(args)
    if args.text is not None or args.eval:
        if len(args.inputs) != 1 or given or args.out or args.resume or args.init:
            p.error("--text and --eval read one checkpoint and take no training flags: "
                    f"{PROG} MODEL.json --text TEXT")
    elif args.resume is None and len(args.inputs) < 2:
        p.error("give at least two files, one per class (a classifier tells files apart)")
    if args.init and args.resume:
        p.error("--init starts a new run from an encoder, --resume continues a run: give one")
    return p, args, given


def open_run(args, given):
    """(class_docs, training examples, state): a fresh run or the one in --resume."""
    out = args.out if args.out is not None else args.resume
    state = (checkpoint.load_kind(args.resume, ("classifier",), resume=True)
             if args.resume is not None else None)
    paths = args.inputs or [str(corpus.locate_saved(n)) for n in state.data_name]
    taken = {str(path): "a data file" for path in paths}
    if args.init is not None:
        taken[args.init] = "the encoder --init starts from"
    cli.check_output(PROG, "--out" if args.out is not None else "--resume", out, taken)
    names, class_docs, sha = read_classes(paths)
    if state is None and args.init is not None:  # BERT's recipe: a pretrained encoder
        encoder, init_sha = checkpoint.load_and_sha256(args.init)
        examples, state, new = mlm.classifier_from(encoder, class_docs, {**DEFAULTS, **given},
                                                   args.init, init_sha)
        memory.check_fits(state.config, max(len(ids) for ids, _ in examples))
        state.data_name, state.data_sha256, state.classes = [str(p) for p in paths], sha, names
        runs.say_init(PROG, args.init, encoder, state, new)
        return class_docs, examples, state
    if state is None:
        config = Config(**{**DEFAULTS, **given})
        flags.check_used(config, given)
        planned = bert.plan(class_docs, config)  # too big for this machine: refused as planned
        examples, state = start_planned(planned, [str(path) for path in paths], sha)
        state.classes = names
        return class_docs, examples, state
    if names != state.classes:
        raise CheckpointError(f"{args.resume} was trained on the classes {', '.join(state.classes)}, "
                              f"not {', '.join(names)}")
    checkpoint.check_resume(state, given, args.resume, " ".join(paths), sha)
    changes = {k: given[k] for k in checkpoint.MAY_CHANGE if k in given}
    state.config = dataclasses.replace(state.config, **changes)
    flags.check_used(state.config, given)
    train_pairs, _ = bert.replay(class_docs, state.config)
    examples = bert.examples_of(train_pairs, state.tokenizer, state.config)
    memory.check_run_fits(state.config, examples)
    cli.say(f"{PROG}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}")
    return class_docs, examples, state


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
    """--text and --eval: a saved classifier applied, nothing trained; both
    checked before either is shown."""
    state = checkpoint.load_kind(args.inputs[0], ("classifier",))
    if args.text is not None:
        state.tokenizer.check_text(args.text, "--text", "the classifier's vocabulary")
        if len(args.text) > state.config.block_size - 1:  # never cut without a word
            raise DataError(f"--text has {len(args.text)} characters; the classifier reads at "
                            f"most {state.config.block_size - 1} (its block of "
                            f"{state.config.block_size} positions holds BOS too)")
    if args.eval:
        names, class_docs, _ = read_classes(args.eval)
        for path, name, docs in zip(args.eval, names, class_docs):
            if name not in state.classes:
                raise DataError(f"{path}: no class {name!r} in {args.inputs[0]} (its classes: "
                                f"{', '.join(state.classes)})")
            state.tokenizer.check_text("".join(docs), path, "the classifier's vocabulary")
    shown = shown_classes(state)
    if args.text is not None:
        probs = bert.probabilities(state.params, state.config, state.tokenizer, args.text)
        print(f"{args.text!r}:")
        width = max(len(c) for c in shown)
        for k in sorted(range(len(probs)), key=lambda k: -probs[k]):
            print(f"  {shown[k]:<{width}}  {probs[k]:.4f}")
    if args.eval:
        pairs = [(doc, state.classes.index(name)) for name, docs in zip(names, class_docs)
                 for doc in docs]
        note_cut(prog, [doc for doc, _ in pairs], state.config)
        matrix, _ = score(state, pairs, "scoring")
        title = cli.one_line(f"accuracy on {' '.join(args.eval)}")
        print("\n".join(confusion.report(matrix, shown, title)))


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
    shown = shown_classes(state)
    print(f"classes: {', '.join(f'{c} ({len(d)})' for c, d in zip(shown, class_docs))}")
    print(f"vocab size: {config.vocab_size}")
    print(f"num train: {len(examples)}, num held out: {len(held)}")
    note_cut(prog, [doc for docs in class_docs for doc in docs], config)
    held_examples = bert.examples_of(held, state.tokenizer, config)
    runs.train_to_the_end(prog, state, examples, held_examples, out)
    if not held:  # --val-fraction 0 was asked for: nothing to score
        return
    matrix, rows = score(state, held, "scoring the held-out documents")
    print("\n".join(confusion.report(matrix, shown, "held-out accuracy")))
    print("some held-out documents:")
    for doc, k, guess, prob in state.rng.sample(rows, min(SHOWN, len(rows))):
        mark = "" if guess == k else f"   (wrong: it is {shown[k]})"
        print(f"  {doc!r} -> {shown[guess]} {prob:.2f}{mark}")


if __name__ == "__main__":
    cli.run(main)
