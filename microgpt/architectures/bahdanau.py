"""
bahdanau.py: the RNN encoder-decoder with attention (Bahdanau, Cho and
Bengio, 2015): bottleneck.py's two GRUs, but at every step the decoder
looks back at every encoder state, not at the last one only.

    encoder: bottleneck.py's, h_1 .. h_T over [BOS] + source; s_0 = h_T
    decoder step i, reading y_{i-1}, from its previous state s = s_{i-1}:
        e_j = v_a . tanh(W_a s + U_a h_j)   each source position's score     (T_src,)
              (score "dot", Luong's: e_j = s . h_j)
        w = softmax(e)                      the attention weights, sum to 1  (T_src,)
        context = sum_j w_j h_j             what the decoder reads of the source (n_embd,)
        s_i = GRU_dec([wte[y_{i-1}]; context], s)     the context joins the input (2n_embd,)
        logits_i = lm_head @ s_i                                             (vocab_size,)
    loss = mean over the T_tgt positions of cross-entropy(logits_i, y_i)

Nothing has to fit in one vector any more: the decoder reads whatever
source position it needs when it needs it, and the weights w of each step
say which (the paper's alignment). `records` gets them; `python -m
microgpt seq2seq --text`, `inspect` and the explorer page draw them as a
heatmap, decoder step x source position (three_kinds.py). U_a h_j does not
depend on the step, so it is computed once per source, W_a s once per step.

The weights (bottleneck.gru_seq2seq_shapes) are drawn with rng.gauss(0,
init_std), row by row, in this order, after the run's shuffle of the pairs
(pairs.py); the biases start at 0 and draw nothing:

    wte (vocab x n_embd);
    enc.weight_ih, enc.weight_hh (3n_embd x n_embd), enc.bias_ih, enc.bias_hh (1 x 3n_embd);
    dec.weight_ih (3n_embd x 2n_embd: n_embd columns for the embedding, then
        n_embd for the context), dec.weight_hh (3n_embd x n_embd), dec.bias_ih, dec.bias_hh;
    W_a, U_a (n_embd x n_embd), v_a (1 x n_embd): the additive score's, none for "dot";
    lm_head (vocab x n_embd).

Builds on bottleneck.py (the encoder, the loss, greedy's loop), fused.py
(dot, softmax), model.py (linear) and recurrent.py (the GRU cell). Left out
on purpose: the paper's bidirectional encoder (its h_j joins a forward and
a backward GRU's states; here one forward GRU, so h_j has read the source
up to j), its first state tanh(W_s h_1) of the backward GRU (here s_0 =
h_T, as in bottleneck.py), its deep output (a maxout over s_i, y_{i-1} and
the context; here lm_head @ s_i), and the rest of Luong's model (which
scores with the state after the cell and mixes the context into the
output: only his score is here).
"""
from __future__ import annotations

from .bottleneck import check, encode, mean_loss, step_edges, unrolled, written  # the same settings
from ..fused import dot, softmax
from ..model import linear
from .recurrent import gru_cell


def keys_of(states, p, c):
    """U_a h_j of every encoder state, (T_src, n_embd): once per source
    (the additive score's; None for the dot score, which has no weights)."""
    return [linear(h_j, p["U_a"]) for h_j in states] if c.score == "additive" else None


def score(s, states, keys, p, c):
    """e_j of the decoder's previous state s against every encoder state h_j: (T_src,)."""
    if c.score == "dot":
        return [dot(s, h_j) for h_j in states]                       # Luong: s . h_j
    query = linear(s, p["W_a"])                                       # W_a s: (n_embd,)
    return [dot(p["v_a"][0], [(a + b).tanh() for a, b in zip(query, key_j)])
            for key_j in keys]                                        # v_a . tanh(W_a s + U_a h_j)


def attend(s, states, keys, p, c, records=None):
    """The context, sum_j w_j h_j with w = softmax(e): (n_embd,). records:
    None, or a list that gets this step's (attn_logits, attn_weights)."""
    attn_logits = score(s, states, keys, p, c)                        # e: (T_src,)
    attn_weights = softmax(attn_logits)                               # w: (T_src,), sum to 1
    context = [dot(attn_weights, [h_j[d] for h_j in states]) for d in range(c.n_embd)]
    if records is not None:
        records.append((attn_logits, attn_weights))
    return context                                                    # (n_embd,)


def decoder_step(token_id, s, states, keys, p, c, records=None):
    """One step of the decoder: attend with s = s_{i-1}, then the GRU reads
    the previous token and the context: (the logits for the next token, s_i)."""
    context = attend(s, states, keys, p, c, records)
    x = p["wte"][token_id] + context                             # [wte[y]; context]: (2n_embd,)
    (s,) = gru_cell(x, (s,), p, "dec.")                               # s_i: (n_embd,)
    return linear(s, p["lm_head"]), s


def decode(tgt_ids, states, p, c, records=None):
    """The decoder over [BOS] + target so far, from s_0 = h_T, looking back
    at the encoder's states: the logits at every position, (T_tgt, vocab_size).
    records: None, or a list that gets each step's weights (attend)."""
    keys = keys_of(states, p, c)
    step = lambda token_id, s: decoder_step(token_id, s, states, keys, p, c, records)
    return unrolled(step, states[-1], tgt_ids)


def seq2seq_loss(example, p, c):
    """Mean cross-entropy of the target given the source, one Value (as
    bottleneck.seq2seq_loss: the decoder reads tgt_ids[:-1], predicts tgt_ids[1:])."""
    src_ids, tgt_ids = example
    return mean_loss(decode(tgt_ids[:-1], encode(src_ids, p, c), p, c), tgt_ids[1:], c)


def greedy(src_ids, p, c, bos):
    """The output for one source, as token ids (no BOS): the likeliest next
    token each step, until BOS or block_size decoder positions."""
    states = encode(src_ids, p, c)
    keys = keys_of(states, p, c)
    step = lambda token_id, s: decoder_step(token_id, s, states, keys, p, c)
    return written(step, states[-1], bos, c.block_size)
