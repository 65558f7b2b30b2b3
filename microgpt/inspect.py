"""
inspect.py: the command `python -m microgpt.inspect model.json emma`: look
inside attention.

For each layer and head it draws the attention matrix as a terminal heatmap:
row i is the query at position i (labelled by the character it reads), column
j the key at position j; the darker the cell, the more weight. The upper
triangle stays empty: a position cannot see the future. Then, at each
position, the five likeliest next characters. A classifier and a GPT
trained with --causal-mask off read the whole sequence at once: their
matrices are full (dots only where the mask hides PAD), and a classifier
ends with each class's probability. An encoder-decoder shows its three
kinds of attention as it writes its output for TEXT, each labelled with
where Q, K and V come from (--layer, --head: one of them). --numbers prints
the weights instead of shades; --svg FILE writes the same heatmaps.

No checkpoint yet? `python -m microgpt.inspect emma --train-steps 300`
trains a fresh model on --data (default names.txt) first, shaped by train's
model flags (--n-head 2, ...); the text is checked before it trains.

`inspect MODEL.json --heads` is the same question over many documents, one
table (heads.py); `--ablate L.H` silences a head and shows what the loss
loses. Builds on config.py, training.py, classification.py,
tokenizer.py, trace.py (the numbers), stream.py (--stream), heads.py, svg.py (the picture),
checkpoint.py, cli.py, datasets.py, flags.py, size.py and terminal.py.
"""
from __future__ import annotations

import argparse
import sys

from . import heads
from .classification import probabilities
from .config import RECURRENT, Config, ConfigError
from .plumbing import checkpoint, cli, flags, svg, terminal
from .plumbing.checkpoint import CheckpointError
from .plumbing.datasets import DataError, load_docs, locate, locate_saved
from .plumbing.size import check_fits
from .stream import rms_lines
from .tokenizer import UnknownText
from .trace import (BOS_LABEL, attention_matrix, check_readable, hidden, three_kinds, trace,
                    trace_seq2seq, trace_whole)
from .training import plan, start_planned, train_step

def reads_whole(config):
    """True for the models that read the whole sequence at once (encoder.py)."""
    return config.model == "classifier" or not config.causal_mask


def report(positions, config, numbers=False, classes=None):
    """The whole printout: heatmaps of every head, then next-character
    guesses (a classifier: classes, [(name, probability)])."""
    labels = ["BOS" if p.token == BOS_LABEL else p.token for p in positions]
    out = []
    whole = reads_whole(config)
    for layer in range(config.n_layer):
        for head in range(config.n_head):
            kind = "   no causal mask: every position sees every position" if whole else ""
            spread, h, uniform = heads.summary(positions, layer, head)
            out.append(f"layer {layer}, head {head}   (rows: query position, columns: key "
                       f"position){kind}   logit spread {spread:.2f}; row entropy {h:.2f} "
                       f"nats, a uniform row's {uniform:.2f}")
            masked = hidden(positions, layer, head) if whole else None
            matrix = attention_matrix(positions, layer, head)
            out += terminal.heatmap_text(matrix, labels, numbers, masked)
            out.append("")
    if classes is not None:
        out.append("class probabilities (read at BOS, position 0, after the blocks):")
        out += [f"  {name} {prob:.4f}" for name, prob in sorted(classes, key=lambda c: -c[1])]
        return out
    out.append("next-character guesses (top 5):")
    text = ""
    for p in positions:
        text += "" if p.token == BOS_LABEL else p.token
        guesses = "  ".join(f"{c if c != BOS_LABEL else 'END'} {prob:.2f}" for c, prob in p.top(5))
        out.append(f"  after {repr(text) if text else 'BOS'}: {guesses}")
    return out


def seq2seq_report(traced, heads, numbers=False):
    """The three kinds of attention of each (layer, head), as text."""
    out = [f"writes {''.join(w for w in traced[2] if w != 'END')!r}", ""]
    for title, matrix, rows, cols, hide in three_kinds(traced, heads):
        out += [title + "   (rows: query, columns: key)"]
        bos = lambda labels: ["BOS" if l == BOS_LABEL else l for l in labels]
        out += terminal.heatmap_text(matrix, bos(rows), numbers, hide, bos(cols)) + [""]
    return out


