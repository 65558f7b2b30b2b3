"""
gradcheck.py: the command `python -m microgpt gradcheck`: backpropagated
gradients against finite differences, for every parameter of a tiny model.

finite_differences.py does the work; this module parses flags, refuses a
model too big to check in reasonable time, and prints the worst relative
error per weight matrix. It exits with status 1 when one exceeds the
tolerance.

It takes train's flags (flags.add_run_flags), so every textbook variant, and
any mix of them, can be checked: `--norm layernorm --activation gelu
--label-smoothing 0.1 --batch-size 3`, say, or a recurrent model: `--model
lstm`, the Vision Transformer on 4 x 4 images: `--model vit --patch 1`,
or an encoder-decoder: `--model seq2seq` (`--arch gru`, `--arch
gru-attention --score dot`). The model is tiny unless told otherwise
(n_embd 8, 2 heads, block 8: --help shows these defaults). Flags that only
steer training (steps, lr, schedule, warmup, the held-out split) do not
change a gradient, so gradcheck does not take them.

Builds on catalog.py (check), config.py, params.py, finite_differences.py, and the plumbing's
cli.py, flags.py and memory.py.
"""
from __future__ import annotations

import math
import sys

from ..architectures import catalog
from ..config import RECURRENT, Config, ConfigError
from ..instruments.finite_differences import DOCS, IMAGES, check
from ..params import param_count
from ..plumbing import cli, flags
from ..plumbing.memory import FORWARD_SECONDS_PER_EDGE, check_fits, human_time, step_edges

TINY = {"n_embd": 8, "n_head": 2, "block_size": 8}  # the command's model, unless told otherwise
LONGEST = 3600  # seconds: a check estimated to take longer is refused


def positions(config, docs=DOCS):
    """The positions of check's example: the first document's, or an image's tokens."""
    return config.block_size if config.model == "vit" else len(docs[0]) + 1


def seconds_needed(config, docs=DOCS):
    """About how long check(config, docs) takes: two forward passes per parameter.

    >>> round(seconds_needed(Config(**TINY, vocab_size=12)), 1)   # it takes about 2 s
    1.9
    """
    return 2 * param_count(config) * step_edges(config, positions(config, docs)) * FORWARD_SECONDS_PER_EDGE


def main(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt gradcheck",
                           description="Compare backpropagated and finite-difference gradients "
                                       "of every parameter of a tiny model.")
    p.add_argument("--tolerance", type=cli.number(0, inclusive=False), default=1e-6,
                   help="largest acceptable relative error (default %(default)g)")
    flags.add_run_flags(p, defaults=TINY, leave_out=flags.TRAINING_ONLY)  # what moves a gradient
    flags.add_image_flags(p, leave_out=("pixel_max",))
    flags.add_encoder_decoder_flags(p)
    args = p.parse_args(argv)
    given = flags.run_config(args)
    if given.get("model") == "classifier":  # as classify makes it: no causal mask, two classes
        given = {"causal_mask": False, **given, "model": "classifier", "n_class": 2}
    if args.model == "seq2seq":
        given = {**given, "model": "seq2seq"}
    if "patch" in given and args.model != "vit":
        p.error("--patch cuts the images of --model vit into patches: give --model vit too")
    if args.model == "vit":  # as images.plan makes it from IMAGES: 4 x 4 pixels, three classes
        if "block_size" in given:
            p.error("--block-size does not apply to --model vit: its block is CLS and the patches")
        side, patch = math.isqrt(len(IMAGES[0][0])), given.get("patch", Config().patch)
        given = {**given, "causal_mask": False, "image_size": side, "n_class": 3,
                 "block_size": 1 + (side // patch) ** 2, "vocab_size": 1}
    vocab_size = len(set("".join(DOCS))) + 1  # as start() will find it (BPE: at most this plus merges)
    headless = given.get("model") in RECURRENT or given.get("arch", "transformer") != "transformer"
    tiny = {"n_embd": 8, "block_size": 8} if headless else TINY  # no heads
    try:
        config = Config(**{**tiny, "vocab_size": vocab_size, **given})
        catalog.check(config)
        check_fits(config, positions(config))
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
