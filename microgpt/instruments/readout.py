"""
readout.py: watch the model read a string, head by head.

`trace(params, config, tokenizer, "emma")` runs the model over BOS e m m a,
one position at a time with the key/value cache exactly as training does, and
returns one `Position` per token read. Each holds, for every layer and head,
what attention computed there (`q_h`, `k_h`, `v_h`, `attn_logits`,
`attn_weights`, `head_out`, as plain floats), the model's probabilities
for the next token, and in `stream` every other vector the forward pass
computed, by name (the embeddings, each norm, the blocks' outputs, the
residual stream, the MLP's hidden layer, the logits: stages.py). Nothing is
changed: tracing only reads.

    positions = trace(params, config, tokenizer, "emm")
    positions[3].token                    # 'm': position 3 reads the second m
    positions[3].layers[0][2].attn_weights   # layer 0, head 2: one weight per key
                                             # position 0..3, summing to 1

trace() returns a Trace: a list of the Positions, which in a Jupyter
notebook draws itself as every head's heatmap (plumbing/notebook.py, after
`%load_ext microgpt.plumbing.notebook`). `attention_matrix` stacks the rows of one head
into the T x T matrix that inspector.py draws. `trace_whole` is the same for the models that read the
whole sequence at once (encoder.py: the classifier, a GPT trained with
--causal-mask off or --pad-to): each head's whole T x T attention under the
model's mask, cut into the same Positions; `hidden` tells which keys the
mask hid. `trace_recurrent` is trace() for the recurrent models (each
position's next-token probabilities, no layers: they have no attention);
the encoder-decoder's three kinds of attention are three_kinds.py's.
What a trace holds (Head, Position, floats) is snapshots.py's.
Builds on fused.py (softmax_data), stages.py (gpt run with its records
and its stream), encoder.py (the same for the whole sequence), bert.py
(the classifier's), mlm.py (the masked language model's), recurrent.py
(one step of a recurrent model) and snapshots.py.
"""
from __future__ import annotations

from ..architectures.bert import classifier_logits
from ..architectures.encoder import gpt_logits, padded
from ..architectures.mlm import logits_at, read_masked
from ..fused import softmax_data
from ..architectures.recurrent import initial_state, recurrent
from .stages import stages
from .snapshots import Head, Position, floats

BOS_LABEL = "<BOS>"


class Trace(list):
    """What trace() returns: a list of Positions, one per token read."""

    @property
    def tokens(self):
        return [p.token for p in self]


def check_readable(config, tokenizer, text):
    """Raise ValueError unless a model of config with this tokenizer can read
    text: every character known, BOS and its tokens within the block. Asked
    before any work (inspect asks it before training a fresh model)."""
    tokenizer.check_text(text, repr(text))
    tokens = len(tokenizer.encode_prompt(text))
    if tokens > config.block_size:
        raise ValueError(f"{text!r} is too long: {tokens} tokens{', BOS included' * tokenizer.starts_with_bos}"
                         f"; the block size is {config.block_size}")


def token_labels(tokenizer):
    """id -> label: a token's text (quoted if it reads '<BOS>'), BOS_LABEL for BOS."""
    labels = [t if t != BOS_LABEL else repr(t) for t in tokenizer.tokens[:tokenizer.vocab_size]]
    labels += [BOS_LABEL] * (tokenizer.vocab_size - len(labels))  # microgpt's BOS: after the tokens
    labels[tokenizer.bos] = BOS_LABEL
    return labels


def trace(params, config, tokenizer, text, each=None):
    """One Position per token of [BOS] + text (GPT-2's: of text), as a Trace
    (a list); ValueError if text cannot be read. each(done, total), if given,
    is called after each position (a command's progress line)."""
    check_readable(config, tokenizer, text)
    tokens = tokenizer.encode_prompt(text)
    labels = token_labels(tokenizer)
    keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
    positions = Trace()
    for pos_id, token_id in enumerate(tokens):
        records = []  # one (q_h, k_h, v_h, attn_logits, attn_weights, head_out) per head, layer by layer
        logits, stream = stages(token_id, pos_id, keys, values, params, config, records)
        heads = [Head(*(floats(part) for part in record), layer=i // config.n_head,
                      head=i % config.n_head, pos=pos_id, token=labels[token_id],
                      keys=[labels[t] for t in tokens[:pos_id + 1]])
                 for i, record in enumerate(records)]
        probs = softmax_data([l.data for l in logits])
        positions.append(Position(
            pos=pos_id, token=labels[token_id],
            layers=[heads[i:i + config.n_head] for i in range(0, len(heads), config.n_head)],
            next_probs=dict(zip(labels, probs)), stream=stream, id=token_id, probs=probs))
        if each is not None:
            each(pos_id + 1, len(tokens))
    return positions


