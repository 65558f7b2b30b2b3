"""
recurrent.py: the recurrent language models attention replaced: RNN, GRU, LSTM.

A recurrent model reads a document one token at a time and carries all it
has read in one state vector, the hidden state h (the LSTM also carries a
cell state c), of width n_embd. Each step is one cell: PyTorch's RNNCell,
GRUCell or LSTMCell, equation for equation (sigma is the sigmoid, * is
entry by entry, W_i* x + b_i* a gate's rows of weight_ih and bias_ih):

    rnn:   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
    gru:   r  = sigma(W_ir x + b_ir + W_hr h + b_hr)          reset gate
           z  = sigma(W_iz x + b_iz + W_hz h + b_hz)          update gate
           n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))     candidate
           h' = (1 - z) * n + z * h
    lstm:  i  = sigma(W_ii x + b_ii + W_hi h + b_hi)          input gate
           f  = sigma(W_if x + b_if + W_hf h + b_hf)          forget gate
           g  = tanh(W_ig x + b_ig + W_hg h + b_hg)           candidate
           o  = sigma(W_io x + b_io + W_ho h + b_ho)          output gate
           c' = f * c + i * g
           h' = o * tanh(c')

The whole model: x_t = wte[token_t] (no position embedding: the recurrence
gives the order), h_0 = c_0 = 0, logits_t = lm_head @ h_t; the loss is the
GPT's, the mean next-token cross-entropy over the document's first
block_size positions. The weights are drawn (params.py) in the order wte,
weight_ih, weight_hh, lm_head, each row by row; the biases start at 0 and
draw nothing. Step t cannot start before step t - 1 is done: nothing runs
in parallel, and the gradient from a late loss to an early input passes
through every cell in between (python -m microgpt longrange measures it).

Builds on config.py, value.py, fused.py, model.py (linear) and params.py (GATES). Left out on purpose:
stacked layers, dropout, bidirectional reading.
"""
from __future__ import annotations

from ..config import Config, ConfigError
from ..fused import cross_entropy, vsum
from ..model import linear
from ..params import GATES
from ..value import Value


NOT_HERE = {"n_head": "it has no attention", "attention_scale": "it has no attention",
            "n_layer": "it is one recurrent cell", "norm": "it has no norms",
            "norm_placement": "it has no norms", "residual": "it has no residual stream",
            "activation": "it has no MLP", "position": "the recurrence gives the order",
            "tie_weights": "its lm_head is its own", "bias": "its cell has PyTorch's biases",
            "final_norm": "it has no norms", "embedding_norm": "it has no norms",
            "causal_mask": "it reads in order: there is no attention to mask",
            "pad_to": "it reads one token at a time: nothing to pad",
            "kv_heads": "it has no attention"}


def check(config):
    """A recurrent model is one cell of width n_embd: the GPT's block
    settings do not apply to it (each must keep its default).

    >>> check(Config(model="lstm", n_head=2))
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: n_head=2 does not apply to the lstm model: it has no attention
    """
    keep_defaults(config, NOT_HERE, f"the {config.model} model")


def keep_defaults(config, not_here, what):
    """ConfigError naming the first setting of not_here ({field: why}) that
    is not the reference's: it does not apply to what (a model, in words)."""
    reference = Config()
    for name, why in not_here.items():
        if getattr(config, name) != getattr(reference, name):
            raise ConfigError(f"{name}={getattr(config, name)!r} does not apply to {what}: {why}")


def step_edges(config, positions):
    """About how many edges the graph of one training step has, on documents
    of `positions` positions (catalog.gpt_step_edges is the GPT's): per position,
    the cell's G blocks of gates (params.GATES: 1, 3, 4) read 4 * G * n_embd**2
    (weight, input) pairs, about 10 * G * n_embd more for the gates' own
    arithmetic, and lm_head 2 * vocab * n_embd. No attention: it grows as
    T, not T^2.

    >>> step_edges(Config(model="lstm"), 16)   # the graph has 89,281
    89600
    """
    e, g, T = config.n_embd, GATES[config.model], min(positions, config.block_size)
    return config.batch_size * T * (4 * g * e * e + 10 * g * e + 2 * config.vocab_size * e)


def affine(x, w, b):
    """w @ x + b: a linear layer with a bias row b (a list of Values)."""
    return [y + bi for y, bi in zip(linear(x, w), b)]


