"""
seq2seq.py: the command `python -m microgpt seq2seq`: the original
encoder-decoder Transformer, trained on pairs a learner can check by eye.

    python -m microgpt seq2seq --task reverse --out rev.json   # emma -> amme, on names.txt
    python -m microgpt seq2seq --task sort words.txt           # emma -> aemm
    python -m microgpt seq2seq pairs.txt                        # source<TAB>target lines
    python -m microgpt seq2seq rev.json --text emma --svg x.svg # its output and cross-attention
    python -m microgpt seq2seq rev.json --eval more_names.txt   # scored on other pairs
    python -m microgpt seq2seq --task reverse --arch gru-attention   # before the transformer

The model is transformer.py's, or with --arch gru or gru-attention an RNN
encoder-decoder of before it (bottleneck.py, bahdanau.py); its run is pairs.py's
(the shuffle, then the weights). A line per step, then the first SCORED
held-out pairs decoded greedily: exact-match and per-character accuracy, the
exact match by source length, and the first SHOWN as `source -> output
(target)`. --text prints the output and its cross-attention as a heatmap
(rows: the characters written, columns: the source read; the last decoder
layer, each head's weights averaged), or Bahdanau attention's weights.
A checkpoint trained on --task reads --eval FILE as a word list and makes
the pairs by its task; one trained on pairs reads pairs.

Train's flags where they apply; the defaults differ (DEFAULTS: chosen so
that --task reverse on names.txt reaches 90% exact match in a few minutes;
block_size: the longest side plus BOS). Checkpoints, --resume
(bit-identical), Ctrl-C and SIGTERM as train's. Builds on config.py,
pairs.py, tokenizer.py, three_kinds.py and training.py, and on the plumbing's
checkpoint.py, cli.py, corpus.py, flags.py, memory.py, progress.py, runs.py
(the training loop) and views.py (--text's heatmap).
"""
from __future__ import annotations

import dataclasses
import hashlib

from ..architectures import pairs
from ..config import TASKS, Config, ConfigError
from ..plumbing import checkpoint, cli, corpus, flags, memory, runs
from ..plumbing.views import accuracy_line, alignment_view, length_table
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.corpus import DataError
from ..plumbing.progress import Progress
from ..tokenizer import UnknownText
from ..instruments.three_kinds import trace_seq2seq
from ..training import start_planned

PROG = "python -m microgpt seq2seq"
SHOWN, SCORED = 5, 300  # held-out pairs shown; scored at the end (--eval scores all)
DEFAULTS = {"n_embd": 16, "n_layer": 1, "steps": 5000, "lr": 0.01, "val_fraction": 0.1,
            "eval_every": 500}
NOT_HERE = ("model", "tokenizer", "bpe_vocab_size", "stride", "tie_weights", "norm", "position",
            "pad_to", "padding_mask", "causal_mask")  # train's, which the encoder-decoder lacks


def parse_args(argv=None):
    p = cli.ArgumentParser(prog=PROG, epilog=cli.EXIT_STATUSES, description=(
        "Train an encoder-decoder transformer on source<TAB>target pairs, or on a task made "
        "from a word list (--task reverse|sort|copy, default words names.txt), or use one "
        "saved with --out. Train's flags where they apply; here the defaults are "
        + ", ".join(checkpoint.as_flag(k, v) for k, v in DEFAULTS.items())
        + " and --block-size the longest side plus 1 (BOS); the variants it lacks (LayerNorm, "
        "tied weights, BPE, windows, padding, --causal-mask) are refused."))
    p.add_argument("input", nargs="?", metavar="FILE",
                   help="the pairs, one source<TAB>target per line; with --task, a word list "
                        "(default: names.txt); with --text or --eval, a checkpoint")
    p.add_argument("--task", choices=TASKS, help="pairs made from each word: reverse (emma -> "
                   "amme), sort (emma -> aemm), copy (emma -> emma)")
    flags.add_run_flags(p, DEFAULTS, not_here=NOT_HERE, what="the encoder-decoder",
                        computed={"block_size": "the longest side plus 1 (BOS)"})
    flags.add_encoder_decoder_flags(p)
    p.add_argument("--out", metavar="FILE", help="save a checkpoint here (at the end and on Ctrl-C)")
    p.add_argument("--resume", metavar="FILE", help="continue the run saved here (and save back to "
                   "it); the data defaults to what it trained on")
    p.add_argument("--text", help="with a checkpoint: the output for this source, and its "
                   "cross-attention")
    p.add_argument("--svg", metavar="FILE", help="with --text: the cross-attention as a picture")
    p.add_argument("--eval", metavar="FILE", help="with a checkpoint: accuracy on these pairs")
    args = p.parse_args(argv)
    given = flags.run_config(args)
    if "score" in given and given.get("arch", "gru-attention" if args.resume else
                                      "transformer") != "gru-attention":
        p.error("--score is how Bahdanau attention scores: it needs --arch gru-attention")
    if args.svg is not None and args.text is None:
        p.error("--svg draws the cross-attention of --text: give --text TEXT too")
    if args.text is not None or args.eval is not None:
        if args.input is None or given or args.out or args.resume:
            p.error(f"--text and --eval read one checkpoint and take no training flags: "
                    f"{PROG} MODEL.json --text TEXT")
    elif args.resume is None and args.input is None and "task" not in given:
        p.error("give a file of source<TAB>target lines, or --task reverse|sort|copy [WORDS]")
    return p, args, given


