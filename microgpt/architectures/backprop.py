"""
backprop.py: a neural language model whose backward pass is written out by
hand, on plain floats.

The model is Bengio et al.'s (2003, "A Neural Probabilistic Language
Model"), as makemore builds it: the three tokens up to the current one
(BOS where the document has none yet), each embedded as a row of C, side by
side; one tanh hidden layer; a score per token of the vocabulary:

    x = C[t-2] ++ C[t-1] ++ C[t]       (3 * n_embd,)  ++ puts vectors side by side
    h = tanh(W1 x + b1)                (3 * n_embd,)
    logits = W2 h + b2                 (vocab_size,)
    loss = -log softmax(logits)[target]

A document's loss is the mean over its first n = min(block_size, len - 1)
positions, as the GPT's. Its gradients, derived with the chain rule from
the loss down, one position at a time (p = softmax(logits); [i == target]
is 1 for the target, else 0; each position's share of the mean is 1/n):

    dlogits_i = (p_i - [i == target]) / n      softmax and cross-entropy together
    dW2_ij += dlogits_i * h_j                  db2_i += dlogits_i
    dh_j    = sum_i W2_ij * dlogits_i
    da_j    = dh_j * (1 - h_j * h_j)           tanh'(a) = 1 - tanh(a) ** 2
    dW1_jk += da_j * x_k                       db1_j += da_j
    dx_k    = sum_j W1_jk * da_j
    dC[the token in x_k's slot] += dx_k        (a token in two slots gets both)

Nothing here is a Value: every number is a float, and a test checks every
gradient against finite differences. Training is plain gradient descent, w
-= lr_t * dw, lr_t the schedule's (optim.sgd_step's rule). neural_lm.py
builds the same model on Value, and backward() finds these gradients.

The weights, drawn row by row in this order with gauss(0, init_std): C
(vocab x n_embd), W1 (3 n_embd x 3 n_embd), W2 (vocab x 3 n_embd); the
biases b1 and b2 start at 0 and draw nothing. 4,107 parameters on names.

Builds on fused.py (softmax_data, neg_log_prob), optim.py (the learning
rate, Diverged)
and value.py (generate.sample reads logits as Values). Left out on purpose:
batches, Bengio's direct connections from x to the logits, weight decay.
"""
from __future__ import annotations

import math

from ..fused import neg_log_prob, softmax_data
from ..optim import MAX_GRADIENT, Diverged, learning_rate
from ..value import Value

CONTEXT = 3  # tokens the model reads: the current one and the two before it


def shapes(config):
    """(name, rows, cols) of every weight matrix, in the order they are drawn.

    >>> from microgpt.config import Config
    >>> shapes(Config(n_embd=16, vocab_size=27))
    [('C', 27, 16), ('W1', 48, 48), ('b1', 1, 48), ('W2', 27, 48), ('b2', 1, 27)]
    """
    e, width, V = config.n_embd, CONTEXT * config.n_embd, config.vocab_size
    return [("C", V, e), ("W1", width, width), ("b1", 1, width), ("W2", V, width), ("b2", 1, V)]


def count(config):
    """The number of weights: 4,107 for names (vocab 27, n_embd 16)."""
    return sum(rows * cols for _, rows, cols in shapes(config))


def draw_weights(config, rng):
    """{name: rows of floats}: gauss(0, init_std) row by row, biases 0 (no draw)."""
    return {name: [[0.0 if name.startswith("b") else rng.gauss(0, config.init_std)
                    for _ in range(cols)] for _ in range(rows)]
            for name, rows, cols in shapes(config)}


def contexts(doc_ids, config):
    """(context, target) of the first min(block_size, len - 1) positions:
    the CONTEXT tokens up to each position, BOS (the document's first
    token) before the start.

    >>> from microgpt.config import Config
    >>> contexts([5, 1, 2, 3, 5], Config(block_size=16))[:3]   # BOS = 5
    [((5, 5, 5), 1), ((5, 5, 1), 2), ((5, 1, 2), 3)]
    """
    n = min(config.block_size, len(doc_ids) - 1)
    padded = [doc_ids[0]] * (CONTEXT - 1) + list(doc_ids)
    return [(tuple(padded[pos:pos + CONTEXT]), doc_ids[pos + 1]) for pos in range(n)]


