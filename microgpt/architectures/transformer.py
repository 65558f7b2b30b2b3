"""
transformer.py: the original Transformer of "Attention Is All You Need":
an encoder reads the source, a decoder writes the target, and cross-attention
joins them.

With microgpt's choices (pre-LN rmsnorm, relu MLP, no biases, no final norm),
the paper's equations read:

    encoder, over [BOS] + source (T_src positions, no mask: each sees all):
        x = rmsnorm(wte[token] + enc_wpe[pos])
        per layer:  x = x + attn_wo @ attention(Q, K, V from rmsnorm(x))
                    x = x + mlp_fc2 @ relu(mlp_fc1 @ rmsnorm(x))
        memory = x                                         (T_src, n_embd)
    decoder, over [BOS] + target (T_tgt positions), predicting target + [BOS]:
        y = rmsnorm(wte[token] + dec_wpe[pos])
        per layer:  y = y + attn_wo @ attention(Q, K, V from rmsnorm(y), causal)
                    y = y + cross_wo @ attention(Q from rmsnorm(y), K, V from memory)
                    y = y + mlp_fc2 @ relu(mlp_fc1 @ rmsnorm(y))
        logits = lm_head @ y                               (T_tgt, vocab_size)
    loss = mean over the T_tgt positions of cross-entropy(logits, next token)

One vocabulary (the sorted characters of every source and target, plus BOS)
and one token embedding wte serve both sides; each side has its own learned
positions. The three kinds of attention are one function,
attention.sequence_attention, with other inputs and masks:

    kind                         Q from         K, V from          mask
    encoder self-attention       the encoder    the encoder        none
    decoder self-attention       the decoder    the decoder        causal
    cross-attention              the decoder    encoder's memory   none

The weights (seq2seq_shapes, below) are drawn with
rng.gauss(0, init_std), row by row, in this order, after the run's shuffle
of the pairs (pairs.py):

    wte (vocab x n_embd), enc_wpe (block x n_embd), dec_wpe (block x n_embd),
    lm_head (vocab x n_embd);
    per encoder layer i = 0..n_layer-1: enc{i}.attn_wq, attn_wk, attn_wv,
        attn_wo (n_embd x n_embd), enc{i}.mlp_fc1 (4n x n), enc{i}.mlp_fc2 (n x 4n);
    then per decoder layer i: dec{i}.attn_wq, attn_wk, attn_wv, attn_wo,
        dec{i}.cross_wq, cross_wk, cross_wv, cross_wo (n_embd x n_embd),
        dec{i}.mlp_fc1, dec{i}.mlp_fc2.

`greedy` writes an output one character at a time: the likeliest next
token, until BOS (the end) or block_size positions.

Builds on attention.py (the masks and the attention), config.py, encoder.py (the
attention block, the MLP, the residual sublayer), fused.py and model.py
(linear, rmsnorm). Adds nothing to gpt(). Left out on purpose: beam search,
dropout, a final norm, separate source and target embeddings, a key/value
cache at decoding (each new character reruns the decoder over the output so
far: slower, simpler).
"""
from __future__ import annotations

from ..attention import causal, no_mask
from ..config import ConfigError
from .encoder import attention_block, mlp, sublayer
from ..fused import cross_entropy, vsum
from ..model import linear, rmsnorm


def seq2seq_shapes(config):
    """The encoder-decoder's (transformer.py), in its documented order:
    wte, enc_wpe, dec_wpe, lm_head, the encoder's layers, the decoder's.

    >>> from microgpt.config import Config
    >>> [n for n, r, c in seq2seq_shapes(Config(model="seq2seq"))][10:15]
    ['dec0.attn_wq', 'dec0.attn_wk', 'dec0.attn_wv', 'dec0.attn_wo', 'dec0.cross_wq']
    """
    e, V, B = config.n_embd, config.vocab_size, config.block_size
    square = lambda L, kind: [(f"{L}{kind}_w{m}", e, e) for m in "qkvo"]  # n_embd x n_embd
    shapes = [("wte", V, e), ("enc_wpe", B, e), ("dec_wpe", B, e), ("lm_head", V, e)]
    for i in range(config.n_layer):
        shapes += square(f"enc{i}.", "attn") + [(f"enc{i}.mlp_fc1", 4 * e, e),
                                                (f"enc{i}.mlp_fc2", e, 4 * e)]
    for i in range(config.n_layer):
        shapes += square(f"dec{i}.", "attn") + square(f"dec{i}.", "cross")
        shapes += [(f"dec{i}.mlp_fc1", 4 * e, e), (f"dec{i}.mlp_fc2", e, 4 * e)]
    return shapes


