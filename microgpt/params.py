"""
params.py: the model's parameters: their names, shapes and first values.

Parameters are plain data: a dict of named matrices (`wte`, `wpe`, `lm_head`,
`layer0.attn_wq`, ...), each a list of rows of Values. `init_params` fills
them with random.gauss draws in the reference's order, row by row, which
fixes the random stream and so every printed number:

    wte (vocab x n_embd), wpe (block x n_embd), lm_head (vocab x n_embd),
    then per layer: attn_wq, attn_wk, attn_wv, attn_wo (n_embd x n_embd),
    mlp_fc1 (4*n_embd x n_embd), mlp_fc2 (n_embd x 4*n_embd)

A variant leaves out what it does not use (wpe with fixed positions or
RoPE, lm_head with tied weights, ln_emb without the embedding norm) and adds
LayerNorm's gain (.g) and bias (.b) where a norm acts (ln_emb after wte +
wpe, layer{i}.ln_attn and .ln_mlp in the blocks, ln_f after the last block
with the final norm); those start at 1 and 0 and draw nothing.
Grouped-query attention (config.kv_heads G) draws attn_wk and attn_wv
smaller, G x head_dim rows each; SwiGLU draws mlp_up (4*n_embd x n_embd)
right after mlp_fc1. Both keep the order. GPT-2's biases (--bias) come
after each block's weights: attn_bq, attn_bk, attn_bv, attn_bo (1 x the
matrix's rows) after attn_wo, and mlp_b1 (1 x 4*n_embd), mlp_bu (SwiGLU's
up projection's, 1 x 4*n_embd), mlp_b2 (1 x n_embd) after mlp_fc2; they
start at 0 and draw nothing, so every weight's draw is the unbiased
model's. GPT-2's order, per layer (--arch gpt2):

    wte, wpe, then per layer: ln_attn.g, ln_attn.b, attn_wq, attn_wk, attn_wv,
    attn_wo, attn_bq, attn_bk, attn_bv, attn_bo, ln_mlp.g, ln_mlp.b, mlp_fc1,
    mlp_fc2, mlp_b1, mlp_b2; then ln_f.g, ln_f.b

With padding (config.pad_to),
PAD's embedding is one more row, wte_pad, after wte: it starts at 0 and draws
nothing, so the random stream is the unpadded run's. The classifier
(bert.py) has cls_head (n_class x n_embd) where the GPT has lm_head, right
after wpe, and the same layers. The masked language model (mlm.py) is the
GPT's list with MASK's embedding, wte_mask (1 x n_embd, drawn), after wte.
The encoder-decoders and the Vision Transformer have lists of their own,
each in its room: transformer.seq2seq_shapes, bottleneck.gru_seq2seq_shapes
(bahdanau.py's too), patches.vit_shapes.

A recurrent model (recurrent.py) has PyTorch's names and layout, its G gate
blocks stacked in each matrix (G = 1 for rnn, 3 for gru, 4 for lstm):

    wte (vocab x n_embd), weight_ih, weight_hh (G*n_embd x n_embd),
    bias_ih, bias_hh (1 x G*n_embd), lm_head (vocab x n_embd)

drawn in the order wte, weight_ih, weight_hh, lm_head; the biases start at 0
and draw nothing.

Builds on config.py (ConfigError) and value.py. Left out on purpose: a bias in lm_head
(GPT-2 has none either); the table of the matrices, instruments/matrices.py.
"""
from __future__ import annotations

import dataclasses
from itertools import chain

from .config import ConfigError
from .value import Value


GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # a recurrent cell's gate blocks: h; r z n; i f g o

# The encoder-decoders and the Vision Transformer list their weights in their own rooms
# (architectures/transformer.py, bottleneck.py, patches.py), which come later in the book:
# microgpt/__init__.py sets this hook to architectures/catalog.py's shapes_of(config).
room_shapes = None


