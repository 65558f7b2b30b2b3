"""
bottleneck.py: the RNN encoder-decoder of 2014 (Cho et al.): one GRU reads
the source into one vector, a second GRU writes the target from it.

With recurrent.py's GRU cell (PyTorch's GRUCell: gates r, z, n, both
biases), the equations read:

    encoder, over [BOS] + source (T_src steps), h_0 = 0:
        h_j = GRU_enc(wte[x_j], h_{j-1})                       (n_embd,)
        c = h_T                      the whole source in n_embd numbers
    decoder, over [BOS] + target (T_tgt steps), s_0 = c:
        s_i = GRU_dec(wte[y_{i-1}], s_{i-1})     the previous token in
        logits_i = lm_head @ s_i                 the next token out: (vocab_size,)
    loss = mean over the T_tgt positions of cross-entropy(logits_i, y_i)

However long the source, the decoder sees it only through c, the
encoder's last state: a word of eleven letters must fit in the same
n_embd numbers as a word of three. That is the bottleneck, and
`python -m microgpt seq2seq --arch gru` prints what it costs, the
exact-match accuracy by source length. bahdanau.py lets the decoder look
back at every h_j instead.

The vocabulary and the token embedding wte are shared by both sides, as
in transformer.py; the recurrence gives the order (no positions). The
weights (gru_seq2seq_shapes, below) are drawn with rng.gauss(0, init_std),
row by row, in this order, after the run's shuffle of the pairs (pairs.py);
the biases start at 0 and draw nothing:

    wte (vocab x n_embd);
    enc.weight_ih, enc.weight_hh (3n_embd x n_embd), enc.bias_ih, enc.bias_hh (1 x 3n_embd);
    dec.weight_ih, dec.weight_hh (3n_embd x n_embd), dec.bias_ih, dec.bias_hh (1 x 3n_embd);
    lm_head (vocab x n_embd).

`greedy` writes an output one character at a time, the state carrying
what was written (no cache needed): the likeliest next token, until BOS
(the end) or block_size decoder positions.

Builds on fused.py, model.py (linear), params.py (GATES), recurrent.py (the
GRU cell and its rules) and value.py. Adds nothing to gpt(). Left out on purpose: Cho et
al.'s c fed again to every decoder step and to the output (here c is only
the decoder's first state, as in Sutskever et al. 2014: the bottleneck in
its plainest form), reading the source reversed, stacked layers, beam search.
"""
from __future__ import annotations

from ..fused import cross_entropy, vsum
from ..model import linear
from ..params import GATES
from . import recurrent
from .recurrent import gru_cell, keep_defaults
from ..value import Value

NOT_HERE = {**recurrent.NOT_HERE,  # the GPT's settings a GRU cell lacks, and its own:
            "n_head": "it has no heads (Bahdanau's attention: one weight per source position)",
            "n_layer": "each side is one GRU cell", "attention_scale": "it has no q.k to scale",
            "kv_heads": "it has no heads", "causal_mask": "it writes in order: there is no "
            "attention to mask", "tokenizer": "it reads characters", "stride": "a pair is read whole"}


def gru_seq2seq_shapes(config):
    """The GRU encoder-decoders' (bottleneck.py; bahdanau.py with arch
    "gru-attention"), in their documented order: wte, the encoder's cell
    (enc.), the decoder's (dec.: its input is the token's embedding, and
    with attention the context too, 2 * n_embd), Bahdanau's additive score
    W_a, U_a, v_a (not with score "dot"), lm_head.

    >>> from microgpt.config import Config
    >>> [n for n, r, c in gru_seq2seq_shapes(Config(model="seq2seq", arch="gru-attention"))][5:]
    ['dec.weight_ih', 'dec.weight_hh', 'dec.bias_ih', 'dec.bias_hh', 'W_a', 'U_a', 'v_a', 'lm_head']
    """
    e, V, ge = config.n_embd, config.vocab_size, GATES["gru"] * config.n_embd
    cell = lambda L, n_in: [(L + "weight_ih", ge, n_in), (L + "weight_hh", ge, e),
                            (L + "bias_ih", 1, ge), (L + "bias_hh", 1, ge)]  # PyTorch's GRUCell
    attention = config.arch == "gru-attention"
    shapes = [("wte", V, e)] + cell("enc.", e) + cell("dec.", 2 * e if attention else e)
    if attention and config.score == "additive":
        shapes += [("W_a", e, e), ("U_a", e, e), ("v_a", 1, e)]
    return shapes + [("lm_head", V, e)]


