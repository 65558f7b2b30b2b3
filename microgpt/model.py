"""
model.py: the GPT itself: parameters, MLP, the forward pass and the loss.

`gpt(token_id, pos_id, keys, values, params, config)` runs one position
through the model and returns the logits for the next token, a score per
vocabulary entry. The key/value cache (`keys`, `values`: one list per layer)
carries what earlier positions left behind; train.py and generate.py call gpt
once per position, in order.

One position, top to bottom:
    x = wte[token] + wpe[pos]; rmsnorm
    per layer:  x = x + attn_wo @ attention(rmsnorm(x))     (q, k, v projections inside)
                x = x + mlp_fc2 @ relu(mlp_fc1 @ rmsnorm(x))
    logits = lm_head @ x

Parameters are plain data: a dict of named matrices, each a list of rows of
Values. `init_params` fills them with random.gauss draws in the reference's
order, which matters: it fixes the random stream and so every printed number.

Builds on config.py, layers.py and attention.py. Left out on purpose: biases, weight
tying, dropout, a final norm before lm_head (the reference has none).
"""
from __future__ import annotations

from .attention import attention
from .layers import linear, rmsnorm
from .fused import cross_entropy, vsum
from .value import Value


def param_shapes(config):
    """(name, rows, cols) of every weight matrix, in the reference's order.

    >>> from microgpt.config import Config
    >>> [(n, r, c) for n, r, c in param_shapes(Config())][:3]
    [('wte', 27, 16), ('wpe', 16, 16), ('lm_head', 27, 16)]
    """
    e = config.n_embd
    shapes = [("wte", config.vocab_size, e), ("wpe", config.block_size, e),
              ("lm_head", config.vocab_size, e)]
    for i in range(config.n_layer):
        shapes += [(f"layer{i}.attn_wq", e, e), (f"layer{i}.attn_wk", e, e),
                   (f"layer{i}.attn_wv", e, e), (f"layer{i}.attn_wo", e, e),
                   (f"layer{i}.mlp_fc1", 4 * e, e), (f"layer{i}.mlp_fc2", e, 4 * e)]
    return shapes


def init_params(config, rng):
    """A dict name -> matrix of fresh Values, each one rng.gauss(0, init_std)
    draw, matrices in param_shapes order, each filled row by row."""
    std = config.init_std
    return {name: [[Value(rng.gauss(0, std)) for _ in range(cols)] for _ in range(rows)]
            for name, rows, cols in param_shapes(config)}


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


def mlp(x, fc1, fc2):
    """fc2 @ relu(fc1 @ x): widen to 4*n_embd, keep the positive part, narrow back."""
    h = [hi.relu() for hi in linear(x, fc1)]  # (4 * n_embd,)
    return linear(h, fc2)                     # (n_embd,)


def kv_cache(config):
    """An empty key/value cache: (keys, values), one list per layer."""
    return [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]


def gpt(token_id, pos_id, keys, values, params, config, trace=None):
    """Logits (vocab_size Values) for the token after token_id at pos_id.

    Appends this position's key and value to keys[layer] and values[layer].
    trace: None, or a list that gets attention's per-head records, layer
    after layer (see attention.attention).
    """
    tok_emb = params["wte"][token_id]                  # (n_embd,)
    pos_emb = params["wpe"][pos_id]                    # (n_embd,)
    x = [t + p for t, p in zip(tok_emb, pos_emb)]      # (n_embd,)
    x = rmsnorm(x)
    for li in range(config.n_layer):
        layer = f"layer{li}."
        # 1) multi-head attention block
        x_residual = x
        x = rmsnorm(x)
        q = linear(x, params[layer + "attn_wq"])       # (n_embd,) each
        k = linear(x, params[layer + "attn_wk"])
        v = linear(x, params[layer + "attn_wv"])
        keys[li].append(k)
        values[li].append(v)
        x_attn = attention(q, keys[li], values[li], config.n_head, trace)  # (n_embd,)
        x = linear(x_attn, params[layer + "attn_wo"])
        x = [a + b for a, b in zip(x, x_residual)]
        # 2) MLP block
        x_residual = x
        x = mlp(rmsnorm(x), params[layer + "mlp_fc1"], params[layer + "mlp_fc2"])
        x = [a + b for a, b in zip(x, x_residual)]
    return linear(x, params["lm_head"])                # (vocab_size,)


def document_loss(doc_ids, params, config):
    """Mean cross-entropy of predicting each next token of one document.

    doc_ids is [BOS, ids of the characters..., BOS] (Tokenizer.encode_document).
    Only the first block_size positions are trained on (longer documents are
    truncated).
    Returns one Value: call .backward() on it for the gradients.
    """
    n = min(config.block_size, len(doc_ids) - 1)
    keys, values = kv_cache(config)
    losses = []
    for pos_id in range(n):
        token_id, target_id = doc_ids[pos_id], doc_ids[pos_id + 1]
        logits = gpt(token_id, pos_id, keys, values, params, config)
        losses.append(cross_entropy(logits, target_id))  # -log p(target)
    return (1 / n) * vsum(losses)