def affine(w, b, x):
    """w x + b on floats: a dot product per row, added up left to right from
    0 as fused.dots adds, then the bias."""
    out = []
    for row, b_i in zip(w, b):
        acc = 0.0
        for w_ij, x_j in zip(row, x):
            acc += w_ij * x_j
        out.append(acc + b_i)
    return out


def forward(context, w):
    """(x, h, logits) of one position: what the backward pass reads again."""
    x = [c for token in context for c in w["C"][token]]          # (3 * n_embd,)
    h = [math.tanh(a) for a in affine(w["W1"], w["b1"][0], x)]   # (3 * n_embd,)
    return x, h, affine(w["W2"], w["b2"][0], h)                  # logits: (vocab_size,)


def document_loss(doc_ids, w, config):
    """The document's mean loss per position (a float): forward passes only."""
    pairs = contexts(doc_ids, config)
    total = 0.0
    for context, target in pairs:
        logits = forward(context, w)[2]
        total += neg_log_prob(logits, softmax_data(logits), target)  # -log p[target]
    return (1 / len(pairs)) * total


def loss_and_gradients(doc_ids, w, config):
    """(the document's mean loss, {name: gradient rows, w's shapes}): the
    forward pass and, position by position, the backward pass of the
    module's docstring."""
    grads = {name: [[0.0] * len(row) for row in m] for name, m in w.items()}
    dC, dW1, db1, dW2, db2 = (grads[name] for name in ("C", "W1", "b1", "W2", "b2"))
    W1, W2, e = w["W1"], w["W2"], len(w["C"][0])
    pairs = contexts(doc_ids, config)
    share, total = 1 / len(pairs), 0.0  # each position's share of the mean
    for context, target in pairs:
        x, h, logits = forward(context, w)
        p = softmax_data(logits)
        total += neg_log_prob(logits, p, target)  # -log p[target], finite if p[target] underflows
        dlogits = [(p_i - (i == target)) * share for i, p_i in enumerate(p)]      # (vocab,)
        dh = [0.0] * len(h)
        for i, d in enumerate(dlogits):  # logits_i = W2_i . h + b2_i
            db2[0][i] += d
            for j, h_j in enumerate(h):
                dW2[i][j] += d * h_j
                dh[j] += W2[i][j] * d
        da = [d * (1 - h_j * h_j) for d, h_j in zip(dh, h)]                      # (3 * n_embd,)
        dx = [0.0] * len(x)
        for j, d in enumerate(da):       # a_j = W1_j . x + b1_j
            db1[0][j] += d
            for k, x_k in enumerate(x):
                dW1[j][k] += d * x_k
                dx[k] += W1[j][k] * d
        for slot, token in enumerate(context):  # x's slot s is C[token], entries s*e .. s*e+e-1
            for m in range(e):
                dC[token][m] += dx[slot * e + m]
    return share * total, grads


def train_step(w, examples, step, config):
    """One step of gradient descent on examples[step % len(examples)]; its
    loss. Raises Diverged, the weights unchanged, when the loss or the
    gradient's norm is not a finite number (optim.check_finite's rule)."""
    loss, grads = loss_and_gradients(examples[step % len(examples)], w, config)
    norm = math.hypot(*[g for m in grads.values() for row in m for g in row])  # optim.check_finite's
    if not (math.isfinite(loss) and norm < MAX_GRADIENT):                     # rule
        raise Diverged(f"the loss is {loss}" if not math.isfinite(loss)
                       else f"the gradient's norm is {norm:.3g}")
    lr_t = learning_rate(step, config)
    for name, m in w.items():
        for row, grad_row in zip(m, grads[name]):
            for k, g in enumerate(grad_row):
                row[k] -= lr_t * g  # optim.sgd_step's p -= lr_t * grad, on a float
    return loss


def reader(w, config):
    """generate.sample's reader: read(tokens) -> the logits after the last
    CONTEXT tokens (BOS before the start), as Values (the sampler reads .data)."""
    def read(tokens):
        context = ([tokens[0]] * CONTEXT + tokens)[-CONTEXT:]
        return [Value(z) for z in forward(context, w)[2]]
    return read
