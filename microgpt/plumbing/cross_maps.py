"""
cross_maps.py: what seq2seq --text shows of the original Transformer: the
text, its output, and the last decoder layer's cross-attention (rows: the
character written, columns: the source read), its heads averaged as a
heatmap in the terminal and each head drawn as SVG.

Builds on three_kinds.py (the weights, as plain numbers), svg.py and
terminal.py (the heatmap). Leaves out the GRU encoder-decoders' Bahdanau
weights (views.alignment_view) and the self-attention maps, which
three_kinds.py computes too.
"""
from __future__ import annotations

from ..instruments.three_kinds import trace_seq2seq
from . import svg
from .terminal import heatmap_text


def cross_view(state, text, source, drawn=False):
    """(lines, picture) of text read by a Transformer encoder-decoder:
    `text -> output`, then its cross-attention as a heatmap; picture (the
    heads, as SVG) only when drawn, else None. source: the checkpoint's name."""
    c = state.config
    src, _, written, maps = trace_seq2seq(state.params, c, state.tokenizer, text)
    output = "".join(w for w in written if w != "END")
    lines = [f"{text} -> {output}"]
    cross = maps["cross"][-1]                   # the last decoder layer: one matrix per head
    mean = [[sum(h[i][j] for h in cross) / c.n_head for j in range(len(src))]
            for i in range(len(written))]
    lines += [f"\ncross-attention, decoder layer {c.n_layer - 1}, mean of {c.n_head} heads "
              f"(rows: the character written, columns: the source read; Q from the decoder, "
              f"K and V from the encoder):"]
    lines += heatmap_text(mean, written, masked=[[False] * len(src)] * len(written),
                          col_labels=src)
    if not drawn:
        return lines, None
    panels = [(f"cross-attention, layer {c.n_layer - 1}, head {h}", m, written, src,
               [[False] * len(src)] * len(written)) for h, m in enumerate(cross)]
    title = f"{source}: {text!r} -> {output!r}, decoder layer {c.n_layer - 1}"
    return lines, svg.grids(panels, columns=c.n_head, title=title,
                            note="rows: the character written, columns: the source read")
