"""
views.py: what `python -m microgpt inspect` shows of a model reading a
text: for every layer and head a terminal heatmap (terminal.py) with the
head's logit spread and row entropy (heads.summary), then the next-token
guesses, a classifier's classes, or a masked language model's guesses of
what each position holds (what a MASK stands for); and the same heatmaps as one SVG grid
(heatmaps.py: a row per layer, a column per head) titled with the model
(its checkpoint or "fresh model", the flags it differs from the reference
by) and the text. An encoder-decoder's three kinds of attention too, a
GRU encoder-decoder's one (Bahdanau's weights, decoder step x source
position) or none, and the exact-match accuracy (by source length too).

`chosen_heads` and `check_stream`: which heads --layer and --head show,
and whether --stream can (both asked before any work).

`as_json` is the same, as data (inspect --json): the tokens and their ids,
the last position's ten likeliest next tokens (a classifier's classes),
and every head's attention rows.

Builds on config.py, bert.py, pairs.py, heads.py, readout.py, three_kinds.py, checkpoint.py, cli.py,
labels.py, svg.py and terminal.py. Left out on purpose: loading and
training (inspector.py's), so one text's views are the same for a fresh model,
a checkpoint, or each of two.
"""
from __future__ import annotations

from ..instruments import heads
from ..architectures import pairs
from ..architectures.bert import probabilities
from ..instruments.readout import BOS_LABEL, attention_matrix, hidden, token_labels
from ..instruments.three_kinds import kinds, three_kinds
from ..config import ConfigError
from . import checkpoint, cli, svg, terminal
from .checkpoint import CheckpointError
from .labels import visible


def reads_whole(config):
    """True for the models that read the whole sequence at once (encoder.py)."""
    return config.model in ("classifier", "mlm") or not config.causal_mask


def chosen_heads(args, n_layer, n_head, source):
    """The (layer, head) pairs --layer and --head choose (every one without
    them); CheckpointError for a layer or head the model does not have."""
    for flag, value, count in (("--layer", args.layer, n_layer), ("--head", args.head, n_head)):
        if value is not None and value >= count:
            raise CheckpointError(f"{flag} {value}: {cli.one_line(source)} has "
                                  f"{cli.plural(count, flag[2:])} ({flag[2:]}s 0..{count - 1})")
    return [(l, h) for l in range(n_layer) for h in range(n_head)
            if args.layer in (None, l) and args.head in (None, h)]


def check_stream(args, config, source):
    """--stream watches gpt() (stages.py): a GPT reading one position at a time."""
    if args.stream and (config.model != "gpt" or reads_whole(config)):
        raise ConfigError(f"--stream follows a GPT reading one position at a time; {source} "
                          f"is {cli.a_model(config.model)}" + (" that reads the whole sequence"
                                                          if config.model == "gpt" else ""))


def report(positions, config, numbers=False, classes=None, heads_shown=None):
    """The whole printout: heatmaps of every head (or of the (layer, head)
    pairs of heads_shown) and their key, then next-character guesses (a
    classifier: classes, [(name, probability)])."""
    labels = ["BOS" if p.token == BOS_LABEL else p.token for p in positions]
    whole = reads_whole(config)
    out = []
    for layer in range(config.n_layer):
        for head in range(config.n_head):
            if heads_shown is not None and (layer, head) not in heads_shown:
                continue
            kind = "   no causal mask: every position sees every position" if whole else ""
            spread, h, uniform = heads.summary(positions, layer, head)
            out.append(f"layer {layer}, head {head}   (rows: query position, columns: key "
                       f"position){kind}   logit spread {spread:.2f}; row entropy {h:.2f} "
                       f"nats, a uniform row's {uniform:.2f}")
            masked = hidden(positions, layer, head) if whole else None
            matrix = attention_matrix(positions, layer, head)
            out += terminal.heatmap_text(matrix, labels, numbers, masked)
            out.append("")
    out += terminal.heatmap_key("whole" if whole else "causal", numbers) + [""]  # under them
    if classes is not None:
        out.append("class probabilities (read at BOS, position 0, after the blocks):")
        out += [f"  {name} {prob:.4f}" for name, prob in sorted(classes, key=lambda c: -c[1])]
        return out
    if config.model == "mlm":  # it fills in blanks: what each position holds
        out.append("what each position holds, as the model reads it (top 5; at MASK, its fill-in):")
        for p in positions[1:]:
            guesses = "  ".join(f"{visible(c)} {prob:.2f}" for c, prob in p.top(5))
            out.append(f"  at {p.pos} {p.token if p.token == 'MASK' else visible(p.token)}: {guesses}")
        return out
    out.append("next-character guesses (top 5):")
    text = ""
    for p in positions:
        text += "" if p.token == BOS_LABEL else p.token
        guesses = "  ".join(f"{visible(c) if c != BOS_LABEL else 'END'} {prob:.2f}"
                            for c, prob in p.top(5))
        out.append(f"  after {repr(text) if text else 'BOS'}: {guesses}")
    return out


def seq2seq_report(traced, heads, numbers=False):
    """The three kinds of attention of each (layer, head), as text, and
    each kind's key."""
    out = [f"writes {''.join(w for w in traced[2] if w != 'END')!r}", ""]
    for title, matrix, rows, cols, hide in three_kinds(traced, heads):
        out += [title + "   (rows: query, columns: key)"]
        bos = lambda labels: ["BOS" if l == BOS_LABEL else l for l in labels]
        out += terminal.heatmap_text(matrix, bos(rows), numbers, hide, bos(cols)) + [""]
    for kind in kinds(traced):  # under the heatmaps, each kind's key, once
        out += [f"the {kind['kind']} heatmaps:"] + ["  " + line for line in
                                                    terminal.heatmap_key(kind["kind"], numbers)]
    return out


