"""
three_kinds.py: the encoder-decoder's three kinds of attention, as plain
numbers, while it writes its output.

`trace_seq2seq(params, config, tokenizer, "emma")` runs transformer.py's
encoder over BOS e m m a, decodes greedily, and returns every head's
attention matrix of each kind, as floats:

    encoder self-attention   Q, K, V from the source          no mask
    decoder self-attention   Q, K, V from what it has written  causal
    cross-attention          Q from the decoder, K and V from the encoder's output

`kinds` labels each kind (its title, the query and key tokens, what the
mask hid) for inspector.py and the explorer page to draw. readout.py is the
same for the GPT, one position at a time.

The GRU encoder-decoders have fewer kinds. With attention (bahdanau.py),
one: at each decoder step the weights over the encoder's states, a matrix
of decoder steps x source positions as cross-attention's, under its
score's name ("additive", Bahdanau's, or "dot", Luong's), in one layer of
one head. Without (bottleneck.py), none: the decoder reads the source
through the encoder's last state only.

Builds on catalog.py (greedy_of), bahdanau.py, bottleneck.py, transformer.py
(encode, decode) and readout.py (floats).
Left out on purpose: a Position per token (the three kinds have different
shapes: one matrix per kind, layer and head says it plainly).
"""
from __future__ import annotations

from ..architectures import bahdanau, bottleneck, catalog
from ..architectures.transformer import decode, encode
from .readout import floats


def trace_seq2seq(params, config, tokenizer, source):
    """The encoder-decoder reading source and writing its greedy output:
    (source labels, input labels, output labels, maps). The decoder reads
    [BOS] + output (input labels); its row i writes output label i (the last
    "END" when it chose BOS). maps[kind][layer][head] is a T_q x T_k matrix
    of floats: "encoder" (source x source, full), "decoder" (input x input,
    the triangle) and "cross" (decoder rows x source columns); a GRU
    encoder-decoder's maps hold its attention's only, "additive" or "dot"
    (decoder rows x source columns, one layer of one head), or none."""
    tokenizer.check_text(source, repr(source))
    src = [tokenizer.bos] + tokenizer.encode(source)
    if len(src) > config.block_size:
        raise ValueError(f"{source!r} is too long: {len(src)} tokens with BOS, "
                         f"block size {config.block_size}")
    tgt = [tokenizer.bos] + catalog.greedy_of(config)(src, params, config, tokenizer.bos)
    if config.arch == "transformer":
        records = {"encoder": [], "decoder": [], "cross": []}  # each head's (q_h, ..., attn_weights)
        memory = encode(src, params, config, records["encoder"])
        logits = decode(tgt, memory, params, config, (records["decoder"], records["cross"]))
        H = config.n_head
        maps = {kind: [[floats(r[4]) for r in recs[l * H:(l + 1) * H]]
                       for l in range(config.n_layer)] for kind, recs in records.items()}
    elif config.arch == "gru-attention":
        steps = []  # each decoder step's (attn_logits, attn_weights)
        logits = bahdanau.decode(tgt, bottleneck.encode(src, params, config), params, config, steps)
        maps = {config.score: [[[floats(w) for _, w in steps]]]}  # one layer, one head
    else:
        logits = bottleneck.decode(tgt, bottleneck.encode(src, params, config), params, config)
        maps = {}  # no attention: nothing but the encoder's last state reaches the decoder
    label = lambda i: "BOS" if i == tokenizer.bos else tokenizer.tokens[i]
    written = [max(range(len(row)), key=lambda j: row[j].data) for row in logits]
    return ([label(i) for i in src], [label(i) for i in tgt],
            [label(i) if i != tokenizer.bos else "END" for i in written], maps)


KINDS = (  # the encoder-decoder's three kinds of attention: (kind, title)
    ("encoder", "encoder self-attention: Q, K, V from the encoder (the source); no mask"),
    ("decoder", "decoder self-attention: Q, K, V from the decoder (what it has written); causal"),
    ("cross", "cross-attention: Q from the decoder, K and V from the encoder's output; no mask"),
)
ATTENTION = (  # a GRU encoder-decoder's one kind (bahdanau.py), by config.score: (kind, title)
    ("additive", "Bahdanau attention: e_j = v_a . tanh(W_a s + U_a h_j), s the decoder's "
                 "previous state, h_j the encoder's state at j; weights softmax(e)"),
    ("dot", "Bahdanau attention, Luong's dot score: e_j = s . h_j, s the decoder's previous "
            "state, h_j the encoder's state at j; weights softmax(e)"),
)


def shape(traced):
    """(layers, heads) of trace_seq2seq's maps: the transformer's n_layer
    and n_head, (1, 1) for Bahdanau attention, (0, 0) without attention."""
    layers = next(iter(traced[3].values()), [])
    return len(layers), len(layers[0]) if layers else 0


def kinds(traced):
    """Each kind of attention of trace_seq2seq's result, as a dict: kind,
    title, rows and cols (the query and key labels), hidden (hidden[i][j]:
    the mask hid key j from query i, the decoder's future) and layers
    (layers[layer][head]: its matrix)."""
    src, tgt, written, maps = traced
    shapes = {"encoder": (src, src), "decoder": (tgt, tgt)}  # the others: (written, src)
    out = []
    for kind, title in KINDS + ATTENTION:
        if kind not in maps:
            continue
        rows, cols = shapes.get(kind, (written, src))
        hide = [[kind == "decoder" and j > i for j in range(len(cols))] for i in range(len(rows))]
        out.append(dict(kind=kind, title=title, rows=rows, cols=cols, hidden=hide, layers=maps[kind]))
    return out


def three_kinds(traced, heads):
    """(title, matrix, row labels, column labels, hidden) of each kind of
    attention of each (layer, head) of trace_seq2seq's result: what
    inspector.py draws."""
    return [(f"layer {layer}, head {head}, {k['title']}", k["layers"][layer][head], k["rows"],
             k["cols"], k["hidden"]) for layer, head in heads for k in kinds(traced)]