def read_data(path, task):
    """(pairs, sha256) of a file: its pairs, or its words made into a task's."""
    raw = corpus.read_bytes(corpus.locate(path))
    if task:
        return pairs.task_pairs(task, corpus.docs_of(raw, path)), hashlib.sha256(raw).hexdigest()
    try:
        return pairs.read_pairs(corpus.decode(raw, path), path), hashlib.sha256(raw).hexdigest()
    except pairs.BadPairs as e:
        raise DataError(e) from None


def load_seq2seq(path, resuming=False):
    """The checkpoint at path; CheckpointError, naming the command it is for,
    unless an encoder-decoder's."""
    return checkpoint.load_kind(path, ("seq2seq",), resume=resuming)


def open_run(args, given):
    """(all pairs, training examples, state): a fresh run or the one in --resume."""
    state = load_seq2seq(args.resume, resuming=True) if args.resume else None
    task = given.get("task", state.config.task if state else "")
    path = args.input or (state.data_name if state else "names.txt")
    out = args.out if args.out is not None else args.resume
    cli.check_output(PROG, "--out" if args.out is not None else "--resume", out, {path: "the data"})
    found = corpus.locate_saved(path) if state and not args.input else path
    all_pairs, sha = read_data(found, task)
    if state is None:
        defaults = {**DEFAULTS, "model": "seq2seq", "block_size": pairs.longest(all_pairs) + 1}
        config = Config(**{**defaults, **given})
        flags.check_used(config, given)
        planned = pairs.plan(all_pairs, config)
        examples, state = start_planned(planned, path, sha)
        return all_pairs, examples, state
    checkpoint.check_resume(state, given, args.resume, path, sha)
    changes = {k: given[k] for k in checkpoint.MAY_CHANGE if k in given}
    state.config = dataclasses.replace(state.config, **changes)
    flags.check_used(state.config, given)
    cli.say(f"{PROG}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}")
    train_pairs, _ = pairs.replay(all_pairs, state.config)
    examples = pairs.examples_of(train_pairs, state.tokenizer)
    memory.check_run_fits(state.config, examples)
    return all_pairs, examples, state


def decoded(state, some, label):
    """(source, target, output) of each pair, decoded greedily, with progress."""
    progress, rows = Progress(PROG, len(some), every=10.0), []
    for n, (src, tgt) in enumerate(some, 1):
        rows.append((src, tgt, pairs.translate(state.params, state.config, state.tokenizer, src)))
        progress.step(label, n, len(some))
    return rows


def use(args):
    """--text and --eval: a saved encoder-decoder applied, nothing trained;
    both checked before either is shown."""
    state = load_seq2seq(args.input)
    c, tok = state.config, state.tokenizer
    cli.check_output(PROG, "--svg", args.svg, {args.input: "the checkpoint"})
    if args.svg and args.text is not None and c.arch == "gru":
        raise CheckpointError(f"--svg draws attention: {args.input} holds the --arch gru "
                              f"encoder-decoder, which has none")
    if args.eval is not None:
        some, _ = read_data(args.eval, c.task)
        tok.check_text("".join(s + t for s, t in some), args.eval, "the model's vocabulary")
        if pairs.longest(some) + 1 > c.block_size:
            raise DataError(f"{args.eval}: a side has {pairs.longest(some)} characters; the "
                            f"model reads at most {c.block_size - 1}")
    if args.text is not None:  # what it writes, and its attention (views.py)
        lines, picture = alignment_view(trace_seq2seq(state.params, c, tok, args.text), args.input)
        print("\n".join(lines))
        if args.svg:
            cli.write(PROG, args.svg, picture, "the attention weights")
    if args.eval is not None:
        rows = decoded(state, some, "scoring")
        print(accuracy_line(rows, cli.one_line(f"accuracy on {args.eval}")))
        print("\n".join(length_table(pairs.by_length(rows))))


def main(argv=None):
    parser, args, given = parse_args(argv)
    prog = parser.prog
    try:
        if args.text is not None or args.eval is not None:
            return use(args)
        all_pairs, examples, state = open_run(args, given)
    except (DataError, ConfigError, CheckpointError, UnknownText) as e:
        cli.fail(prog, e)
    except ValueError as e:  # --text the model cannot read
        cli.fail(prog, f"cannot read {args.text!r}: {e}")
    config, out = state.config, (args.out if args.out is not None else args.resume)
    _, held = pairs.replay(all_pairs, config)
    print(f"pairs: {len(all_pairs)}" + (f" ({config.task} of each word)" if config.task else ""))
    print(f"vocab size: {config.vocab_size}, block size: {config.block_size}")
    print(f"num train: {len(examples)}, num held out: {len(held)}")
    held_examples = pairs.examples_of(held, state.tokenizer)
    runs.train_to_the_end(prog, state, examples, held_examples, out,
                          Progress(prog, config.steps - state.step, every=30.0))
    if not held:  # --val-fraction 0 was asked for: nothing to score
        return
    rows = decoded(state, held[:SCORED], "decoding the held-out pairs")
    some = f"the first {len(rows)} of {len(held)} held out" if len(held) > len(rows) else "held out"
    print(accuracy_line(rows, f"greedy decoding, {some}"))
    print("\n".join(length_table(pairs.by_length(rows))))
    print("some held-out pairs, source -> output (target):")
    for src, tgt, output in rows[:SHOWN]:
        print(f"  {src} -> {output} ({tgt})" + ("" if output == tgt else "   wrong"))


if __name__ == "__main__":
    cli.run(main)
