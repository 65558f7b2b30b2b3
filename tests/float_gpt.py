"""The tests' one GPT forward pass of their own: plain floats, written from
the formulas (the reference's model, and each textbook variant from its
paper), sharing no code with microgpt: no Value, no fused node, no import
of the library. A mistake in microgpt's engine, its attention or a variant's
line cannot hide in both.

    floats(params)                        {name: rows of floats} of microgpt's weights
    forward(ids, w, config, silenced=())  each position of ids read in order: its
                                          stages by name, as microgpt names them
                                          (instruments/stages.py), and every head's
                                          attention weights
    loss(ids, w, config, silenced=())     the mean next-token loss of one document,
                                          label smoothing included

It reads every switch of a GPT config: norm (RMSNorm or LayerNorm with gain
and bias), norm_placement (pre or post), residual, activation (ReLU or GELU),
position (learned, sinusoidal or none), attention_scale, tie_weights,
label_smoothing. silenced: the (layer, head) pairs whose output is taken
as zeros (ablating a head). (PyTorch gives the tests a second, independent
model where it is installed: test_gradients.py, test_encoder.py.)
"""
import math
from collections import namedtuple

Position = namedtuple("Position", "stream attention")  # {stage: floats}, {(layer, head): weights}


def floats(params):
    """microgpt's weights (rows of Values) as rows of floats."""
    return {name: [[p.data for p in row] for row in matrix] for name, matrix in params.items()}


def matmul(m, x):
    return [sum(a * b for a, b in zip(row, x)) for row in m]


def add(a, b):
    return [x + y for x, y in zip(a, b)]


def softmax(zs):
    top = max(zs)
    exps = [math.exp(z - top) for z in zs]
    return [e / sum(exps) for e in exps]


def forward(ids, w, c, silenced=()):
    """[Position] of every token of ids, each read after the ones before it."""

    def norm(x, name):
        if c.norm == "rmsnorm":   # x / sqrt(mean(x^2) + eps)
            return [v * (sum(u * u for u in x) / len(x) + 1e-5) ** -0.5 for v in x]
        mean = sum(x) / len(x)    # LayerNorm: (x - mean) / sqrt(var + eps) * g + b
        var = sum((v - mean) ** 2 for v in x) / len(x)
        return [(v - mean) / math.sqrt(var + 1e-5) * g + b
                for v, g, b in zip(x, w[name + ".g"][0], w[name + ".b"][0])]

    def act(x):
        if c.activation == "relu":
            return [max(0.0, v) for v in x]
        return [0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3))) for v in x]

    def position(t):
        if c.position == "learned":
            return w["wpe"][t]
        if c.position == "none":
            return [0.0] * c.n_embd
        # "Attention Is All You Need": PE(t, 2i) = sin(t / 10000^(2i/d)), PE(t, 2i+1) = cos(...)
        return [math.sin(t / 10000 ** (i / c.n_embd)) if i % 2 == 0 else
                math.cos(t / 10000 ** ((i - 1) / c.n_embd)) for i in range(c.n_embd)]

    hd = c.n_embd // c.n_head
    keys, values = [[] for _ in range(c.n_layer)], [[] for _ in range(c.n_layer)]
    pre, post = c.norm_placement == "pre", c.norm_placement == "post"
    out = []
    for t, token in enumerate(ids):
        s, rows = {"tok_emb": w["wte"][token], "pos_emb": position(t)}, {}
        s["x_emb"] = x = add(s["tok_emb"], s["pos_emb"])
        s["ln_emb"] = x = norm(x, "ln_emb")
        for li in range(c.n_layer):
            L = f"layer{li}."
            s[L + "attn_in"] = res = x
            if pre:
                s[L + "ln_attn"] = x = norm(x, L + "ln_attn")
            q, k, v = (matmul(w[L + n], x) for n in ("attn_wq", "attn_wk", "attn_wv"))
            s[L + "q"], s[L + "k"], s[L + "v"] = q, k, v
            keys[li].append(k)
            values[li].append(v)
            heads = []
            for h in range(c.n_head):
                sl = slice(h * hd, (h + 1) * hd)
                root = math.sqrt(hd) if c.attention_scale else 1.0  # softmax(q.k / sqrt(d_k))
                weights = softmax([sum(a * b for a, b in zip(q[sl], kt[sl])) / root
                                   for kt in keys[li]])
                rows[li, h] = weights
                head = [sum(wt * vt[sl][j] for wt, vt in zip(weights, values[li])) for j in range(hd)]
                heads += [0.0] * hd if (li, h) in silenced else head
            s[L + "heads"] = heads
            s[L + "attn_out"] = x = matmul(w[L + "attn_wo"], heads)
            if c.residual:
                s[L + "attn_residual"] = x = add(x, res)
            if post:
                s[L + "ln_attn"] = x = norm(x, L + "ln_attn")
            s[L + "mlp_in"] = res = x
            if pre:
                s[L + "ln_mlp"] = x = norm(x, L + "ln_mlp")
            s[L + "mlp_fc1"] = x = matmul(w[L + "mlp_fc1"], x)
            s[L + "mlp_hidden"] = x = act(x)
            s[L + "mlp_out"] = x = matmul(w[L + "mlp_fc2"], x)
            if c.residual:
                s[L + "mlp_residual"] = x = add(x, res)
            if post:
                s[L + "ln_mlp"] = x = norm(x, L + "ln_mlp")
        s["logits"] = matmul(w["wte"] if c.tie_weights else w["lm_head"], x)
        out.append(Position(s, rows))
    return out


def loss(ids, w, c, silenced=()):
    """The mean over the first min(block_size, len(ids) - 1) positions of
    (1 - e) * -log p(next token) + e * mean over the vocabulary of -log p(j)."""
    n = min(c.block_size, len(ids) - 1)
    total = 0.0
    for p, target in zip(forward(ids[:n], w, c, silenced), ids[1:n + 1]):
        z = p.stream["logits"]
        top = max(z)
        log_sum = top + math.log(sum(math.exp(v - top) for v in z))
        nll = [log_sum - v for v in z]
        total += (1 - c.label_smoothing) * nll[target] + c.label_smoothing * sum(nll) / len(nll)
    return total / n
