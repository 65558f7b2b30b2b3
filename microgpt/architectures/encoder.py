"""
encoder.py: the transformer block over a whole sequence at once, under a
mask: the encoder (BERT's kind), and the GPT read that way.

model.py's gpt() reads one position at a time and its cache is the causal
mask. Here every position goes through each block together, and attention
(attention.sequence_attention) takes the mask as an argument, so it can be
switched off or extended:

    x = rmsnorm(wte[token] + wpe[pos])            for every position: (T, n_embd)
    per layer:  X = X + attn_wo @ attention(rmsnorm(X), mask)   Q, K, V from rmsnorm(X)
                X = X + mlp_fc2 @ relu(mlp_fc1 @ rmsnorm(X))    each position alone

The same weights, names and variants as the GPT's (the norms, GELU, post-LN,
no residual, fixed positions, the attention scale; GPT-2's biases, final
norm and missing embedding norm; RoPE, grouped-query attention and SwiGLU).
The masks a config asks for (`mask_of`): causal, or none with --causal-mask
off; with --pad-to N, each document is padded with PAD (id vocab_size, its
embedding the row wte_pad) up to N positions, and the padding mask hides
the PAD keys.

- `sequence_loss`: the GPT's document_loss over the whole sequence. With the
  causal mask it gives document_loss's numbers; without it, every position
  sees the whole document, the token it must predict included.
- `whole_reader`: how such a GPT samples, reading the whole text again
  for each new token.

`encode` is the stack every model over a whole sequence shares: bert.py's
classifier and the encoder-decoder's encoder (transformer.py); its
`blocks`, after the embedding, are the Vision Transformer's (patches.py).

`attention_block` takes queries from one sequence and keys and values from
another, so cross-attention is the same block with other inputs.

Builds on attention.py, config.py, fused.py, model.py and positions.py. Left out on
purpose: batching many documents into one tensor (padding here shows the
mask that batching needs, one document at a time), dropout and segment
embeddings; BERT's masked-token pretraining is mlm.py's.
"""
from __future__ import annotations

from ..attention import causal, key_padding, no_mask, sequence_attention
from ..config import ConfigError
from ..fused import cross_entropy, vsum
from ..model import gelu, linear, norm, swiglu
from ..positions import fixed_position, rope


# -------------------------------------------------------------------------
# the masks and the padding a config asks for

def check(config):
    """The masks and the padding a config asks for, against each other.

    >>> from microgpt.config import Config
    >>> check(Config(pad_to=4, tie_weights=True))
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: pad_to cannot go with tie_weights=True: PAD has an embedding but is never predicted
    """
    if not config.padding_mask and not config.pad_to:
        raise ConfigError("padding_mask=False needs pad_to (without padding there is nothing "
                          "to mask)")
    if not 0 <= config.pad_to <= config.block_size:
        raise ConfigError(f"pad_to must be from 0 to block_size ({config.block_size}), "
                          f"got {config.pad_to}")
    if config.pad_to and config.tie_weights:  # the logits would then include PAD's row
        raise ConfigError("pad_to cannot go with tie_weights=True: PAD has an embedding but is "
                          "never predicted")


def padded(ids, config):
    """ids with PAD (id vocab_size) appended up to config.pad_to positions.

    >>> from microgpt.config import Config
    >>> padded([3, 0, 1], Config(vocab_size=4, pad_to=5))
    [3, 0, 1, 4, 4]
    """
    return ids + [config.vocab_size] * (config.pad_to - len(ids))


def mask_of(ids, config):
    """mask(i, j) for a sequence of ids: causal (the GPT's) or none
    (config.causal_mask False); with padding and the padding mask, no query
    sees a PAD key."""
    mask = causal if config.causal_mask else no_mask
    if config.pad_to and config.padding_mask:
        mask = key_padding([t == config.vocab_size for t in ids], mask)
    return mask


# -------------------------------------------------------------------------
# the block, over the whole sequence

def embed(ids, p, c):
    """rmsnorm(wte[token] + wpe[pos]) at every position: (T, n_embd); GPT-2's
    (embedding_norm False) without the norm."""
    table = p["wte"] + p.get("wte_pad", [])      # PAD's id is vocab_size: the row after wte's
    xs = []
    for pos_id, token_id in enumerate(ids):
        pos_emb = p["wpe"][pos_id] if c.position == "learned" else fixed_position(pos_id, c)
        x = [t + q for t, q in zip(table[token_id], pos_emb)]   # (n_embd,) joint embedding
        xs.append(norm(x, p, "ln_emb", c) if c.embedding_norm else x)
    return xs


