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

It takes train's flags (flags.add_run_flags), so every textbook variant, and
any mix of them, can be checked: `--norm layernorm --activation gelu
--label-smoothing 0.1 --batch-size 3`, say. The model is tiny unless told
otherwise (n_embd 8, 2 heads, block 8); the loss is that of training's first
step. Flags that only steer training (steps, lr, schedule, warmup, the
held-out split's evaluation) do not change a gradient.

Builds on training.py's `start` and `batch_loss`. Slow by design: two forward
passes per parameter, which is why real training uses backpropagation.
"""
from __future__ import annotations

import sys

from . import cli, flags
from .config import Config, ConfigError
from .size import FORWARD_SECONDS_PER_EDGE, check_fits, human_time, param_count, step_edges
from .training import batch_loss, start

DOCS = ["emma", "olivia", "ava", "mia", "zoe", "ivy", "liam", "noah"]
TINY = {"n_embd": 8, "n_head": 2, "block_size": 8}  # the command's model, unless told otherwise
LONGEST = 3600  # seconds: a check estimated to take longer is refused


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
    examples, state = start(docs, config)

    def loss():
        return batch_loss(examples, doc_index, state.params, state.config)

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


def seconds_needed(config, docs=DOCS):
    """About how long check(config, docs) takes: two forward passes per parameter.

    >>> round(seconds_needed(Config(**TINY, vocab_size=12)), 1)   # it takes about 2 s
    1.9
    """
    return 2 * param_count(config) * step_edges(config, len(docs[0]) + 1) * FORWARD_SECONDS_PER_EDGE


def main(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt.gradcheck",
                           description="Compare backpropagated and finite-difference gradients "
                                       "of every parameter of a tiny model.")
    p.add_argument("--tolerance", type=cli.number(0, inclusive=False), default=1e-6,
                   help="largest acceptable relative error (default 1e-6)")
    flags.add_run_flags(p)  # the model's shape (here n_embd 8, 2 heads, block 8) and its variants
    args = p.parse_args(argv)
    given = flags.run_config(args)
    vocab_size = len(set("".join(DOCS))) + 1  # as start() will find it (BPE: up to --vocab-size)
    config = Config(**{**TINY, "vocab_size": vocab_size, **given})
    try:
        flags.check_run_flags(given)
        config.check()
        check_fits(config, len(DOCS[0]) + 1)
        if seconds_needed(config) > LONGEST:
            raise ConfigError(f"checking {param_count(config):,} parameters, two forward passes "
                              f"each, would take about {human_time(seconds_needed(config))}; "
                              f"gradcheck is for small models (the default: --n-embd 8)")
        worst = check(config)
    except ConfigError as e:
        p.error(e)
    print(f"{'weight matrix':<18} worst relative error")
    for name, err in worst.items():
        flag = "" if err <= args.tolerance else "   <-- too large"
        print(f"{name:<18} {err:.2e}{flag}")
    bad = [name for name, err in worst.items() if err > args.tolerance]
    print(f"{'FAIL' if bad else 'ok'}: worst {max(worst.values()):.2e}, tolerance {args.tolerance:g}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    cli.run(main)