def svg_picture(positions, config):
    labels = [p.token if p.token != BOS_LABEL else "BOS" for p in positions]
    heads = [(l, h) for l in range(config.n_layer) for h in range(config.n_head)]
    panels = [(f"layer {l}, head {h}", attention_matrix(positions, l, h)) for l, h in heads]
    if not reads_whole(config):
        return svg.heatmaps(panels, labels)
    return svg.heatmaps(panels, labels, hidden=[hidden(positions, l, h) for l, h in heads],
                        note="no causal mask: each position sees the whole sequence; grey: PAD, masked")


def parse_args(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt.inspect",
                           usage="%(prog)s [options] [CHECKPOINT] TEXT",
                           description="Show what each attention head looks at while the model "
                                       "reads TEXT, and what it expects next.")
    p.add_argument("inputs", nargs="+", metavar="[CHECKPOINT] TEXT",
                   help="a checkpoint from python -m microgpt.train --out, then the text to read "
                        "(or just the text, with --train-steps)")
    p.add_argument("--train-steps", type=cli.whole_number(1), metavar="N",
                   help="no checkpoint: train a fresh model for N steps first (the model flags "
                        "below shape it; default: the reference's)")
    p.add_argument("--data", help="data for --train-steps (default names.txt), or for --heads "
                                   "and --ablate (default: the checkpoint's)")
    p.add_argument("--numbers", action="store_true", help="print the weights instead of shades")
    p.add_argument("--svg", metavar="FILE", help="also write the heatmaps as an SVG picture")
    p.add_argument("--stream", action="store_true",
                   help="also print the size (RMS) of every stage of the forward pass at each "
                        "position: embeddings, norms, attention, the residual stream, the MLP")
    p.add_argument("--layer", type=cli.whole_number(0), help="an encoder-decoder: this layer only")
    p.add_argument("--head", type=cli.whole_number(0), help="an encoder-decoder: this head only")
    p.add_argument("--heads", action="store_true",
                   help="no TEXT: what each head does over the documents of --data (default: "
                        "the checkpoint's data), as one table")
    p.add_argument("--ablate", action="append", type=head_name, default=[], metavar="L.H",
                   help="no TEXT: the held-out loss with head H of layer L silenced, against "
                        "the intact model's (repeatable)")
    flags.add_run_flags(p, leave_out=("steps",))  # with --train-steps: the fresh model's
    args = p.parse_args(argv)
    given = flags.run_config(args)
    if args.heads or args.ablate:
        if len(args.inputs) != 1 or args.train_steps or given or args.svg or args.numbers:
            p.error("--heads and --ablate read one checkpoint and no TEXT: "
                    "python -m microgpt.inspect MODEL.json --heads [--ablate L.H]")
        return p, args, given
    if len(args.inputs) > 2:
        p.error(f"expected [CHECKPOINT] TEXT, got {len(args.inputs)} arguments (quote a text "
                f"with spaces)")
    if len(args.inputs) == 1 and not args.train_steps:
        p.error("give a checkpoint before the text, or --train-steps N to train one first")
    if len(args.inputs) == 2 and args.train_steps:
        p.error("give either a checkpoint or --train-steps, not both")
    if given and not args.train_steps:
        p.error(f"{checkpoint.as_flag(*next(iter(given.items())))} shapes a fresh model: it "
                f"needs --train-steps N (a checkpoint has its own settings)")
    return p, args, {**given, "steps": args.train_steps} if args.train_steps else given


def head_name(text):
    """A flag type: "L.H", a head by its layer and number -> (L, H)."""
    layer, dot, head = text.partition(".")
    if not (dot and layer.isdigit() and head.isdigit()):
        raise argparse.ArgumentTypeError(f"expected LAYER.HEAD such as 0.2, got {text!r}")
    return int(layer), int(head)


def study_heads(prog, args):
    """--heads and --ablate: what each head does over many documents, and
    how much the loss needs it."""
    try:
        state = checkpoint.load(args.inputs[0])
        config = state.config
        if config.model != "gpt" or reads_whole(config):
            raise ConfigError(f"--heads and --ablate read a GPT's cached attention; "
                              f"{args.inputs[0]} holds a {config.model} model"
                              + (" that reads the whole sequence" if config.model == "gpt" else ""))
        for layer, head in args.ablate:
            if layer >= config.n_layer or head >= config.n_head:
                raise ConfigError(f"--ablate {layer}.{head}: the model has {config.n_layer} "
                                  f"layer(s) of {config.n_head} heads (0.0 to "
                                  f"{config.n_layer - 1}.{config.n_head - 1})")
        path = locate(args.data) if args.data else locate_saved(state.data_name)
        docs = load_docs(path)
        state.tokenizer.check_text("".join(docs), str(path))
    except (CheckpointError, DataError, ConfigError, UnknownText) as e:
        cli.fail(prog, e)
    if args.heads:
        n = min(len(docs), 200)
        print(f"{args.inputs[0]} (step {state.step}) over {cli.plural(n, 'document')} of {path}")
        print("\n".join(heads.table_lines(heads.patterns(state.params, config, state.tokenizer,
                                                        docs[:200]))))
    if args.ablate:
        print("\n" + "\n".join(heads.ablation_lines(state, docs, args.ablate, path)))