def check(config):
    """A GRU encoder-decoder is two cells of width n_embd: the transformer's
    block settings do not apply (each must keep its default).

    >>> from microgpt.config import Config
    >>> check(Config(model="seq2seq", arch="gru", n_layer=2))
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: n_layer=2 does not apply to the gru encoder-decoder: each side is one GRU cell
    """
    keep_defaults(config, NOT_HERE, f"the {config.arch} encoder-decoder")


def encode(src_ids, p, c):
    """The encoder GRU over [BOS] + source: its state after each token,
    h_1 .. h_T, (T_src, n_embd). The last one, c, is all the decoder gets here."""
    h = [Value(0.0) for _ in range(c.n_embd)]                  # h_0: nothing read yet
    states = []
    for token_id in src_ids:
        (h,) = gru_cell(p["wte"][token_id], (h,), p, "enc.")
        states.append(h)
    return states                                              # (T_src, n_embd)


def decoder_step(token_id, s, p):
    """One step of the decoder GRU: the previous token in, (the logits for
    the next one, the new state s_i) out."""
    (s,) = gru_cell(p["wte"][token_id], (s,), p, "dec.")     # s_i: (n_embd,)
    return linear(s, p["lm_head"]), s                         # (vocab_size,) from s_i


def unrolled(step, s, tgt_ids):
    """The logits at each of tgt_ids, (T_tgt, vocab_size): step(token_id,
    s) -> (logits, s) run over them from the state s."""
    logits = []
    for token_id in tgt_ids:
        row, s = step(token_id, s)
        logits.append(row)
    return logits


def mean_loss(logits, targets, c):
    """Mean cross-entropy of each position's target, one Value (label smoothing too)."""
    losses = [cross_entropy(row, target, c.label_smoothing) for row, target in zip(logits, targets)]
    return (1 / len(losses)) * vsum(losses)


def decode(tgt_ids, states, p, c):
    """The decoder over [BOS] + target so far, from s_0 = h_T, the
    encoder's last state (and no other): the logits at every position,
    (T_tgt, vocab_size)."""
    return unrolled(lambda token_id, s: decoder_step(token_id, s, p), states[-1], tgt_ids)


def seq2seq_loss(example, p, c):
    """Mean cross-entropy of the target given the source, one Value.

    example = (src_ids, tgt_ids): [BOS] + source, and [BOS] + target + [BOS];
    the decoder reads tgt_ids[:-1] and predicts tgt_ids[1:] (BOS: the end)."""
    src_ids, tgt_ids = example
    return mean_loss(decode(tgt_ids[:-1], encode(src_ids, p, c), p, c), tgt_ids[1:], c)


def written(step, s, bos, block_size):
    """Token ids written by step(token_id, s) -> (logits, s) from state s:
    each the likeliest next token (the first of equal ones), fed back in,
    until BOS or block_size decoder positions."""
    out = [bos]
    while len(out) < block_size:
        logits, s = step(out[-1], s)
        best = max(range(len(logits)), key=lambda j: logits[j].data)
        if best == bos:
            break
        out.append(best)
    return out[1:]


def greedy(src_ids, p, c, bos):
    """The output for one source, as token ids (no BOS)."""
    states = encode(src_ids, p, c)
    return written(lambda token_id, s: decoder_step(token_id, s, p), states[-1], bos,
                   c.block_size)


def step_edges(config, positions):
    """About how many edges the graph of one training step of a GRU
    encoder-decoder has (bahdanau.py's too), the longest list (the target
    with BOS at both ends) of `positions` ids: two GRU cells of T steps (12 * n_embd**2 weight
    pairs and about 30 * n_embd for the gates a step), lm_head 2 * vocab *
    n_embd a target position; with attention the context widens the decoder
    cell's input (6 * n_embd**2 more a step) and each step scores T source
    positions: the additive score 7 * n_embd each, with W_a s a step and
    U_a h_j once a source (4 * n_embd**2 * T more), the dot score 4 *
    n_embd each, and the softmax 3 edges each.

    >>> from microgpt.config import Config
    >>> step_edges(Config(model="seq2seq", arch="gru"), 6)
    39840
    """
    e = config.n_embd
    T = min(positions - 1, config.block_size)  # the target's inputs: its BOS-wrapped list but one
    edges = 2 * T * (12 * e * e + 30 * e) + T * 2 * config.vocab_size * e
    if config.arch == "gru-attention":
        additive = config.score == "additive"
        scores = 4 * e * e * T + 7 * e * T * T if additive else 4 * e * T * T
        edges += 6 * e * e * T + scores + 3 * T * T
    return config.batch_size * edges
