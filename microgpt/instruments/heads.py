"""
heads.py: what each attention head does, over many documents, and how much
the model needs it.

`patterns` reads documents with readout.py and averages, per layer and head,
where each row of attention puts its weight. For a row at position t >= 2
(BOS at 0; from t = 2 on, BOS, the previous token and the token itself are
three different positions) the weight splits four ways:

    BOS        w[0]               the start: a head's "nothing to do" place
    far back   w[1] + ... + w[t-2]
    previous   w[t-1]             the token just before
    self       w[t]               the token being read

and the row's entropy, -sum w log w, sits beside a uniform row's, log(t + 1).
A head is named for the largest of the four shares ("far back" is called
"spread").

`summary` is one head's logit spread and entropy on one text (inspect
prints it beside the heatmap). `ablate` answers "does this head matter?":
the same weights with one head's
output set to zero. A head's output enters the model only through attn_wo,
whose columns h * head_dim .. (h + 1) * head_dim read it, so zeroing those
columns silences the head exactly, with no switch in the model.

Builds on value.py, data.py, held_out.py (the held-out loss) and
readout.py (the weights, as floats). Left out on purpose: patterns
of longer range (every n-th token), which the names data does not have.
"""
from __future__ import annotations

import dataclasses
import math

from ..data import held_out_examples
from .held_out import HELD_OUT_LIMIT, held_out_loss
from .readout import trace
from ..value import Value

SHARES = ("BOS", "far back", "previous", "self")
NAMES = {"BOS": "BOS", "far back": "spread", "previous": "previous token", "self": "self"}


def row_shares(w):
    """(BOS, far back, previous, self) shares of one attention row, t >= 2.

    >>> row_shares([0.1, 0.2, 0.3, 0.4])
    (0.1, 0.2, 0.3, 0.4)
    >>> row_shares([0.5, 0.1, 0.1, 0.2, 0.1])   # far back: positions 1 and 2
    (0.5, 0.2, 0.2, 0.1)
    """
    t = len(w) - 1
    far = 0.0
    for x in w[1:t - 1]:
        far += x
    return w[0], far, w[t - 1], w[t]


def entropy(w):
    """-sum w log w of one row, in nats."""
    return 0.0 - sum(x * math.log(x) for x in w if x > 0)


def patterns(params, config, tokenizer, docs, each=None):
    """{(layer, head): {"BOS", "far back", "previous", "self": mean share,
    "entropy": mean row entropy, "uniform": a uniform row's, "rows": count,
    "pattern": the largest share's name}} over the rows t >= 2 of docs (each
    read as [BOS] + its first block_size - 1 tokens; GPT-2's without BOS, so
    "BOS" is the first token's share). each(done, total): after each document."""
    sums, rows = {}, 0
    for n, doc in enumerate(docs, start=1):
        ids = tokenizer.encode(doc)[:config.block_size - 1]
        text = tokenizer.decode(ids)
        for p in trace(params, config, tokenizer, text)[2:]:
            rows += 1
            for li, layer in enumerate(p.layers):
                for h, head in enumerate(layer):
                    s = sums.setdefault((li, h), dict.fromkeys(SHARES + ("entropy", "uniform"), 0.0))
                    for name, share in zip(SHARES, row_shares(head.attn_weights)):
                        s[name] += share
                    s["entropy"] += entropy(head.attn_weights)
                    s["uniform"] += math.log(len(head.attn_weights))
        if each is not None:
            each(n, len(docs))
    table = {}
    for key, s in sums.items():
        mean = {name: total / rows for name, total in s.items()}
        mean["rows"] = rows
        mean["pattern"] = NAMES[max(SHARES, key=mean.get)]
        table[key] = mean
    return table


def ablate(params, config, heads):
    """A copy of params (the same Values for every untouched matrix) in which
    each (layer, head) of heads has its output set to zero: the columns of
    that layer's attn_wo that read the head are zeros."""
    out, d = dict(params), config.head_dim
    for layer, head in heads:
        name = f"layer{layer}.attn_wo"
        out[name] = [[Value(0.0) if head * d <= j < (head + 1) * d else w for j, w in enumerate(row)]
                     for row in out[name]]
    return out


def summary(positions, layer, head):
    """(logit spread, mean row entropy, a uniform row's mean entropy) of one
    head over the positions of one trace: how peaked its attention is. The
    spread is the standard deviation of its logits (hidden keys left out)."""
    logits, h, u = [], 0.0, 0.0
    for p in positions:
        record = p.layers[layer][head]
        allowed = [z for z in record.attn_logits if math.isfinite(z)]  # the keys it may see
        logits += allowed
        h += entropy(record.attn_weights)
        u += math.log(len(allowed))
    try:
        mean = sum(logits) / len(logits)
        spread = math.sqrt(sum((z - mean) ** 2 for z in logits) / len(logits))
    except OverflowError:  # a model whose logits are beyond the floats (a run that diverged)
        spread = math.inf
    return spread, h / len(positions), u / len(positions)


def table_lines(table, first="BOS"):
    """patterns()' table as text, one row per head; first: position 0's name
    (BOS, or GPT-2's first token)."""
    rows = next(iter(table.values()))["rows"]
    lines = [f"{rows} attention rows (positions 2 on); the mean share of each row's weight:",
             f"{'head':<6} {first:>6} {'far back':>9} {'previous':>9} {'self':>6} "
             f"{'entropy':>8} {'uniform':>8}  pattern"]
    for (layer, head), s in sorted(table.items()):
        lines.append(f"{layer}.{head:<4} {s['BOS']:>6.3f} {s['far back']:>9.3f} "
                     f"{s['previous']:>9.3f} {s['self']:>6.3f} {s['entropy']:>8.3f} "
                     f"{s['uniform']:>8.3f}  {first if s['pattern'] == 'BOS' else s['pattern']}")
    return lines


def ablation_lines(state, docs, silenced, source):
    """The loss with each (layer, head) of silenced set to zero, each alone and
    (if several) all together, against the intact model's, as text lines: over
    the run's held-out documents, or the first of docs without a split."""
    held = held_out_examples(docs, state.tokenizer, state.config)
    examples = held or [state.tokenizer.encode_document(d) for d in docs[:HELD_OUT_LIMIT]]
    what = "held-out documents" if held else f"first documents of {source}"
    intact = held_out_loss(state, examples)
    lines = [f"loss over {len(examples[:HELD_OUT_LIMIT])} {what}: intact {intact:.4f}"]
    groups = [[h] for h in silenced] + ([list(silenced)] if len(silenced) > 1 else [])
    for group in groups:
        ablated = dataclasses.replace(state, params=ablate(state.params, state.config, group))
        loss = held_out_loss(ablated, examples)
        names = ", ".join(f"{l}.{h}" for l, h in group)
        lines.append(f"  without head {names}: {loss:.4f} ({loss - intact:+.4f})")
    return lines
