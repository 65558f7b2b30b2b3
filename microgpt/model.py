"""
model.py: the GPT itself: parameters, MLP, the forward pass and the loss.

`gpt(token_id, pos_id, keys, values, params, config)` runs one position
through the model and returns the logits for the next token, a score per
vocabulary entry. The key/value cache (`keys`, `values`: one list per layer)
carries what earlier positions left behind; train.py and generate.py call gpt
once per position, in order.

One position, top to bottom (the reference's choices):
    x = wte[token] + wpe[pos]; rmsnorm
    per layer:  x = x + attn_wo @ attention(rmsnorm(x))     (q, k, v projections inside)
                x = x + mlp_fc2 @ relu(mlp_fc1 @ rmsnorm(x))
    logits = lm_head @ x

The config switches textbook variants on, each where its idea lives (norms
and GELU in layers.py, positions in positions.py, the attention scale in
attention.py); here: post-LN blocks, blocks without their "x +", tied
weights (the logits use wte) and label smoothing in the loss.

Parameters are plain data: a dict of named matrices, each a list of rows of
Values. `init_params` fills them with random.gauss draws in the reference's
order, which fixes the random stream and so every printed number. LayerNorm's
gains and biases start at constants and draw nothing.

Builds on config.py, layers.py, positions.py and attention.py. Left out on
purpose: biases, dropout, a final norm before lm_head (the reference has none).
"""
from __future__ import annotations

from .attention import attention
from .layers import gelu, layernorm, linear, relu, rmsnorm
from .fused import cross_entropy, vsum
from .positions import embed
from .value import Value


def param_shapes(config):
    """(name, rows, cols) of every weight matrix, in the reference's order.

    A variant leaves out what it does not use (wpe, lm_head) and adds
    LayerNorm's gain (.g) and bias (.b) where a norm is applied.

    >>> from microgpt.config import Config
    >>> [(n, r, c) for n, r, c in param_shapes(Config())][:3]
    [('wte', 27, 16), ('wpe', 16, 16), ('lm_head', 27, 16)]
    >>> [n for n, r, c in param_shapes(Config(norm="layernorm", tie_weights=True))][:5]
    ['wte', 'wpe', 'ln_emb.g', 'ln_emb.b', 'layer0.ln_attn.g']
    """
    e = config.n_embd
    shapes = [("wte", config.vocab_size, e)]
    if config.position == "learned":
        shapes.append(("wpe", config.block_size, e))
    if not config.tie_weights:
        shapes.append(("lm_head", config.vocab_size, e))
    gain_bias = lambda name: [(name + ".g", 1, e), (name + ".b", 1, e)]  # one LayerNorm's
    layernorm = config.norm == "layernorm"
    shapes += gain_bias("ln_emb") if layernorm else []
    for i in range(config.n_layer):
        shapes += gain_bias(f"layer{i}.ln_attn") if layernorm else []
        shapes += [(f"layer{i}.attn_wq", e, e), (f"layer{i}.attn_wk", e, e),
                   (f"layer{i}.attn_wv", e, e), (f"layer{i}.attn_wo", e, e)]
        shapes += gain_bias(f"layer{i}.ln_mlp") if layernorm else []
        shapes += [(f"layer{i}.mlp_fc1", 4 * e, e), (f"layer{i}.mlp_fc2", e, 4 * e)]
    return shapes


def init_params(config, rng):
    """A dict name -> matrix of fresh Values, in param_shapes order, each
    matrix filled row by row: a weight is one rng.gauss(0, init_std) draw; a
    LayerNorm gain starts at 1 and a bias at 0, drawing nothing."""
    return {name: [[Value(initial_value(name, rng, config.init_std)) for _ in range(cols)]
                   for _ in range(rows)]
            for name, rows, cols in param_shapes(config)}


def initial_value(name, rng, std):
    """A weight's first value: one rng.gauss(0, std) draw; but a LayerNorm
    gain (name ending .g) starts at 1 and a bias (.b) at 0, drawing nothing."""
    if name.endswith((".g", ".b")):
        return 1.0 if name.endswith(".g") else 0.0
    return rng.gauss(0, std)


def flatten(params):
    """All parameters as one list, in the optimizer's (and reference's) order."""
    return [p for matrix in params.values() for row in matrix for p in row]


