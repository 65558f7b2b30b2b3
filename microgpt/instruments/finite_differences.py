"""
finite_differences.py: are the gradients right? Backpropagation checked
against the definition of a derivative.

Backpropagation computes d loss / d w for every weight in one backward pass.
A finite difference estimates the same number from the definition, with two
extra forward passes per weight:

    d loss / d w  ~  (loss(w + h) - loss(w - h)) / 2h

`check(config)` builds a fresh model of that config on a few names, computes
both for every parameter, and returns the worst relative error per weight
matrix. Agreement to about 1e-7 or better says the engine's local
derivatives (value.py, fused.py) and the way the model wires them together
are right. The loss is that of training's first step. A classifier's config
(model "classifier") is checked on DOCS split into two classes, every other
name in each; an encoder-decoder's (model "seq2seq") on DOCS reversed
(pairs.task_pairs); a Vision Transformer's (model "vit") on IMAGES, four
hand-drawn 4 x 4 images of three classes (images.plan: image_size 4).

Builds on training.py (batch_loss), catalog.py (start), bert.py, images.py, mlm.py
and pairs.py (plan). Slow by design: two forward passes per parameter, which is why real training uses backpropagation.
`python -m microgpt gradcheck` runs it from the command line.
"""
from __future__ import annotations

from ..architectures import bert, catalog, images, mlm, pairs
from ..training import batch_loss, start_planned

DOCS = ["emma", "olivia", "ava", "mia", "zoe", "ivy", "liam", "noah"]
IMAGES = [([0, 16, 16, 0,  16, 0, 0, 16,  16, 0, 0, 16,  0, 16, 16, 0], 0),   # a ring
          ([0, 0, 16, 0,  0, 8, 16, 0,  0, 0, 16, 0,  0, 0, 16, 0], 1),      # a stroke
          ([16, 16, 16, 0,  0, 0, 8, 16,  0, 12, 16, 0,  16, 16, 16, 16], 2),  # a bend
          ([0, 12, 12, 0,  12, 0, 0, 12,  12, 0, 4, 12,  0, 12, 12, 0], 0)]   # a fainter ring


def relative_error(a, b, floor=1e-4):
    """|a - b| relative to the larger magnitude, floored at 1e-4.

    Why the floor: a finite difference carries rounding noise of about
    eps * loss / h, ~1e-11 here, so it cannot resolve 6 digits of a gradient
    smaller than ~1e-5. Below the floor this is |a - b| / 1e-4, an absolute test.

    >>> relative_error(1.0, 1.0 + 1e-9) < 1e-8
    True
    >>> relative_error(2.4590e-07, 2.4585e-07) < 1e-6   # tiny gradients: absolute
    True
    """
    return abs(a - b) / max(abs(a), abs(b), floor)


def check(config, docs=DOCS, doc_index=0, h=1e-5):
    """{matrix name: worst relative error} over every parameter of a fresh model.

    The loss is training's at step doc_index: the document at doc_index, or
    with batch_size B the mean over B documents from there.
    """
    if config.model == "classifier":
        examples, state = start_planned(bert.plan([docs[0::2], docs[1::2]], config))
    elif config.model == "seq2seq":
        examples, state = start_planned(pairs.plan(pairs.task_pairs("reverse", docs), config))
    elif config.model == "mlm":
        examples, state = start_planned(mlm.plan(docs, config))
    elif config.model == "vit":
        examples, state = start_planned(images.plan(IMAGES, config))
    else:
        examples, state = catalog.start(docs, config)

    def loss():
        return batch_loss(examples, doc_index, state.params, state.config, state.loss)

    loss().backward()
    worst = {}
    for name, matrix in state.params.items():
        worst[name] = 0.0
        for row in matrix:
            for p in row:
                analytic, original = p.grad, p.data
                p.data = original + h
                up = loss().data
                p.data = original - h
                down = loss().data
                p.data = original
                numeric = (up - down) / (2 * h)
                worst[name] = max(worst[name], relative_error(analytic, numeric))
    return worst
