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
The encoder-decoder (transformer.py) has its own list, seq2seq_shapes, in
the order its docstring gives; the GRU encoder-decoders (bottleneck.py,
bahdanau.py) theirs, gru_seq2seq_shapes; so has the Vision Transformer
(patches.py), vit_shapes: patch_proj (n_embd x patch*patch), its bias
patch_proj.b (1 x n_embd, 0, no draws), cls (1 x n_embd), wpe (block x
n_embd: CLS and every patch), the GPT's layers, head (n_class x n_embd).

A recurrent model (recurrent.py) has PyTorch's names and layout, its G gate
blocks stacked in each matrix (G = 1 for rnn, 3 for gru, 4 for lstm):

    wte (vocab x n_embd), weight_ih, weight_hh (G*n_embd x n_embd),
    bias_ih, bias_hh (1 x G*n_embd), lm_head (vocab x n_embd)

drawn in the order wte, weight_ih, weight_hh, lm_head; the biases start at 0
and draw nothing.

Builds on config.py (ConfigError) and value.py. Left out on purpose: a bias in lm_head
(GPT-2 has none either).
"""
from __future__ import annotations

import dataclasses
from itertools import chain

from .config import ConfigError
from .value import Value


GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # a recurrent cell's gate blocks: h; r z n; i f g o


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
    if config.model == "seq2seq":
        transformer = config.arch == "transformer"
        return seq2seq_shapes(config) if transformer else gru_seq2seq_shapes(config)
    if config.model == "vit":
        return vit_shapes(config)
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


BIASES = ("attn_bq", "attn_bk", "attn_bv", "attn_bo", "mlp_b1", "mlp_b2")  # --bias, per layer
def vit_shapes(config):
    """The Vision Transformer's (patches.py), in its documented order:
    patch_proj and its bias, cls, wpe, the GPT's norms and layers, head.

    >>> from microgpt.config import Config
    >>> vit_shapes(Config(model="vit", patch=2, block_size=17, n_class=10))[:4]
    [('patch_proj', 16, 4), ('patch_proj.b', 1, 16), ('cls', 1, 16), ('wpe', 17, 16)]
    >>> vit_shapes(Config(model="vit", patch=2, block_size=17, n_class=10))[-1]
    ('head', 10, 16)
    """
    e, gpt = config.n_embd, dataclasses.replace(config, model="gpt", pad_to=0)
    shapes = [("patch_proj", e, config.patch ** 2), ("patch_proj.b", 1, e), ("cls", 1, e)]
    shapes += [s for s in param_shapes(gpt) if s[0] == "wpe" or s[0].startswith(("ln_", "layer"))]
    return shapes + [("head", config.n_class, e)]
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


class ParamTable(str):
    """param_table's text; a notebook shows it as an HTML table (plumbing/notebook.py)."""


def param_table(config):
    """Every weight matrix with its shape and count, and the total, as text
    (a ParamTable: a str).

    >>> from microgpt.config import Config
    >>> print(param_table(Config()))
    matrix            shape     count
    wte               27 x 16     432
    wpe               16 x 16     256
    lm_head           27 x 16     432
    layer0.attn_wq    16 x 16     256
    layer0.attn_wk    16 x 16     256
    layer0.attn_wv    16 x 16     256
    layer0.attn_wo    16 x 16     256
    layer0.mlp_fc1    64 x 16    1024
    layer0.mlp_fc2    16 x 64    1024
    total                        4192
    """
    lines = [f"{'matrix':<17} {'shape':<8} {'count':>6}"]
    for name, rows, cols in param_shapes(config):
        lines.append(f"{name:<17} {f'{rows} x {cols}':<8} {rows * cols:>6}")
    lines.append(f"{'total':<26} {param_count(config):>6}")
    return ParamTable("\n".join(lines))