def main(argv=None):
    p, args, given = parse_args(argv)
    prog = p.prog
    if args.heads or args.ablate:
        return study_heads(prog, args)
    text = args.inputs[-1]
    args.data = args.data or "names.txt"
    data = locate(args.data)
    cli.check_output(prog, "--svg", args.svg,  # before any work: can it be written?
                     {args.inputs[0]: "the checkpoint"} if len(args.inputs) == 2 else {data: "the data"})
    try:
        if args.train_steps:  # every check (the text too) before the training
            planned = plan(load_docs(data), Config(**given))
            check_readable(planned.config, planned.tokenizer, text)
            check_stream(args, planned.config, "a model with these flags")
            check_fits(planned.config, len(planned.tokenizer.encode(text)) + 1)
            examples, state = start_planned(planned)
            print(f"training a fresh model for {cli.plural(args.train_steps, 'step')} on "
                  f"{args.data}...", file=sys.stderr)
            while state.step < args.train_steps:
                train_step(state, examples)
            source = f"fresh model, {cli.plural(args.train_steps, 'step')} on {args.data}"
        else:
            state = checkpoint.load(args.inputs[0])
            source = f"{args.inputs[0]} (step {state.step})"
            check_stream(args, state.config, source)
        if state.config.model == "seq2seq":
            return show_seq2seq(args, state, source, text, prog)
        if args.layer is not None or args.head is not None:
            raise CheckpointError("--layer and --head choose among an encoder-decoder's heads")
        if state.config.model in RECURRENT:
            raise CheckpointError(f"{source} holds a {state.config.model} model: it has no "
                                  f"attention to show (inspect draws attention heads)")
        positions = (trace_whole if reads_whole(state.config) else trace)(
            state.params, state.config, state.tokenizer, text)
    except (CheckpointError, DataError, ConfigError) as e:
        cli.fail(prog, e)
    except ValueError as e:  # text the model cannot read
        cli.fail(prog, f"cannot read {text!r}: {e}")
    print(f"{source}: reading {text!r}, {cli.plural(len(positions), 'position')} with BOS\n")
    classes = None
    if state.config.model == "classifier":
        classes = list(zip(state.classes, probabilities(state.params, state.config,
                                                        state.tokenizer, text)))
    print("\n".join(report(positions, state.config, args.numbers, classes)))
    if args.stream:
        print("\nthe size (RMS) of each stage of the forward pass, at each position:")
        print("\n".join(rms_lines(positions)))
    if args.svg:
        cli.write(prog, args.svg, svg_picture(positions, state.config), "the heatmaps")


def check_stream(args, config, source):
    """--stream watches gpt() (stream.py): a GPT reading one position at a time."""
    if args.stream and (config.model != "gpt" or reads_whole(config)):
        raise ConfigError(f"--stream follows a GPT reading one position at a time; {source} "
                          f"is a {config.model} model" + (" that reads the whole sequence"
                                                          if config.model == "gpt" else ""))


def show_seq2seq(args, state, source, text, prog):
    """inspect on an encoder-decoder: its three kinds of attention."""
    c = state.config
    for flag, value, count in (("--layer", args.layer, c.n_layer), ("--head", args.head, c.n_head)):
        if value is not None and value >= count:
            raise CheckpointError(f"{flag} {value}: the model has {count} ({flag[2:]}s 0..{count - 1})")
    heads = [(l, h) for l in range(c.n_layer) for h in range(c.n_head)
             if args.layer in (None, l) and args.head in (None, h)]
    traced = trace_seq2seq(state.params, c, state.tokenizer, text)
    print(f"{source}: reading {text!r}, {len(traced[0])} source positions with BOS\n")
    print("\n".join(seq2seq_report(traced, heads, args.numbers)))
    if args.svg:
        cli.write(prog, args.svg, svg.grids(three_kinds(traced, heads)), "the heatmaps")


if __name__ == "__main__":
    cli.run(main)