def attention_block(xs_q, xs_kv, p, name, c, mask, records=None):
    """Multi-head attention: queries from xs_q, keys and values from xs_kv
    (the same sequence for self-attention), weights p[name + "wq"], ...:
    (T_q, n_embd)."""
    b = p.get  # GPT-2's bias vectors (--bias): p[name + "bq"], ...; None without them
    Q = [linear(x, p[name + "wq"], b(name + "bq")) for x in xs_q]   # (T_q, n_embd): what each query looks for
    K = [linear(x, p[name + "wk"], b(name + "bk")) for x in xs_kv]  # (T_k, kv width): what each key offers
    V = [linear(x, p[name + "wv"], b(name + "bv")) for x in xs_kv]  # (T_k, kv width): what each key passes on
    if c.position == "rope":  # RoPE: each query and key turned by where it stands
        Q = [rope(q, pos, c.head_dim) for pos, q in enumerate(Q)]
        K = [rope(k, pos, c.head_dim) for pos, k in enumerate(K)]
    heads = sequence_attention(Q, K, V, c.n_head, mask, records, c.attention_scale)
    return [linear(h, p[name + "wo"], b(name + "bo")) for h in heads]


def mlp(xs, p, L, c):
    """mlp_fc2 @ relu(mlp_fc1 @ x) (or GELU, or SwiGLU's silu(mlp_fc1 @ x) *
    (mlp_up @ x)) at each position alone: (T, n_embd)."""
    out = []
    for x in xs:
        h = linear(x, p[L + "mlp_fc1"], p.get(L + "mlp_b1"))   # (4 * n_embd,)
        if c.activation == "swiglu":
            h = swiglu(h, linear(x, p[L + "mlp_up"], p.get(L + "mlp_bu")))
        else:
            h = [hi.relu() for hi in h] if c.activation == "relu" else gelu(h)
        out.append(linear(h, p[L + "mlp_fc2"], p.get(L + "mlp_b2")))  # (n_embd,)
    return out


def sublayer(xs, block, p, name, c):
    """x + block(norm(x)) at every position (pre-LN, the reference's), or
    norm(x + block(x)) (post-LN); without the residual, the "x +" is dropped."""
    ys = block([norm(x, p, name, c) for x in xs] if c.norm_placement == "pre" else xs)
    if c.residual:
        ys = [[a + b for a, b in zip(y, x)] for y, x in zip(ys, xs)]
    return ys if c.norm_placement == "pre" else [norm(y, p, name, c) for y in ys]


def encode(ids, p, c, mask, records=None):
    """The blocks over the whole sequence of ids: (T, n_embd), every
    position's x after the last block (and GPT-2's final norm, ln_f).
    records: each head's matrices, layer after layer
    (attention.sequence_attention)."""
    return blocks(embed(ids, p, c), p, c, mask, records)


def blocks(xs, p, c, mask, records=None):
    """The n_layer blocks over embedded positions xs (T, n_embd), whatever
    they embed (tokens; patches of an image: patches.py): (T, n_embd);
    GPT-2's final norm, ln_f, after the last."""
    for li in range(c.n_layer):
        L = f"layer{li}."
        xs = sublayer(xs, lambda h: attention_block(h, h, p, L + "attn_", c, mask, records),
                      p, L + "ln_attn", c)                             # 1) self-attention
        xs = sublayer(xs, lambda h: mlp(h, p, L, c), p, L + "ln_mlp", c)  # 2) MLP
    return [norm(x, p, "ln_f", c) for x in xs] if c.final_norm else xs


# -------------------------------------------------------------------------
# the GPT over the whole sequence

def gpt_logits(ids, p, c, records=None):
    """The GPT's logits at every position of ids, all at once, under the
    config's mask: (T, vocab_size)."""
    xs = encode(ids, p, c, mask_of(ids, c), records)
    lm_head = p["wte"] if c.tie_weights else p["lm_head"]
    return [linear(x, lm_head) for x in xs]            # PAD is never a logit: wte has no PAD row


def sequence_loss(doc_ids, p, c):
    """model.document_loss, computed over the whole sequence: the mean
    cross-entropy of each next token of the first block_size positions.
    PAD positions (--pad-to) predict nothing: the loss counts real ones only."""
    n = min(c.block_size, len(doc_ids) - 1)
    logits = gpt_logits(padded(doc_ids[:n], c), p, c)  # (max(n, pad_to), vocab_size)
    losses = [cross_entropy(logits[pos], doc_ids[pos + 1], c.label_smoothing) for pos in range(n)]
    return (1 / n) * vsum(losses)


def whole_reader(params, config):
    """generate.sample's reader for a GPT trained with --causal-mask off: it
    has no cache to fill (each new token changes what every position sees),
    so read(tokens) reads the whole text so far (its last block_size tokens)
    again, at once, with no mask, and returns the last position's logits."""
    return lambda tokens: gpt_logits(tokens[-config.block_size:], params, config)[-1]