def alignment_view(traced, source):
    """seq2seq --text (trace_seq2seq's result): (lines to print: what it
    wrote, then its attention weights as a heatmap with its key, rows the
    characters written and columns the source; an SVG picture of them, or
    None without attention, the bottleneck). A Transformer's: the last
    decoder layer's cross-attention, its heads' mean (the picture: each
    head); a GRU encoder-decoder's: Bahdanau's weights."""
    src, _, written, maps = traced
    text, output = "".join(src[1:]), "".join(w for w in written if w != "END")
    lines = [f"{text} -> {output}", ""]
    if not kinds(traced):
        return lines + ["no attention to show: the decoder reads the source only through the "
                        "encoder's last state (the bottleneck)"], None
    kind = kinds(traced)[-1]  # a GRU's one kind, or the Transformer's cross-attention
    rows, cols, hide, heads = kind["rows"], kind["cols"], kind["hidden"], kind["layers"][-1]
    matrix = [[sum(h[i][j] for h in heads) / len(heads) for j in range(len(cols))]
              for i in range(len(rows))]  # the mean of the last layer's heads (a GRU: one)
    layer = len(kind["layers"]) - 1
    if "cross" in maps:
        lines[1:] = ["", f"cross-attention, decoder layer {layer}, mean of {len(heads)} heads "
                         f"(rows: the character written, columns: the source read; Q from the "
                         f"decoder, K and V from the encoder):"]
        panels = [(f"cross-attention, layer {layer}, head {h}", m, rows, cols, hide)
                  for h, m in enumerate(heads)]
        title = f"{source}: {text!r} -> {output!r}, decoder layer {layer}"
    else:
        lines.append(f"{kind['title']} (rows: the character written, columns: the source read, "
                     f"the encoder's state there):")
        panels, title = [(kind["title"], matrix, rows, cols, hide)], f"{source}: {text!r} -> {output!r}"
    lines += terminal.heatmap_text(matrix, rows, masked=hide, col_labels=cols)
    lines += [""] + terminal.heatmap_key(kind["kind"])
    picture = svg.grids(panels, columns=len(panels), title=title,
                        note="rows: the character written, columns: the source read")
    return lines, picture


def accuracy_line(rows, title):
    """(source, target, output) rows' exact-match and per-character accuracy, one line."""
    exact, per_char = pairs.score(rows)
    right = sum(out == tgt for _, tgt, out in rows)
    return (f"{title}: exact match {100 * exact:.1f}% ({right} of {len(rows)}), "
            f"per-character {100 * per_char:.1f}%")


def length_table(by_length):
    """pairs.by_length's rows as a table, each row the source length first
    and the exact-match percentage last.

    >>> print("\\n".join(length_table([(3, 4, 3), (11, 2, 0)])))
    exact match by source length:
    length  pairs  right  exact match
         3      4      3        75.0%
        11      2      0         0.0%
    """
    lines = ["exact match by source length:", "length  pairs  right  exact match"]
    return lines + [f"{n:6d}  {count:5d}  {right:5d}  {100 * right / count:10.1f}%"
                    for n, count, right in by_length]


def svg_picture(positions, config, source, text):
    """Every head's heatmap, a row per layer, titled with the model and text."""
    flags = checkpoint.non_default_flags(config)
    title = f"{source}{', ' + flags if flags else ''}: reading {text!r}"
    whole = "no causal mask: each position sees the whole sequence; " if reads_whole(config) else ""
    return svg.trace_heatmaps(positions, title, note=whole + svg.NOTE)


def show(positions, state, source, text, numbers=False, heads_shown=None):
    """Print what one model made of text: its heatmaps, its guesses or classes."""
    bos = " with BOS" if state.tokenizer.starts_with_bos else " (GPT-2's: no BOS)"
    print(f"{cli.one_line(source)}: reading {text!r}, {cli.plural(len(positions), 'position')}"
          f"{bos}\n")
    classes = None
    if state.config.model == "classifier":
        classes = list(zip(state.classes, probabilities(state.params, state.config,
                                                        state.tokenizer, text)))
    print("\n".join(report(positions, state.config, numbers, classes, heads_shown)))


def as_json(positions, state, text):
    """What inspect computed, as JSON-ready data: {"tokens", "ids", "next":
    the last position's ten likeliest next tokens [{"id", "token", "p"}],
    most likely first (a classifier's classes), "attention": [layer][head][i],
    the weights position i gives positions 0..i (every position's, for a
    model without the causal mask)}. An encoder-decoder's (positions: its
    trace_seq2seq) has its three kinds of attention by name, and what it wrote."""
    c = state.config
    if c.model == "seq2seq":
        source, _, written, maps = positions
        return {"tokens": source, "ids": [state.tokenizer.bos] + state.tokenizer.encode(text),
                "written": written, "attention": maps}
    if c.model == "classifier":
        probs, labels = probabilities(state.params, c, state.tokenizer, text), state.classes
    else:
        probs, labels = positions[-1].probs, token_labels(state.tokenizer)
    best = sorted(range(len(probs)), key=lambda i: -probs[i])[:10]
    causal = not reads_whole(c)
    return {"tokens": [p.token for p in positions], "ids": [p.id for p in positions],
            "next": [{"id": i, "token": labels[i], "p": probs[i]} for i in best],
            "attention": [[[p.layers[layer][head].attn_weights[:p.pos + 1] if causal
                            else p.layers[layer][head].attn_weights for p in positions]
                           for head in range(c.n_head)] for layer in range(c.n_layer)]}
