"""
model.py: the GPT itself: the small layers, the forward pass and the loss.

`gpt(token_id, pos_id, keys, values, params, config)` runs one position
through the model and returns the logits for the next token, a score per
vocabulary entry. The key/value cache (`keys`, `values`: one list per layer)
carries what earlier positions left behind; training and sampling call gpt
once per position, in order. It reads line for line as the reference's gpt():

    x = rmsnorm(wte[token] + wpe[pos])
    per layer:  x = x + attn_wo @ attention(rmsnorm(x))     (q, k, v projections inside)
                x = x + mlp_fc2 @ relu(mlp_fc1 @ rmsnorm(x))
    logits = lm_head @ x

Each textbook variant the config switches on is one visible line where it
acts: LayerNorm, post-LN (the norm after the residual, as in "Attention Is
All You Need"), no residual, GELU, tied weights, fixed positions
(positions.py) and the attention scale (attention.py); label smoothing and
the loss on the response only act in the loss. So are GPT-2's three
(biases, which params has only with --bias; a final norm, ln_f; no norm
after the embedding) and the three of today's open models (Llama, Gemma,
Qwen, Mistral): RoPE (positions.rope), grouped-query attention (smaller
attn_wk and attn_wv, shared in attention.py) and SwiGLU (a gated MLP).

On plain floats (weights in arrays, no Values) the same lines run with no
graph (fused.py). What the instruments show comes from here too: gpt()
hands attention's records (`records`) and every stage's vector (`stream`,
named as instruments/stages.py lists them) to a caller who asks.

Builds on attention.py, fused.py, params.py (the weights) and positions.py.
Left out on purpose: dropout (the reference has none).
"""
from __future__ import annotations

from .attention import attention
from .fused import cross_entropy, dot, dots, vsum
from .params import init_params  # the weights gpt() reads, drawn in the reference's order
from .positions import fixed_position, rope


# -------------------------------------------------------------------------
# the small layers: each takes and returns plain lists of Values

def linear(x, w, b=None):
    """w times x: one dot product per row of w; plus b, a bias vector (a
    1 x n_out matrix, as params holds it), when given (--bias: GPT-2's).

    >>> from microgpt.value import Value
    >>> w = [[Value(1.0), Value(0.0)], [Value(2.0), Value(3.0)]]
    >>> [y.data for y in linear([Value(5.0), Value(7.0)], w)]
    [5.0, 31.0]
    """
    return dots(w, x) if b is None else dots(w, x, b[0])  # [dot(w_row, x) + b_i]: (n_out,)


def rmsnorm(x):
    """x / sqrt(mean(x_i^2) + 1e-5): the vector rescaled to unit RMS.

    >>> from microgpt.value import Value
    >>> [round(y.data, 4) for y in rmsnorm([Value(3.0), Value(-3.0)])]
    [1.0, -1.0]
    """
    ms = dot(x, x) / len(x)           # mean square, one Value
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]   # same length as x


def layernorm(x, g, b):
    """(x - mean) / sqrt(var + 1e-5) * g + b: zero mean and unit variance,
    then a learned gain g and bias b per entry (g starts at 1, b at 0).
    The variance divides by n, as PyTorch's does.

    >>> from microgpt.value import Value
    >>> x = [Value(1.0), Value(2.0), Value(6.0)]          # mean 3, var 14/3
    >>> [round(y.data, 4) for y in layernorm(x, [Value(1.0)] * 3, [Value(0.0)] * 3)]
    [-0.9258, -0.4629, 1.3887]
    >>> [round(y.data, 4) for y in layernorm(x, [Value(2.0)] * 3, [Value(0.5)] * 3)]
    [-1.3516, -0.4258, 3.2775]
    """
    mean = vsum(x) / len(x)                        # one Value
    xc = [xi - mean for xi in x]                   # (n,) centred
    scale = (dot(xc, xc) / len(x) + 1e-5) ** -0.5  # 1 / sqrt(var + eps), one Value
    return [ci * scale * gi + bi for ci, gi, bi in zip(xc, g, b)]   # (n,)


