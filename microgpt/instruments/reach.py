"""
reach.py: how far back a model reaches: three measurements on long documents.

- `recall_accuracy`: on the recall task (recall.py), how often the model's
  most likely token after reading a document up to and including "=" is the
  key letter it read at the start.
- `input_gradient_norms`: the norm of the gradient of the loss at the final
  prediction with respect to the input vector each position read. A
  recurrent model passes that gradient back through every cell in between,
  multiplying it by each step's Jacobian: it falls off geometrically with
  the distance. Attention reaches every earlier position in one step.
- `depth_and_edges`: the longest path through the graph of a document's
  loss from the first position's input, and the graph's number of edges.
  A recurrent model's path grows with the length T (step after step,
  nothing in parallel); the GPT's stays flat while its work grows with T^2.

Each reads the document with `read`, which gives every position its own
copy of its token's embedding, so that each position's input has a gradient
of its own; the model computes what it always does. The tables at the end
print the three for several models and gaps (python -m microgpt longrange).

Builds on value.py, config.py, fused.py, model.py, recurrent.py and
generate.py (argmax).
Left out on purpose: averaging over many seeds (run again with another).
"""
from __future__ import annotations

import dataclasses
import math

from ..config import RECURRENT
from ..fused import cross_entropy, vsum
from ..generate import argmax
from ..model import gpt
from ..architectures.recurrent import initial_state, recurrent
from ..value import Value, topological_order


def read(params, config, ids):
    """(logits at every position, the input vector each position read) for
    the model reading ids (at most block_size of them) from the start."""
    inputs = [[Value(w.data) for w in params["wte"][i]] for i in ids]  # (T, n_embd): fresh leaves
    # position t reads row t of this table; tied weights keep the real wte as lm_head
    p = {**params, "wte": inputs, "lm_head": params.get("lm_head", params["wte"])}
    config = dataclasses.replace(config, tie_weights=False)
    logits = []
    if config.model in RECURRENT:
        state = initial_state(config)
        for t in range(len(ids)):
            out, state = recurrent(t, state, p, config)
            logits.append(out)
    else:
        keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
        for t in range(len(ids)):
            logits.append(gpt(t, t, keys, values, p, config))
    return logits, inputs


def recall_accuracy(params, config, tokenizer, docs, each=None):
    """The share of docs (recall documents) whose last letter is the model's
    most likely next token after reading BOS and the rest, "=" included.
    each: None, or a function called with n after the n-th document (a
    progress line)."""
    right = 0
    for n, doc in enumerate(docs, 1):
        ids = [tokenizer.bos] + tokenizer.encode(doc[:-1])
        logits, _ = read(params, config, ids)
        right += argmax([z.data for z in logits[-1]]) == tokenizer.encode(doc[-1])[0]
        if each is not None:
            each(n)
    return right / len(docs)


def input_gradient_norms(params, config, ids):
    """[|d loss / d x_t| for each position t] where the loss is the final
    prediction's, -log p(ids[-1]) after reading ids[:-1], and x_t the input
    vector position t read. Index T - 1 - t is the distance from the end."""
    logits, inputs = read(params, config, ids[:-1])
    cross_entropy(logits[-1], ids[-1]).backward()
    return [math.sqrt(sum(v.grad ** 2 for v in x)) for x in inputs]


def longest_path(root, sources):
    """The most edges on a path from any of sources (leaf Values) up to root;
    None when root does not depend on them.

    >>> a, b = Value(1.0), Value(2.0)
    >>> longest_path((a * b + a) * b, [a])     # a -> a*b -> +a -> *b
    3
    """
    depth = {id(s): 0 for s in sources}
    for node in topological_order(root):  # children first
        reached = [depth[id(c)] for c in node._children if id(c) in depth]
        if reached:
            depth[id(node)] = 1 + max(reached)
    return depth.get(id(root))


def edge_count(root):
    """The number of child links in root's graph: the work of a forward pass.

    >>> a = Value(1.0)
    >>> edge_count(a * a + a)
    4
    """
    return sum(len(node._children) for node in topological_order(root))


def depth_and_edges(params, config, ids):
    """(longest path from position 0's input to the document's loss, edges
    in that loss's graph): the mean next-token loss over ids, as training's."""
    logits, inputs = read(params, config, ids[:-1])
    losses = [cross_entropy(z, target) for z, target in zip(logits, ids[1:])]
    loss = (1 / len(losses)) * vsum(losses)
    return longest_path(loss, inputs[0]), edge_count(loss)


# -------------------------------------------------------------------------
# the three, as tables of text: a run not done (or cut short) shows as -

def accuracy_table(acc, models, gaps, n):
    lines = [f"held-out accuracy of the prediction after '=' ({n} documents a gap; chance 0.125; "
             f"-: not trained)", f"{'model':<6}" + "".join(f"{f'gap {g}':>9}" for g in gaps)]
    for m in models:
        lines.append(f"{m:<6}" + "".join(f"{acc[m, g]:>9.2f}" if (m, g) in acc else f"{'-':>9}"
                                         for g in gaps))
    return lines


def shown_distances(T, gap):
    """0, 1, 2, 4, 8, ... below T, and the key's distance (gap + 1)."""
    ds = sorted({2 ** k for k in range(int(math.log2(T)) + 1) if 2 ** k < T} | {0, gap + 1})
    return [d for d in ds if d < T]


def gradient_table(norms, gap, n):
    T = len(next(iter(norms.values())))
    lines = [f"|d loss / d x_t| of the final prediction (the key after '='), fresh weights, gap "
             f"{gap} (T = {T} positions), mean of {n} documents",
             f"{'distance':<12}" + "".join(f"{m:>10}" for m in norms)]
    for d in shown_distances(T, gap):
        label = f"{d} (key)" if d == gap + 1 else str(d)
        lines.append(f"{label:<12}" + "".join(f"{norms[m][T - 1 - d]:>10.1e}" for m in norms))
    return lines


def depth_table(depth, models, Ts):
    lines = ["longest path from position 0's input to the document's loss / graph edges, "
             "at T positions",
             f"{'T':<5}" + "".join(f"{m:>18}" for m in models)]
    for g, T in Ts.items():
        lines.append(f"{T:<5}" + "".join(f"{f'{depth[m, g][0]} / {depth[m, g][1]:,}':>18}"
                                         if (m, g) in depth else f"{'-':>18}" for m in models))
    return lines