def param_shapes(config):
    """(name, rows, cols) of every weight matrix, in the reference's order.

    >>> from microgpt.config import Config
    >>> [(n, r, c) for n, r, c in param_shapes(Config())][:3]
    [('wte', 27, 16), ('wpe', 16, 16), ('lm_head', 27, 16)]
    >>> [n for n, r, c in param_shapes(Config(norm="layernorm", tie_weights=True))][:5]
    ['wte', 'wpe', 'ln_emb.g', 'ln_emb.b', 'layer0.ln_attn.g']
    >>> param_shapes(Config(kv_heads=1))[4:6]   # the 4 query heads share one key/value head
    [('layer0.attn_wk', 4, 16), ('layer0.attn_wv', 4, 16)]
    >>> [n for n, r, c in param_shapes(Config(activation="swiglu"))][7:10]
    ['layer0.mlp_fc1', 'layer0.mlp_up', 'layer0.mlp_fc2']
    >>> [(n, c) for n, r, c in param_shapes(Config(bias=True))][7:10]
    [('layer0.attn_bq', 16), ('layer0.attn_bk', 16), ('layer0.attn_bv', 16)]
    >>> param_shapes(Config(model="gru"))[1:5]
    [('weight_ih', 48, 16), ('weight_hh', 48, 16), ('bias_ih', 1, 48), ('bias_hh', 1, 48)]
    """
    e = config.n_embd
    if config.model in GATES:  # a recurrent cell: G gate blocks of n_embd rows each
        ge = GATES[config.model] * e
        return [("wte", config.vocab_size, e), ("weight_ih", ge, e), ("weight_hh", ge, e),
                ("bias_ih", 1, ge), ("bias_hh", 1, ge), ("lm_head", config.vocab_size, e)]
    if config.model in ("seq2seq", "vit"):  # a list of their own, in their rooms
        return room_shapes(config)
    shapes = [("wte", config.vocab_size, e)]
    if config.pad_to:
        shapes.append(("wte_pad", 1, e))  # PAD's row: zeros, no draws
    if config.model == "mlm":
        shapes.append(("wte_mask", 1, e))  # MASK's row (architectures/mlm.py): drawn
    if config.position == "learned":
        shapes.append(("wpe", config.block_size, e))
    if config.model == "classifier":
        shapes.append(("cls_head", config.n_class, e))
    elif not config.tie_weights:
        shapes.append(("lm_head", config.vocab_size, e))
    gain_bias = lambda name: [(name + ".g", 1, e), (name + ".b", 1, e)]  # one LayerNorm's
    layernorm = config.norm == "layernorm"
    kv = kv_width(config)
    shapes += gain_bias("ln_emb") if layernorm and config.embedding_norm else []
    for i in range(config.n_layer):
        shapes += gain_bias(f"layer{i}.ln_attn") if layernorm else []
        shapes += [(f"layer{i}.attn_wq", e, e), (f"layer{i}.attn_wk", kv, e),
                   (f"layer{i}.attn_wv", kv, e), (f"layer{i}.attn_wo", e, e)]
        shapes += [(f"layer{i}.attn_b{m}", 1, rows) for m, rows in zip("qkvo", (e, kv, kv, e))
                   ] if config.bias else []
        shapes += gain_bias(f"layer{i}.ln_mlp") if layernorm else []
        shapes += [(f"layer{i}.mlp_fc1", 4 * e, e)]
        shapes += [(f"layer{i}.mlp_up", 4 * e, e)] if config.activation == "swiglu" else []
        shapes += [(f"layer{i}.mlp_fc2", e, 4 * e)]
        if config.bias:
            shapes += [(f"layer{i}.mlp_b1", 1, 4 * e)]
            shapes += [(f"layer{i}.mlp_bu", 1, 4 * e)] if config.activation == "swiglu" else []
            shapes += [(f"layer{i}.mlp_b2", 1, e)]
    shapes += gain_bias("ln_f") if layernorm and config.final_norm else []
    return shapes