def norm(x, params, name, config):
    """rmsnorm(x), the reference's; or, with config.norm "layernorm", LayerNorm
    with its own gain and bias, params[name + ".g"] and params[name + ".b"]."""
    if config.norm == "rmsnorm":
        return rmsnorm(x)
    return layernorm(x, params[name + ".g"][0], params[name + ".b"][0])


def gelu(x):
    """GELU in GPT-2's tanh form, for each entry (Value.gelu: one node each).
    Like relu it keeps large positive inputs and silences large negative
    ones, but it bends smoothly through 0 (and dips a little below it).

    >>> from microgpt.value import Value
    >>> [round(y.data, 4) for y in gelu([Value(-1.0), Value(0.5), Value(2.0)])]
    [-0.1588, 0.3457, 1.9546]
    """
    return [xi.gelu() for xi in x]


def swiglu(gate, up):
    """silu(gate) * up, entry by entry: SwiGLU's gated hidden layer, with
    gate = mlp_fc1 @ x and up = mlp_up @ x (Llama's MLP). silu(z) (Value.silu)
    is near 0 for a large negative z and near z for a large positive one;
    the up arm then scales, and may flip, what the gate lets through.

    >>> from microgpt.value import Value
    >>> [round(y.data, 4) for y in swiglu([Value(-1.0), Value(2.0)], [Value(3.0), Value(-0.5)])]
    [-0.8068, -0.8808]
    """
    return [g.silu() * u for g, u in zip(gate, up)]


def seen(stream, name, x):
    """x, and its floats kept as stream[name] when a caller asked for the
    stages (stream is a dict; None while training)."""
    if stream is not None:
        stream[name] = [xi if isinstance(xi, float) else xi.data for xi in x]
    return x


# -------------------------------------------------------------------------
# the model