def check(config):
    """The encoder-decoder is built one way: the GPT's variants of the
    embedding (RoPE too), the tokens and the masks do not fit it, nor
    SwiGLU's or grouped-query attention's weights."""
    for name, value in (("norm", "rmsnorm"), ("position", "learned"), ("tie_weights", False),
                        ("pad_to", 0), ("causal_mask", True), ("tokenizer", "char"),
                        ("stride", 0), ("bias", False), ("final_norm", False),
                        ("embedding_norm", True)):
        if getattr(config, name) != value:
            raise ConfigError(f"the encoder-decoder has no {name} variant "
                              f"(got {name}={getattr(config, name)!r})")
    if config.activation == "swiglu" or config.kv_heads not in (0, config.n_head):
        got = "activation='swiglu'" if config.activation == "swiglu" else f"kv_heads={config.kv_heads}"
        raise ConfigError(f"the encoder-decoder has no SwiGLU or grouped-query attention "
                          f"(got {got}): its weights are the paper's")


def step_edges(config, positions):
    """About how many edges the graph of one training step has, when the
    longest list (the target, BOS at both ends) holds `positions` ids, so
    T = positions - 1 are read on each side (catalog.gpt_step_edges counts
    the GPT's alike): per position the encoder's layers read 24 *
    n_embd**2 (weight, input) pairs and the decoder's 32 * n_embd**2 (its
    cross-attention's projections too), about 60 * n_embd more for their
    norms, sums and relus, lm_head 2 * vocab * n_embd; the encoder's
    attention reads all T keys, the decoder's self-attention t and its
    cross-attention all T (10 * n_embd * T * T and 15 * n_head * T * T / 2
    edges a layer in all).

    >>> from microgpt.config import Config
    >>> step_edges(Config(model="seq2seq"), 6)   # emma -> amme: the graph has 85,446
    85550
    """
    e, L = config.n_embd, config.n_layer
    T = min(positions - 1, config.block_size)  # the target's inputs: its BOS-wrapped list but one
    per_layer = 56 * e * e * T + 60 * e * T + 10 * e * T * T + 15 * config.n_head * T * T // 2
    return config.batch_size * (L * per_layer + T * 2 * config.vocab_size * e)


def embed(ids, wpe, p):
    """rmsnorm(wte[token] + wpe[pos]) at every position: (T, n_embd)."""
    return [rmsnorm([t + q for t, q in zip(p["wte"][token_id], wpe[pos])])
            for pos, token_id in enumerate(ids)]


def encode(src_ids, p, c, trace=None):
    """The encoder over [BOS] + source: its memory, (T_src, n_embd).
    trace: None, or a list that gets each head's matrices, layer by layer."""
    x = embed(src_ids, p["enc_wpe"], p)
    for li in range(c.n_layer):
        L = f"enc{li}."
        x = sublayer(x, lambda h: attention_block(h, h, p, L + "attn_", c, no_mask, trace),
                     p, L + "ln_attn", c)                     # self-attention: Q, K, V from x
        x = sublayer(x, lambda h: mlp(h, p, L, c), p, L + "ln_mlp", c)
    return x                                                  # memory: (T_src, n_embd)


def decode(tgt_ids, memory, p, c, traces=None):
    """The decoder over [BOS] + target so far, reading the encoder's memory:
    the logits at every position, (T_tgt, vocab_size). traces: None, or
    (self, cross): two lists for the heads' matrices of each attention."""
    self_trace, cross_trace = traces if traces is not None else (None, None)
    y = embed(tgt_ids, p["dec_wpe"], p)
    for li in range(c.n_layer):
        L = f"dec{li}."
        y = sublayer(y, lambda h: attention_block(h, h, p, L + "attn_", c, causal, self_trace),
                     p, L + "ln_attn", c)                     # masked self-attention: Q, K, V from y
        y = sublayer(y, lambda h: attention_block(h, memory, p, L + "cross_", c, no_mask,
                                                  cross_trace),
                     p, L + "ln_cross", c)                    # cross: Q from y, K and V from memory
        y = sublayer(y, lambda h: mlp(h, p, L, c), p, L + "ln_mlp", c)
    return [linear(y_t, p["lm_head"]) for y_t in y]           # no final norm, as the reference


def seq2seq_loss(example, p, c):
    """Mean cross-entropy of the target given the source, one Value.

    example = (src_ids, tgt_ids): [BOS] + source, and [BOS] + target + [BOS];
    the decoder reads tgt_ids[:-1] and predicts tgt_ids[1:] (BOS: the end)."""
    src_ids, tgt_ids = example
    logits = decode(tgt_ids[:-1], encode(src_ids, p, c), p, c)
    losses = [cross_entropy(row, target, c.label_smoothing)
              for row, target in zip(logits, tgt_ids[1:])]
    return (1 / len(losses)) * vsum(losses)


def greedy(src_ids, p, c, bos):
    """The output for one source, as token ids (no BOS): each step the
    likeliest next token, until BOS or block_size decoder positions."""
    memory = encode(src_ids, p, c)
    out = [bos]
    while len(out) < c.block_size:
        last = [z.data for z in decode(out, memory, p, c)[-1]]
        best = max(range(len(last)), key=last.__getitem__)     # the first of equal ones
        if best == bos:
            break
        out.append(best)
    return out[1:]