def trace_whole(params, config, tokenizer, text):
    """trace() for a model that reads the whole sequence at once (padded as
    it trained, PAD labelled "PAD"): Position i holds row i of each head's
    matrices. A GPT's next_probs are each position's; the classifier's are
    empty (bert.probabilities gives its classes); a masked language model's
    (text may hold "[MASK]", labelled "MASK") are its guesses of what each
    position holds."""
    if config.model == "mlm":  # "[MASK]" in text is the MASK token
        tokens = read_masked(tokenizer, text, config)
    else:
        tokenizer.check_text(text, repr(text))
        tokens = [tokenizer.bos] + tokenizer.encode(text)
    if len(tokens) > config.block_size:
        raise ValueError(f"{text!r} is too long: {len(tokens)} tokens with BOS, "
                         f"block size {config.block_size}")
    ids = padded(tokens, config)
    extra = "MASK" if config.model == "mlm" else "PAD"  # the token after the vocabulary
    labels = token_labels(tokenizer) + [extra]
    records = []  # one (q_h, k_h, v_h, attn_logits, attn_weights, head_out) per head, layer by layer
    names = labels[:config.vocab_size]
    if config.model == "classifier":
        classifier_logits(ids, params, config, records=records)
        probs = [{} for _ in ids]
    else:  # a GPT's next token at each position; an MLM's guess of what each position holds
        rows = (logits_at(ids, params, config, range(len(ids)), records) if config.model == "mlm"
                else gpt_logits(ids, params, config, records=records))
        rows = [softmax_data([l.data for l in row]) for row in rows]  # (T, vocab_size) floats
        probs = [dict(zip(names, row)) for row in rows]
    records = [[floats(part) for part in record] for record in records]
    positions = []
    for i, token_id in enumerate(ids):
        heads = [Head(q_h[i], k_h, v_h, logits[i], weights[i], out[i], layer=n // config.n_head,
                      head=n % config.n_head, pos=i, token=labels[token_id],
                      keys=[labels[t] for t in ids])
                 for n, (q_h, k_h, v_h, logits, weights, out) in enumerate(records)]
        positions.append(Position(pos=i, token=labels[token_id], next_probs=probs[i],
                                  layers=[heads[j:j + config.n_head]
                                          for j in range(0, len(heads), config.n_head)],
                                  id=token_id, probs=rows[i] if probs[i] else None))
    return positions


def trace_recurrent(params, config, tokenizer, text):
    """trace() for a recurrent model: one Position per token of [BOS] + text,
    the next-token probabilities after the step that read it, and no layers
    (it has no attention); ValueError if text cannot be read."""
    check_readable(config, tokenizer, text)
    tokens = [tokenizer.bos] + tokenizer.encode(text)
    labels = token_labels(tokenizer)
    state, positions = initial_state(config), Trace()  # h_0 (and c_0) = 0: nothing read yet
    for pos_id, token_id in enumerate(tokens):
        logits, state = recurrent(token_id, state, params, config)  # (vocab_size,), the new state
        probs = softmax_data([l.data for l in logits])
        positions.append(Position(pos=pos_id, token=labels[token_id], layers=[],
                                  next_probs=dict(zip(labels, probs)), id=token_id, probs=probs))
    return positions


def hidden(positions, layer, head):
    """(T, T) booleans: True where one head's query i could not see key j
    (the causal mask's future, a masked PAD key)."""
    T = len(positions)
    return [[j >= len(p.layers[layer][head].attn_logits) or
             p.layers[layer][head].attn_logits[j] == float("-inf") for j in range(T)]
            for p in positions]


def attention_matrix(positions, layer, head):
    """(T, T) attention weights of one head: row i is what position i attends
    to; zeros above the diagonal (the future it cannot see)."""
    T = len(positions)
    rows = []
    for p in positions:
        w = p.layers[layer][head].attn_weights
        rows.append(w + [0.0] * (T - len(w)))
    return rows
