"""
page_traces.py: what an explorer page of "traces" holds (explore.py): a
model read by the library, text by text, for the models the page has no
forward pass of (a GPT that reads the whole sequence or is padded, the
classifier, the recurrent models, the encoder-decoders) and for a model
folder, whose weights would not fit in a page.

Per text: each position's token, every head's attention weights and
logits (None where the mask hid a key: JSON has no -inf) and its
next-token probabilities (a large vocabulary's, GPT-2's: the TOP likeliest
at some position only); a classifier's class probabilities; an
encoder-decoder's tokens, what it wrote and each kind of attention
(three_kinds.kinds).

Builds on bert.py, config.py, readout.py, three_kinds.py, model_folder.py
(reading_progress) and views.py (reads_whole). Left out on purpose: the
page itself (explore.py's).
"""
from __future__ import annotations

from ..architectures.bert import probabilities
from ..config import RECURRENT
from ..instruments.readout import token_labels, trace, trace_recurrent, trace_whole
from ..instruments.three_kinds import kinds, trace_seq2seq
from .model_folder import reading_progress
from .views import reads_whole

TOP = 10  # a large vocabulary's page keeps each position's TOP likeliest next tokens


def whole(config):
    """True for a model traced over the whole sequence at once (trace_whole)."""
    return reads_whole(config) or bool(config.pad_to)  # a recurrent model has neither


def traced(state, text, prog):
    """The library's trace of text, the way this model reads it."""
    c = state.config
    if c.model == "gpt" and not whole(c):  # GPT-2 takes seconds a token: a progress line
        return trace(state.params, c, state.tokenizer, text, reading_progress(prog, c))
    how = trace_seq2seq if c.model == "seq2seq" else trace_recurrent if c.model in RECURRENT else trace_whole
    return how(state.params, c, state.tokenizer, text)


def finite(xs):
    """Logits as JSON can hold them: None where the mask hid a key (-inf)."""
    return [None if x == float("-inf") else x for x in xs]


def next_tokens(state, positions):
    """(labels, each position's probabilities of them): a large vocabulary's
    (GPT-2's) TOP likeliest at some position only; a classifier's none."""
    if not positions[0].probs:
        return [], [[] for _ in positions]
    kept = range(state.config.vocab_size)
    if state.config.vocab_size > 1000:
        kept = sorted({i for p in positions for i in sorted(kept, key=p.probs.__getitem__)[-TOP:]})
    labels = token_labels(state.tokenizer)
    return [labels[i] for i in kept], [[p.probs[i] for i in kept] for p in positions]


def traces(state, texts, prog):
    """The "traces" mode's data: per text, each position's attention weights,
    next-token probabilities (in the order of labels) and its token; a
    classifier's class probabilities as [name, probability]. An
    encoder-decoder's: its tokens, what it wrote and each kind of attention."""
    if state.config.model == "seq2seq":
        of = lambda text, t: dict(text=text, source=t[0], input=t[1], output=t[2], kinds=kinds(t))
        return [of(text, traced(state, text, prog)) for text in texts]
    out = []
    for text in texts:
        positions = traced(state, text, prog)
        labels, next_probs = next_tokens(state, positions)
        one = {"text": text, "labels": labels,
               "positions": [{"pos": p.pos, "token": p.token,
                              "layers": [[{"attn_weights": h.attn_weights,
                                           "attn_logits": finite(h.attn_logits)} for h in heads]
                                         for heads in p.layers],
                              "next_probs": row}
                             for p, row in zip(positions, next_probs)]}
        if state.config.model == "classifier":
            one["classes"] = [list(c) for c in zip(state.classes, probabilities(
                state.params, state.config, state.tokenizer, text))]
        out.append(one)
    return out