def param_table(params):
    """Every weight matrix with its shape and count, and the total, as text.

    >>> import random
    >>> from microgpt.config import Config
    >>> print(param_table(init_params(Config(), random.Random(0))))
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
    for name, matrix in params.items():
        shape = f"{len(matrix)} x {len(matrix[0])}"
        lines.append(f"{name:<17} {shape:<8} {len(matrix) * len(matrix[0]):>6}")
    lines.append(f"{'total':<26} {sum(len(m) * len(m[0]) for m in params.values()):>6}")
    return "\n".join(lines)


def norm(x, params, name, config):
    """rmsnorm(x), the reference's; or LayerNorm with the gain and bias params[name + '.g'/'.b']."""
    if config.norm == "rmsnorm":
        return rmsnorm(x)
    return layernorm(x, params[name + ".g"][0], params[name + ".b"][0])


def mlp(x, fc1, fc2, activation="relu"):
    """fc2 @ act(fc1 @ x): widen to 4*n_embd, keep the positive part (relu,
    or its smooth cousin gelu), narrow back."""
    h = linear(x, fc1)                                      # (4 * n_embd,)
    h = relu(h) if activation == "relu" else gelu(h)
    return linear(h, fc2)                                   # (n_embd,)


def kv_cache(config):
    """An empty key/value cache: (keys, values), one list per layer."""
    return [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]


def sublayer(x, block, norm_name, params, config):
    """One block of a layer with its norm and residual connection:

        pre-LN (the reference's, GPT-2's):   x + block(norm(x))
        post-LN (the original paper's):      norm(x + block(x))

    Without the residual the "x +" goes: block(norm(x)), or norm(block(x)).

    >>> from microgpt.config import Config
    >>> from microgpt.value import Value
    >>> x, double = [Value(3.0), Value(-1.0)], lambda h: [2 * hi for hi in h]
    >>> for config in (Config(), Config(norm_placement="post"), Config(residual=False)):
    ...     print([round(y.data, 4) for y in sublayer(x, double, "", {}, config)])
    [5.6833, -1.8944]
    [1.3416, -0.4472]
    [2.6833, -0.8944]
    """
    if config.norm_placement == "pre":
        y = block(norm(x, params, norm_name, config))
        return [a + b for a, b in zip(y, x)] if config.residual else y
    y = block(x)
    return norm([a + b for a, b in zip(y, x)] if config.residual else y, params, norm_name, config)


def gpt(token_id, pos_id, keys, values, params, config, trace=None):
    """Logits (vocab_size Values) for the token after token_id at pos_id.

    Appends this position's key and value to keys[layer] and values[layer].
    trace: None, or a list that gets attention's per-head records, layer
    after layer (see attention.attention).
    """
    x = embed(token_id, pos_id, params, config)        # (n_embd,) token + position
    x = norm(x, params, "ln_emb", config)
    for li in range(config.n_layer):
        layer = f"layer{li}."

        def attention_block(x):  # 1) multi-head attention
            q = linear(x, params[layer + "attn_wq"])   # (n_embd,) each
            k = linear(x, params[layer + "attn_wk"])
            v = linear(x, params[layer + "attn_wv"])
            keys[li].append(k)
            values[li].append(v)
            x_attn = attention(q, keys[li], values[li], config.n_head, trace,
                               config.attention_scale)  # (n_embd,)
            return linear(x_attn, params[layer + "attn_wo"])

        def mlp_block(x):        # 2) MLP
            return mlp(x, params[layer + "mlp_fc1"], params[layer + "mlp_fc2"], config.activation)

        x = sublayer(x, attention_block, layer + "ln_attn", params, config)
        x = sublayer(x, mlp_block, layer + "ln_mlp", params, config)
    lm_head = params["wte"] if config.tie_weights else params["lm_head"]  # tied: logits_j = wte[j] . x
    return linear(x, lm_head)                          # (vocab_size,)


def document_loss(doc_ids, params, config):
    """Mean cross-entropy of predicting each next token of one document.

    doc_ids is [BOS, ids of the characters..., BOS] (Tokenizer.encode_document).
    Only the first block_size positions are trained on (longer documents are
    truncated). With label smoothing E, each position's loss is
    (1 - E) * -log p(target) + E * (mean over the vocabulary of -log p(j)).
    Returns one Value: call .backward() on it for the gradients.
    """
    n = min(config.block_size, len(doc_ids) - 1)
    keys, values = kv_cache(config)
    losses = []
    for pos_id in range(n):
        token_id, target_id = doc_ids[pos_id], doc_ids[pos_id + 1]
        logits = gpt(token_id, pos_id, keys, values, params, config)
        losses.append(cross_entropy(logits, target_id, config.label_smoothing))  # -log p(target)
    return (1 / n) * vsum(losses)
