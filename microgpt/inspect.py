"""
inspect.py: the command `python -m microgpt.inspect model.json emma`: look
inside attention.

For each layer and head it draws the attention matrix as a terminal heatmap:
row i is the query at position i (labelled by the character it reads), column
j the key at position j; the darker the cell, the more weight. The upper
triangle stays empty: a position cannot see the future. Then, at each
position, the five likeliest next characters. A classifier's checkpoint
(python -m microgpt.classify) and a GPT trained with --causal-mask off read
the whole sequence at once: their matrices are full, no triangle (the dots
are only keys their mask hides, PAD), and a classifier ends with each
class's probability. An encoder-decoder's (python -m microgpt.seq2seq) shows
its three kinds of attention as it writes its output for TEXT: the
encoder's self-attention (full), the decoder's (the triangle) and the
cross-attention (rows: what it writes, columns: the source), each labelled
with where Q, K and V come from (--layer, --head: one of them). --numbers prints the weights
instead of shades; --svg FILE writes the same heatmaps as a picture.

No checkpoint yet? `python -m microgpt.inspect emma --train-steps 300`
trains a fresh model on --data (default names.txt) first.

Builds on config.py, training.py, classification.py, trace.py (the
numbers), svg.py (the picture), checkpoint.py, cli.py and datasets.py.
"""
from __future__ import annotations

import sys

from .plumbing import checkpoint, cli, svg
from .plumbing.checkpoint import CheckpointError
from .config import Config
from .plumbing.datasets import DataError, load_docs, locate
from .classification import probabilities
from .trace import (BOS_LABEL, attention_matrix, hidden, three_kinds, trace, trace_seq2seq,
                    trace_whole)
from .training import start, train_step

SHADES = "░▒▓█"  # weight 0 .. 1; even 0 gets the lightest, so the triangle shows


def shade(w):
    """Two characters whose darkness shows w in [0, 1].

    >>> [shade(w) for w in (0.0, 0.3, 0.6, 1.0)]
    ['░░', '▒▒', '▓▓', '██']
    """
    return SHADES[min(int(w * len(SHADES)), len(SHADES) - 1)] * 2


def heatmap_text(matrix, labels, numbers=False, masked=None, col_labels=None):
    """The T x T matrix as text rows; the masked future (or what masked[i][j]
    marks) is shown as dots. col_labels: the columns', when they differ
    from the rows' (cross-attention: output x source)."""
    labels = ["BOS" if l == BOS_LABEL else l for l in labels]
    width = max(len(l) for l in labels)
    cell = 5 if numbers else 4
    cols = labels if col_labels is None else col_labels
    lines = [" " * width + " " + "".join(l.center(cell) for l in cols)]
    for i, row in enumerate(matrix):
        cells = []
        for j, w in enumerate(row):
            if (masked[i][j] if masked else j > i):
                cells.append("·".center(cell))          # masked: the future, or PAD
            elif numbers:
                cells.append(f"{w:.2f}".rjust(cell))
            else:
                cells.append(shade(w).center(cell))
        lines.append(labels[i].rjust(width) + " " + "".join(cells))
    return lines


def reads_whole(config):
    """True for the models that read the whole sequence at once (encoder.py)."""
    return config.model == "classifier" or not config.causal_mask


def report(positions, config, numbers=False, classes=None):
    """The whole printout: heatmaps of every head, then next-character
    guesses (a classifier: classes, [(name, probability)])."""
    labels = [p.token for p in positions]
    out = []
    whole = reads_whole(config)
    for layer in range(config.n_layer):
        for head in range(config.n_head):
            kind = "   no causal mask: every position sees every position" if whole else ""
            out.append(f"layer {layer}, head {head}   (rows: query position, columns: key "
                       f"position){kind}")
            masked = hidden(positions, layer, head) if whole else None
            out += heatmap_text(attention_matrix(positions, layer, head), labels, numbers, masked)
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
        out += heatmap_text(matrix, rows, numbers, hide, cols) + [""]
    return out


def svg_picture(positions, config):
    labels = [p.token if p.token != BOS_LABEL else "BOS" for p in positions]
    heads = [(l, h) for l in range(config.n_layer) for h in range(config.n_head)]
    panels = [(f"layer {l}, head {h}", attention_matrix(positions, l, h)) for l, h in heads]
    if not reads_whole(config):
        return svg.heatmaps(panels, labels)
    return svg.heatmaps(panels, labels, hidden=[hidden(positions, l, h) for l, h in heads],
                        note="no causal mask: each position sees the whole sequence; grey: PAD, masked")


def main(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt.inspect",
                           description="Show what each attention head looks at while the model "
                                       "reads TEXT, and what it expects next.")
    p.add_argument("inputs", nargs="+", metavar="[CHECKPOINT] TEXT",
                   help="a checkpoint from python -m microgpt.train --out, then the text to read "
                        "(or just the text, with --train-steps)")
    p.add_argument("--train-steps", type=cli.whole_number(1), metavar="N",
                   help="no checkpoint: train a fresh default model for N steps first")
    p.add_argument("--data", default="names.txt", help="data for --train-steps (default names.txt)")
    p.add_argument("--numbers", action="store_true", help="print the weights instead of shades")
    p.add_argument("--svg", metavar="FILE", help="also write the heatmaps as an SVG picture")
    p.add_argument("--layer", type=cli.whole_number(0), help="an encoder-decoder: this layer only")
    p.add_argument("--head", type=cli.whole_number(0), help="an encoder-decoder: this head only")
    args = p.parse_args(argv)
    prog = p.prog
    if len(args.inputs) > 2:
        p.error("expected [CHECKPOINT] TEXT")
    if len(args.inputs) == 1 and not args.train_steps:
        p.error("give a checkpoint before the text, or --train-steps N to train one first")
    if len(args.inputs) == 2 and args.train_steps:
        p.error("give either a checkpoint or --train-steps, not both")
    text = args.inputs[-1]
    data = locate(args.data)
    cli.check_output(prog, "--svg", args.svg,  # before any work: can it be written?
                     {args.inputs[0]: "the checkpoint"} if len(args.inputs) == 2 else {data: "the data"})
    try:
        if args.train_steps:
            docs, state = start(load_docs(data), Config(steps=args.train_steps))
            print(f"training a fresh model for {args.train_steps} steps on {args.data}...",
                  file=sys.stderr)
            while state.step < args.train_steps:
                train_step(state, docs)
            source = f"fresh model, {args.train_steps} steps on {args.data}"
        else:
            state = checkpoint.load(args.inputs[0])
            source = f"{args.inputs[0]} (step {state.step})"
        if state.config.model == "seq2seq":
            return show_seq2seq(args, state, source, text, prog)
        if args.layer is not None or args.head is not None:
            raise CheckpointError("--layer and --head choose among an encoder-decoder's heads")
        positions = (trace_whole if reads_whole(state.config) else trace)(
            state.params, state.config, state.tokenizer, text)
    except (CheckpointError, DataError) as e:
        cli.fail(prog, e)
    except ValueError as e:  # text the model cannot read
        cli.fail(prog, f"cannot read {text!r}: {e}")
    print(f"{source}: reading {text!r}, {len(positions)} positions with BOS\n")
    classes = None
    if state.config.model == "classifier":
        classes = list(zip(state.classes, probabilities(state.params, state.config,
                                                        state.tokenizer, text)))
    print("\n".join(report(positions, state.config, args.numbers, classes)))
    if args.svg:
        cli.write(prog, args.svg, svg_picture(positions, state.config), "the heatmaps")


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
