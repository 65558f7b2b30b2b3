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

Builds on transformer.py (encode, decode, greedy) and readout.py (floats).
Left out on purpose: a Position per token (the three kinds have different
shapes: one matrix per kind, layer and head says it plainly).
"""
from __future__ import annotations

from ..architectures.transformer import decode, encode, greedy
from .readout import floats


def trace_seq2seq(params, config, tokenizer, source):
    """The encoder-decoder reading source and writing its greedy output:
    (source labels, input labels, output labels, maps). The decoder reads
    [BOS] + output (input labels); its row i writes output label i (the last
    "END" when it chose BOS). maps[kind][layer][head] is a T_q x T_k matrix
    of floats: "encoder" (source x source, full), "decoder" (input x input,
    the triangle) and "cross" (decoder rows x source columns)."""
    tokenizer.check_text(source, repr(source))
    src = [tokenizer.bos] + tokenizer.encode(source)
    if len(src) > config.block_size:
        raise ValueError(f"{source!r} is too long: {len(src)} tokens with BOS, "
                         f"block size {config.block_size}")
    tgt = [tokenizer.bos] + greedy(src, params, config, tokenizer.bos)
    records = {"encoder": [], "decoder": [], "cross": []}  # each head's (q_h, ..., attn_weights, ...)
    memory = encode(src, params, config, records["encoder"])
    logits = decode(tgt, memory, params, config, (records["decoder"], records["cross"]))
    label = lambda i: "BOS" if i == tokenizer.bos else tokenizer.tokens[i]
    written = [max(range(len(row)), key=lambda j: row[j].data) for row in logits]
    H = config.n_head
    maps = {kind: [[floats(r[4]) for r in recs[l * H:(l + 1) * H]] for l in range(config.n_layer)]
            for kind, recs in records.items()}
    return ([label(i) for i in src], [label(i) for i in tgt],
            [label(i) if i != tokenizer.bos else "END" for i in written], maps)


KINDS = (  # the encoder-decoder's three kinds of attention: (kind, title)
    ("encoder", "encoder self-attention: Q, K, V from the encoder (the source); no mask"),
    ("decoder", "decoder self-attention: Q, K, V from the decoder (what it has written); causal"),
    ("cross", "cross-attention: Q from the decoder, K and V from the encoder's output; no mask"),
)


def kinds(traced):
    """Each kind of attention of trace_seq2seq's result, as a dict: kind,
    title, rows and cols (the query and key labels), hidden (hidden[i][j]:
    the mask hid key j from query i, the decoder's future) and layers
    (layers[layer][head]: its matrix)."""
    src, tgt, written, maps = traced
    shapes = {"encoder": (src, src), "decoder": (tgt, tgt), "cross": (written, src)}
    out = []
    for kind, title in KINDS:
        rows, cols = shapes[kind]
        hide = [[kind == "decoder" and j > i for j in range(len(cols))] for i in range(len(rows))]
        out.append(dict(kind=kind, title=title, rows=rows, cols=cols, hidden=hide, layers=maps[kind]))
    return out


def three_kinds(traced, heads):
    """(title, matrix, row labels, column labels, hidden) of each kind of
    attention of each (layer, head) of trace_seq2seq's result: what
    inspector.py draws."""
    return [(f"layer {layer}, head {head}, {k['title']}", k["layers"][layer][head], k["rows"],
             k["cols"], k["hidden"]) for layer, head in heads for k in kinds(traced)]