def gpt(token_id, pos_id, keys, values, params, config, records=None, stream=None):
    """Logits (vocab_size Values) for the token after token_id at pos_id.

    Appends this position's key and value to keys[layer] and values[layer].
    records: None, or a list that gets attention's per-head records, layer
    after layer (see attention.attention). stream: None, or a dict that gets
    each stage's vector as floats, by name, in the order they are made.
    """
    pre_ln, post_ln = config.norm_placement == "pre", config.norm_placement == "post"
    tok_emb = seen(stream, "tok_emb", params["wte"][token_id])         # (n_embd,)
    pos_emb = seen(stream, "pos_emb", params["wpe"][pos_id] if config.position == "learned"
                   else fixed_position(pos_id, config))                 # sinusoidal, or none
    x = seen(stream, "x_emb", [t + p for t, p in zip(tok_emb, pos_emb)])  # joint embedding
    if config.embedding_norm:  # the reference's; GPT-2 has no norm here
        x = seen(stream, "ln_emb", norm(x, params, "ln_emb", config))
    bias = params.get  # each linear layer's bias vector by name: only --bias has them, else None
    for li in range(config.n_layer):
        layer = f"layer{li}."
        # 1) Multi-head attention block
        x_residual = seen(stream, layer + "attn_in", x)
        if pre_ln:  # the reference's: the norm before the block
            x = seen(stream, layer + "ln_attn", norm(x, params, layer + "ln_attn", config))
        q = seen(stream, layer + "q", linear(x, params[layer + "attn_wq"], bias(layer + "attn_bq")))
        k = seen(stream, layer + "k", linear(x, params[layer + "attn_wk"], bias(layer + "attn_bk")))
        v = seen(stream, layer + "v", linear(x, params[layer + "attn_wv"], bias(layer + "attn_bv")))
        if config.position == "rope":  # RoPE: q and k turned by pos_id, before the cache
            q = seen(stream, layer + "q_rope", rope(q, pos_id, config.head_dim))
            k = seen(stream, layer + "k_rope", rope(k, pos_id, config.head_dim))
        keys[li].append(k)
        values[li].append(v)
        x_attn = seen(stream, layer + "heads", attention(q, keys[li], values[li], config.n_head,
                                                         records, config.attention_scale))
        x = seen(stream, layer + "attn_out", linear(x_attn, params[layer + "attn_wo"],
                                                    bias(layer + "attn_bo")))
        if config.residual:  # the reference's; without it the block's output is all there is
            x = seen(stream, layer + "attn_residual", [a + b for a, b in zip(x, x_residual)])
        if post_ln:  # the paper's: the norm after the residual
            x = seen(stream, layer + "ln_attn", norm(x, params, layer + "ln_attn", config))
        # 2) MLP block
        x_residual = seen(stream, layer + "mlp_in", x)
        if pre_ln:
            x = seen(stream, layer + "ln_mlp", norm(x, params, layer + "ln_mlp", config))
        x_mlp = x  # (n_embd,) the MLP's input: SwiGLU reads it twice
        x = seen(stream, layer + "mlp_fc1", linear(x, params[layer + "mlp_fc1"],
                                                   bias(layer + "mlp_b1")))  # (4 * n_embd,)
        if config.activation == "swiglu":  # Llama's gated MLP: silu(mlp_fc1 x) * (mlp_up x)
            x = swiglu(x, seen(stream, layer + "mlp_up", linear(x_mlp, params[layer + "mlp_up"],
                                                                bias(layer + "mlp_bu"))))
        else:
            x = [xi.relu() for xi in x] if config.activation == "relu" else gelu(x)
        x = seen(stream, layer + "mlp_hidden", x)
        x = seen(stream, layer + "mlp_out", linear(x, params[layer + "mlp_fc2"],
                                                   bias(layer + "mlp_b2")))  # (n_embd,)
        if config.residual:
            x = seen(stream, layer + "mlp_residual", [a + b for a, b in zip(x, x_residual)])
        if post_ln:
            x = seen(stream, layer + "ln_mlp", norm(x, params, layer + "ln_mlp", config))
    if config.final_norm:  # GPT-2's ln_f: one more norm before lm_head
        x = seen(stream, "ln_f", norm(x, params, "ln_f", config))
    lm_head = params["wte"] if config.tie_weights else params["lm_head"]  # tied: wte[j] . x
    logits = seen(stream, "logits", linear(x, lm_head))                 # (vocab_size,)
    return logits


def document_loss(doc_ids, params, config):
    """Mean cross-entropy of predicting each next token of one document.

    doc_ids is [BOS, ids of the characters..., BOS] (Tokenizer.encode_document).
    Only the first block_size positions are trained on (longer documents are
    truncated). With label smoothing, each position's loss is smoothed
    (fused.cross_entropy).
    With config.loss_on "response" (doc_ids an sft.Prompted), the mean is
    over the positions from doc_ids.start on: the response's, not the prompt's.
    Returns one Value: call .backward() on it for the gradients.

    >>> import random
    >>> from microgpt.config import Config
    >>> params = init_params(Config(), random.Random(42))  # untrained: about log(27) = 3.30
    >>> round(document_loss([26, 4, 12, 12, 0, 26], params, Config()).data, 4)  # BOS e m m a BOS
    3.2252
    """
    n = min(config.block_size, len(doc_ids) - 1)
    keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
    losses = []
    for pos_id in range(n):
        token_id, target_id = doc_ids[pos_id], doc_ids[pos_id + 1]
        logits = gpt(token_id, pos_id, keys, values, params, config)
        losses.append(cross_entropy(logits, target_id, config.label_smoothing))  # -log p(target)
    losses = losses[doc_ids.start:] if config.loss_on == "response" else losses  # SFT: not the prompt's
    return (1 / len(losses)) * vsum(losses)