def gates(x, h, p, n, name=""):
    """The input's and the hidden state's parts of every gate, split in n
    blocks of n_embd: ([W_i* x + b_i*, ...], [W_h* h + b_h*, ...]). name:
    the weights' prefix (an encoder-decoder's two cells: "enc.", "dec.")."""
    xs = affine(x, p[name + "weight_ih"], p[name + "bias_ih"][0])   # (n * n_embd,)
    hs = affine(h, p[name + "weight_hh"], p[name + "bias_hh"][0])   # (n * n_embd,)
    e = len(h)
    return ([xs[k * e:(k + 1) * e] for k in range(n)],
            [hs[k * e:(k + 1) * e] for k in range(n)])


# -------------------------------------------------------------------------
# the cells: state in, state out; a state is (h,) or, for the LSTM, (h, c)

def rnn_cell(x, state, p):
    """The Elman RNN, PyTorch's RNNCell with tanh."""
    (h,) = state
    (x_h,), (h_h,) = gates(x, h, p, 1)
    h = [(a + b).tanh() for a, b in zip(x_h, h_h)]                      # (n_embd,)
    return (h,)


def gru_cell(x, state, p, name=""):
    """PyTorch's GRUCell: gates r, z, n in that order (weights name + "weight_ih", ...)."""
    (h,) = state
    (x_r, x_z, x_n), (h_r, h_z, h_n) = gates(x, h, p, 3, name)
    r = [(a + b).sigmoid() for a, b in zip(x_r, h_r)]                   # reset gate
    z = [(a + b).sigmoid() for a, b in zip(x_z, h_z)]                   # update gate
    n = [(a + r_j * b).tanh() for a, r_j, b in zip(x_n, r, h_n)]        # candidate
    h = [(1 - z_j) * n_j + z_j * h_j for z_j, n_j, h_j in zip(z, n, h)]
    return (h,)


def lstm_cell(x, state, p):
    """PyTorch's LSTMCell: gates i, f, g, o in that order."""
    h, c = state
    (x_i, x_f, x_g, x_o), (h_i, h_f, h_g, h_o) = gates(x, h, p, 4)
    i = [(a + b).sigmoid() for a, b in zip(x_i, h_i)]                   # input gate
    f = [(a + b).sigmoid() for a, b in zip(x_f, h_f)]                   # forget gate
    g = [(a + b).tanh() for a, b in zip(x_g, h_g)]                      # candidate
    o = [(a + b).sigmoid() for a, b in zip(x_o, h_o)]                   # output gate
    c = [f_j * c_j + i_j * g_j for f_j, c_j, i_j, g_j in zip(f, c, i, g)]
    h = [o_j * c_j.tanh() for o_j, c_j in zip(o, c)]
    return (h, c)


CELLS = {"rnn": rnn_cell, "gru": gru_cell, "lstm": lstm_cell}


# -------------------------------------------------------------------------
# the model

def initial_state(config):
    """h_0 = 0 (and c_0 = 0 for the LSTM): before the first token, nothing read."""
    zeros = lambda: [Value(0.0) for _ in range(config.n_embd)]
    return (zeros(), zeros()) if config.model == "lstm" else (zeros(),)


def recurrent(token_id, state, params, config):
    """(logits for the token after token_id, the new state): one step.

    >>> from random import Random
    >>> from microgpt.config import Config
    >>> from microgpt.params import init_params
    >>> c = Config(model="lstm", n_embd=4, vocab_size=5)
    >>> logits, (h, cell) = recurrent(0, initial_state(c), init_params(c, Random(0)), c)
    >>> len(logits), len(h), len(cell)
    (5, 4, 4)
    """
    x = params["wte"][token_id]                                         # (n_embd,)
    state = CELLS[config.model](x, state, params)
    logits = linear(state[0], params["lm_head"])                        # (vocab_size,) from h
    return logits, state


def document_loss(doc_ids, params, config):
    """Mean cross-entropy of predicting each next token of one document, as
    model.document_loss: the first block_size positions, label smoothing too."""
    n = min(config.block_size, len(doc_ids) - 1)
    state = initial_state(config)
    losses = []
    for pos_id in range(n):
        token_id, target_id = doc_ids[pos_id], doc_ids[pos_id + 1]
        logits, state = recurrent(token_id, state, params, config)
        losses.append(cross_entropy(logits, target_id, config.label_smoothing))
    return (1 / n) * vsum(losses)


def reader(params, config):
    """generate.sample's reader for a recurrent model: read(tokens) feeds the
    tokens not read yet through the cell, its state carrying what it has
    read in place of a cache (there is no block to slide past), and returns
    the logits for the next token."""
    state, fed = [initial_state(config)], [0]

    def read(tokens):
        for token_id in tokens[fed[0]:]:
            logits, state[0] = recurrent(token_id, state[0], params, config)
        fed[0] = len(tokens)
        return logits
    return read
