"""
attention.py: causal multi-head self-attention, one position at a time.

The model reads a document one token at a time. At each position it appends
this position's key and value vectors to a cache, so the cache holds exactly
the positions seen so far: position t can only attend to positions 0..t. That
is the causal mask, with no mask written anywhere. (Learning material usually
shows the same thing as a T x T matrix with -infinity above the diagonal; both
give the same numbers.)

Each head h owns a slice of head_dim entries of q, k and v. For every cached
position t it scores how well the query matches that position's key
(attn_logits), turns the scores into weights that sum to 1 (attn_weights), and
mixes the cached values with those weights (head_out). The heads' outputs are
concatenated back to n_embd entries.

Grouped-query attention (config.kv_heads G) keeps n_head queries but only G
keys and values per position, G x head_dim entries: query head h reads
key/value head h // (n_head / G). G = n_head is the reference's attention;
G = 1 is multi-query attention, every head reading one shared key and
value. The cache shrinks by n_head / G; attention reads G from the keys'
width.

`causal_attention_matrix` is the other view, the one textbooks draw: one
head's whole T x T attention at once from the stacked Q, K, V, with minus
infinity above the diagonal. It works on plain floats; the tests check that
it gives the same numbers as the cache path on a trained model.

`sequence_attention` is that view on Values, so it trains: every query of a
sequence against every key it may see, with the mask written out as a small
function, mask(i, j) -> may query i see key j? `causal` (the decoder's),
`no_mask` (the encoder's: every position sees the whole sequence),
`key_padding` (no query sees a PAD key) on top of either. Its queries may
come from one sequence and its keys and values from another (cross-attention,
the encoder-decoder's). encoder.py builds its blocks on it; with the causal
mask it gives the cache path's numbers exactly.

Builds on fused.py (dot, softmax); model.py projects x to q, k,
v before calling `attention` and projects its output after. Left out on
purpose: batching, flash-style tricks.
"""
from __future__ import annotations

import math

from .fused import dot, softmax, softmax_data


def attention(q, keys, values, n_head, records=None, scaled=True):
    """Attention of one query over the cached keys and values of one layer.

    q: (n_embd,) Values for the current position.
    keys, values: one (G x head_dim,) list per position seen so far, this one
    last: G = n_head, one key/value head per query head (n_embd entries), or
    fewer, each shared by n_head / G query heads (grouped-query attention).
    Returns (n_embd,) Values: the n_head heads' outputs, concatenated.
    records: None, or a list to which each head appends what it computed
    (readout.py turns it into floats; training passes None).
    scaled: divide the logits by sqrt(head_dim), as the paper does (the
    config's attention_scale); without it a wide head's dot products grow
    with head_dim and the softmax saturates.

    >>> from microgpt.value import Value
    >>> k = [[Value(1.0), Value(0.0)], [Value(0.0), Value(1.0)]]
    >>> v = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    >>> [y.data for y in attention([Value(0.0), Value(0.0)], k, v, n_head=1)]
    [2.0, 3.0]
    """
    head_dim = len(q) // n_head
    group = len(q) // len(keys[0])                           # query heads per key/value head
    x_attn = []
    for h in range(n_head):
        hs = h * head_dim                                    # this head's slice
        kv = h // group * head_dim                           # its key/value head's slice
        q_h = q[hs:hs + head_dim]                            # (head_dim,)
        k_h = [k_t[kv:kv + head_dim] for k_t in keys]        # (T, head_dim)
        v_h = [v_t[kv:kv + head_dim] for v_t in values]      # (T, head_dim)
        attn_logits = [dot(q_h, k_h[t]) for t in range(len(k_h))]                   # (T,)
        if scaled:
            attn_logits = [logit / head_dim ** 0.5 for logit in attn_logits]       # 1/sqrt(d_k)
        attn_weights = softmax(attn_logits)                  # (T,), sum to 1
        head_out = [dot(attn_weights, [v_h[t][j] for t in range(len(v_h))])
                    for j in range(head_dim)]                # (head_dim,)
        x_attn.extend(head_out)
        if records is not None:
            records.append((q_h, k_h, v_h, attn_logits, attn_weights, head_out))
    return x_attn                                            # (n_embd,)


def causal_attention_matrix(Q, K, V):
    """One head's attention for all T positions at once (the textbook view).

    Q, K, V: T rows of head_dim floats. Scores S = Q K^T / sqrt(head_dim),
    with S[i][j] = -inf for j > i (position i must not see the future), then
    a softmax per row. Returns (weights, out): the T x T matrix (zeros above
    the diagonal, each row summing to 1) and the T x head_dim outputs.

    >>> W, out = causal_attention_matrix([[1.0], [1.0]], [[0.0], [2.0]], [[1.0], [3.0]])
    >>> W[0], [round(w, 4) for w in W[1]]
    ([1.0, 0.0], [0.1192, 0.8808])
    """
    T, head_dim = len(Q), len(Q[0])
    scale = (head_dim ** 0.5) ** -1
    S = [[sum(Q[i][d] * K[j][d] for d in range(head_dim)) * scale if j <= i else -math.inf
          for j in range(T)] for i in range(T)]                  # (T, T), causal mask
    W = [softmax_data(row) for row in S]                          # exp(-inf) = 0 above the diagonal
    out = [[sum(W[i][j] * V[j][d] for j in range(T)) for d in range(head_dim)] for i in range(T)]
    return W, out                                                 # (T, T), (T, head_dim)


