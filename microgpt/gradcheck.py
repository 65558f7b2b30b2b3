"""
gradcheck.py: are the gradients right? `python -m microgpt.gradcheck`.

Backpropagation computes d loss / d w for every weight in one backward pass.
A finite difference estimates the same number from the definition, with two
extra forward passes per weight:

    d loss / d w  ~  (loss(w + h) - loss(w - h)) / 2h

This module builds a tiny model on a few names, computes both for every
parameter, and reports the worst relative error per weight matrix. Agreement
to about 1e-7 or better (see relative_error) says the engine's local derivatives (value.py) and the
way the model wires them together are right. It exits with status 1 when an
error exceeds the tolerance.

Builds on model.py and training.py's `start`. Slow by design: two forward passes
per parameter, which is why real training uses backpropagation.
"""
from __future__ import annotations

import sys

from . import cli
from .config import Config, ConfigError
from .model import document_loss
from .training import start

DOCS = ["emma", "olivia", "ava", "mia", "zoe", "ivy", "liam", "noah"]


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
    """{matrix name: worst relative error} over every parameter of a fresh model."""
    examples, state = start(docs, config)
    doc_ids = examples[doc_index]

    def loss():
        return document_loss(doc_ids, state.params, state.config)

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


def main(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt.gradcheck",
                           description="Compare backpropagated and finite-difference gradients "
                                       "of every parameter of a tiny model.")
    p.add_argument("--n-layer", type=cli.whole_number(1), default=1)
    p.add_argument("--n-embd", type=cli.whole_number(1), default=8)
    p.add_argument("--n-head", type=cli.whole_number(1), default=2)
    p.add_argument("--block-size", type=cli.whole_number(1), default=8)
    p.add_argument("--seed", type=cli.whole_number(0), default=42)
    p.add_argument("--tolerance", type=cli.number(0, inclusive=False), default=1e-6,
                   help="largest acceptable relative error (default 1e-6)")
    args = p.parse_args(argv)
    config = Config(n_layer=args.n_layer, n_embd=args.n_embd, n_head=args.n_head,
                    block_size=args.block_size, seed=args.seed)
    try:
        config.check()
    except ConfigError as e:
        p.error(e)
    worst = check(config)
    print(f"{'weight matrix':<18} worst relative error")
    for name, err in worst.items():
        flag = "" if err <= args.tolerance else "   <-- too large"
        print(f"{name:<18} {err:.2e}{flag}")
    bad = [name for name, err in worst.items() if err > args.tolerance]
    print(f"{'FAIL' if bad else 'ok'}: worst {max(worst.values()):.2e}, tolerance {args.tolerance:g}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    cli.run(main)
