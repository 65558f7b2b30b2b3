"""
grad_norms.py: how big each layer's gradient is, after one backward pass.

`grad_norms(params)` gives, for each layer and each matrix outside the
layers, the L2 norm of its weights' gradients (the square root of the sum
of every .grad squared), in the order the forward pass uses them. Read
between backward and Adam (training.train_step's `gradients` argument),
it shows what the residual and post-LN experiments are about: without the
residual, the bottom layers' gradients vanish (docs/experiments.md).
`python -m microgpt.train FILE --log-grad-norms K` prints it every K steps.

Builds on nothing in microgpt: it reads the .grad of the parameter Values.
Left out on purpose: norms per matrix (a layer is the unit the experiments
compare) and clipping (optim.py leaves it out too).
"""
from __future__ import annotations

import math

HEADS = ("lm_head", "cls_head")  # the output layer: the last a forward pass uses


def grad_norms(params):
    """{group: the L2 norm of the gradients of its weights}, every entry of
    every matrix in the group: a layer (layer0.attn_wq, layer0.mlp_fc1, ...
    are "layer0"), or a matrix outside the layers (wte, wpe, ln_emb),
    in the order the forward pass uses them (the output layer last).

    >>> from microgpt.value import Value
    >>> params = {"wte": [[Value(0.0)]], "lm_head": [[Value(0.0)]],
    ...           "layer0.attn_wq": [[Value(0.0)]], "layer0.mlp_fc1": [[Value(0.0)]]}
    >>> params["wte"][0][0].grad, params["layer0.attn_wq"][0][0].grad = 1.0, 3.0
    >>> params["layer0.mlp_fc1"][0][0].grad = 4.0
    >>> grad_norms(params)
    {'wte': 1.0, 'layer0': 5.0, 'lm_head': 0.0}
    """
    squares = {}  # group -> sum of its gradients squared
    names = [n for n in params if n not in HEADS] + [n for n in params if n in HEADS]
    for name in names:
        group = name.split(".")[0]
        total = sum(p.grad ** 2 for row in params[name] for p in row)
        squares[group] = squares.get(group, 0.0) + total
    return {group: math.sqrt(total) for group, total in squares.items()}