def kv_width(config):
    """The entries of one position's key, and of its value: G x head_dim
    with G = kv_heads key/value heads (grouped-query attention), or n_embd,
    one per query head (the reference's).

    >>> from microgpt.config import Config
    >>> kv_width(Config()), kv_width(Config(kv_heads=2)), kv_width(Config(kv_heads=1))
    (16, 8, 4)
    """
    return config.kv_heads * config.head_dim if config.kv_heads else config.n_embd


def check_shape(config):
    """Raise ConfigError unless config's sizes make a model: each at least 1,
    the width split evenly among the heads (a recurrent cell has none, nor
    a GRU encoder-decoder), the query heads evenly among the key/value heads
    (kv_heads), and with RoPE each head's entries into pairs.

    >>> from microgpt.config import Config
    >>> check_shape(Config(n_embd=10, n_head=4))
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: n_embd (10) must be divisible by n_head (4)
    """
    for name in ("n_embd", "n_head", "n_layer", "block_size", "vocab_size"):
        if getattr(config, name) < 1:
            raise ConfigError(f"{name} must be at least 1, got {getattr(config, name)}")
    heads = config.model not in GATES and config.arch == "transformer"
    if heads and config.n_embd % config.n_head:
        raise ConfigError(f"n_embd ({config.n_embd}) must be divisible by n_head ({config.n_head})")
    if config.kv_heads < 0:
        raise ConfigError(f"kv_heads must be at least 1 (or 0: one per query head), "
                          f"got {config.kv_heads}")
    if config.model not in GATES and config.kv_heads and config.n_head % config.kv_heads:
        raise ConfigError(f"n_head ({config.n_head}) must be divisible by kv_heads "
                          f"({config.kv_heads}): each key/value head serves n_head / kv_heads "
                          f"query heads")
    if config.position == "rope" and config.model not in GATES and config.head_dim % 2:
        raise ConfigError(f"position='rope' needs an even head_dim, got {config.head_dim} "
                          f"(n_embd {config.n_embd} / n_head {config.n_head}): it turns each "
                          f"head's entries in pairs")


BIASES = ("attn_bq", "attn_bk", "attn_bv", "attn_bo", "mlp_b1", "mlp_b2")  # --bias, per layer


def initial_value(name, rng, std):
    """A weight's first value: one rng.gauss(0, std) draw; but a LayerNorm
    gain (name ending .g) starts at 1 and a bias (.b: a LayerNorm's, the
    ViT's patch_proj.b; a block's BIASES; or a cell's bias_ih, bias_hh,
    enc.bias_ih, ...) at 0, and PAD's embedding (wte_pad) at 0, drawing
    nothing."""
    if name == "wte_pad" or name.endswith(BIASES):
        return 0.0
    if name.endswith((".g", ".b")) or name.rpartition(".")[2].startswith("bias_"):
        return 1.0 if name.endswith(".g") else 0.0
    return rng.gauss(0, std)


def init_params(config, rng):
    """A dict name -> matrix of fresh Values, in param_shapes order, each
    matrix filled row by row."""
    return {name: [[Value(initial_value(name, rng, config.init_std)) for _ in range(cols)]
                   for _ in range(rows)]
            for name, rows, cols in param_shapes(config)}


def flatten(params):
    """All parameters as one list, in the optimizer's (and reference's) order:
    [p for matrix in params.values() for row in matrix for p in row], with
    the loops in C (training flattens every step)."""
    rows = chain.from_iterable(params.values())  # every row of every matrix, in order
    return list(chain.from_iterable(rows))


def param_count(config):
    """The number of parameters of a model of this config, without building
    it. The shapes of a model of one layer and of two give the size of a
    layer, so even an absurd n_layer costs nothing to count.

    >>> from microgpt.config import Config
    >>> param_count(Config()), param_count(Config(n_layer=4, n_embd=64, block_size=32))
    (4192, 202112)
    """
    one, two = (sum(rows * cols for _, rows, cols in
                    param_shapes(dataclasses.replace(config, n_layer=n))) for n in (1, 2))
    return one + (config.n_layer - 1) * (two - one)