# -------------------------------------------------------------------------
# attention over a whole sequence at once, on Values, with the mask written out

def causal(i, j):
    """The decoder's mask: query i sees key j only if j <= i (never the future)."""
    return j <= i


def no_mask(i, j):
    """The encoder's: every query sees every key."""
    return True


def key_padding(is_pad, mask=no_mask):
    """mask, and no query sees a PAD key; is_pad[j]: is key j padding?

    >>> m = key_padding([False, False, True], causal)
    >>> [[int(m(i, j)) for j in range(3)] for i in range(3)]
    [[1, 0, 0], [1, 1, 0], [1, 1, 0]]
    """
    return lambda i, j: mask(i, j) and not is_pad[j]


def sequence_attention(Q, K, V, n_head, mask, records=None, scaled=True):
    """Multi-head attention of every query over the keys it may see.

    Q: one (n_embd,) list of Values per query position (T_q of them); K, V:
    one per key position (T_k), of G x head_dim entries (grouped-query
    attention: query head h reads key/value head h // (n_head / G)).
    Self-attention takes all three from one sequence; cross-attention takes
    Q from one and K, V from another.
    mask(i, j): may query i see key j? Each query must see at least one.
    Per head: S = Q K^T / sqrt(head_dim), a softmax per row over the allowed
    keys only (a masked key takes no part, as -inf would: the row's weights
    sum to 1 over the others), out = W V. Returns T_q lists of n_embd Values.
    records: None, or a list to which each head appends its whole matrices,
    (q_h, k_h, v_h, attn_logits, attn_weights, head_out), with -inf and 0.0
    where the mask hides a key.

    >>> from microgpt.value import Value
    >>> K = [[Value(1.0), Value(0.0)], [Value(0.0), Value(1.0)]]
    >>> V = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    >>> Q = [[Value(0.0), Value(0.0)], [Value(0.0), Value(0.0)]]  # equal scores: equal weights
    >>> [[y.data for y in row] for row in sequence_attention(Q, K, V, 1, causal)]
    [[1.0, 2.0], [2.0, 3.0]]
    >>> [[y.data for y in row] for row in sequence_attention(Q, K, V, 1, no_mask)]
    [[2.0, 3.0], [2.0, 3.0]]
    """
    head_dim = len(Q[0]) // n_head
    group = len(Q[0]) // len(K[0])                                 # query heads per key/value head
    T_q, T_k = len(Q), len(K)
    seen = [[j for j in range(T_k) if mask(i, j)] for i in range(T_q)]  # the keys each query sees
    out = [[] for _ in range(T_q)]                                  # (T_q, n_embd), head by head
    for h in range(n_head):
        hs = h * head_dim                                           # this head's slice
        kv = h // group * head_dim                                  # its key/value head's slice
        q_h = [q[hs:hs + head_dim] for q in Q]                      # (T_q, head_dim)
        k_h = [k[kv:kv + head_dim] for k in K]                      # (T_k, head_dim)
        v_h = [v[kv:kv + head_dim] for v in V]                      # (T_k, head_dim)
        attn_logits = [[dot(q_h[i], k_h[j]) for j in seen[i]] for i in range(T_q)]  # S = Q K^T
        if scaled:
            attn_logits = [[s / head_dim ** 0.5 for s in row] for row in attn_logits]  # 1/sqrt(d_k)
        attn_weights = [softmax(row) for row in attn_logits]        # W: each row sums to 1
        head_out = [[dot(attn_weights[i], [v_h[j][d] for j in seen[i]]) for d in range(head_dim)]
                    for i in range(T_q)]                            # W V: (T_q, head_dim)
        for i in range(T_q):
            out[i].extend(head_out[i])
        if records is not None:  # the whole T_q x T_k matrices, as textbooks draw them
            records.append((q_h, k_h, v_h, spread(attn_logits, seen, T_k, -math.inf),
                          spread(attn_weights, seen, T_k, 0.0), head_out))
    return out                                                      # (T_q, n_embd)


def spread(rows, seen, width, fill):
    """Rows over the seen keys only, as full rows of `width` with `fill` where hidden.

    >>> spread([[5], [6, 7]], [[0], [0, 2]], 3, 0.0)
    [[5, 0.0, 0.0], [6, 0.0, 7]]
    """
    full = []
    for row, keys in zip(rows, seen):
        line = [fill] * width
        for j, x in zip(keys, row):
            line[j] = x
        full.append(line)
    return full
