"""
flags.py: the flags that set a run's Config, written once.

train, gradcheck and compare take the same flags for a run: its shape and
training (--steps, --n-embd, --lr, ...), its tokens (--tokenizer bpe,
--stride), and every textbook variant (--norm layernorm, --warmup, ...).
Each flag's dest is its Config field and its default None, so `run_config`
can tell the flags given from the ones left at the reference's value.
The flags check only their own values (the flag types); whether settings
go together (--vocab-size needs --tokenizer bpe) is Config.check's to say.

Builds on config.py and cli.py (the flag types).
"""
from __future__ import annotations

import argparse
import dataclasses
import shlex

from . import cli
from ..config import ACTIVATIONS, NORM_PLACEMENTS, NORMS, POSITIONS, SCHEDULES, Config


def add_run_flags(parser):
    """Add the flags of a run's shape, training and variants to parser."""
    d = Config()
    g = parser.add_argument_group("the model and its training")
    g.add_argument("--steps", type=cli.whole_number(1), help=f"training steps (default {d.steps})")
    g.add_argument("--seed", type=cli.whole_number(0), help=f"random seed (default {d.seed})")
    g.add_argument("--n-layer", type=cli.whole_number(1), help=f"transformer blocks (default {d.n_layer})")
    g.add_argument("--n-embd", type=cli.whole_number(1), help=f"embedding width (default {d.n_embd})")
    g.add_argument("--n-head", type=cli.whole_number(1), help=f"attention heads (default {d.n_head})")
    g.add_argument("--block-size", type=cli.whole_number(1), help=f"context length (default {d.block_size})")
    g.add_argument("--lr", type=cli.number(0, inclusive=False), help=f"Adam learning rate (default {d.lr})")
    g = parser.add_argument_group("tokens and long documents")
    g.add_argument("--tokenizer", choices=("char", "bpe"),
                   help="char: one token per character (default); bpe: byte-pair encoding "
                        "learned from the data, up to --vocab-size tokens")
    g.add_argument("--vocab-size", dest="bpe_vocab_size", type=cli.whole_number(2), metavar="V",
                   help="with --tokenizer bpe: tokens to learn, counting BOS")
    g.add_argument("--stride", type=cli.whole_number(1), metavar="S",
                   help="train on documents longer than the block as windows of block-size + 1 "
                        "tokens, S apart (default: truncate them, as the reference does)")
    g = parser.add_argument_group("textbook variants (each default is the reference's)")
    g.add_argument("--norm", choices=NORMS,
                   help="rmsnorm (default), or layernorm: learnable gain and bias, eps 1e-5")
    g.add_argument("--activation", choices=ACTIVATIONS,
                   help="the MLP's: relu (default), or gelu in GPT-2's tanh form")
    g.add_argument("--position", choices=POSITIONS,
                   help="learned wpe (default), fixed sinusoidal encodings, or none")
    g.add_argument("--tie-weights", action="store_const", const=True,
                   help="no lm_head: the logits use the token embeddings wte")
    g.add_argument("--norm-placement", choices=NORM_PLACEMENTS,
                   help="pre: x + block(norm(x)) (default); post: norm(x + block(x)), "
                        "as in the original paper")
    g.add_argument("--no-residual", dest="residual", action="store_const", const=False,
                   help="the blocks drop their 'x +' term")
    g.add_argument("--no-attention-scale", dest="attention_scale", action="store_const",
                   const=False, help="attention logits are q.k, without the 1/sqrt(head_dim)")
    g.add_argument("--schedule", choices=SCHEDULES,
                   help="the learning rate over the run: linear decay to 0 (default), cosine, "
                        "constant, or noam (lr * n_embd**-0.5 * min((s+1)**-0.5, (s+1) * W**-1.5))")
    g.add_argument("--warmup", type=cli.whole_number(0), metavar="W",
                   help="first W steps: the learning rate rises linearly to lr (default 0)")
    g.add_argument("--label-smoothing", type=cli.fraction(), metavar="E",
                   help="each position's loss: (1 - E) * -log p(target) + E * mean over the "
                        "vocabulary of -log p (default 0)")
    g.add_argument("--batch-size", type=cli.whole_number(1), metavar="B",
                   help="documents per step; the step's loss is their mean (default 1)")
    g.add_argument("--val-fraction", type=cli.fraction(one_allowed=False), metavar="F",
                   help="hold out the last max(1, round(F * docs)) documents after the shuffle, "
                        "never trained on (default 0: no split)")
    g.add_argument("--eval-every", type=cli.whole_number(1), metavar="K",
                   help=f"with --val-fraction: print the held-out loss (the training loss, "
                        f"smoothed too under --label-smoothing) every K steps and after the last "
                        f"(default {d.eval_every})")


def run_config(args):
    """{Config field: value} of every flag given whose dest is a Config field."""
    return {f.name: getattr(args, f.name) for f in dataclasses.fields(Config)
            if getattr(args, f.name, None) is not None}


# -------------------------------------------------------------------------
# compare's --variant "NAME: FLAGS"

class VariantError(Exception):
    """A --variant text that cannot be read."""


class _VariantParser(argparse.ArgumentParser):
    def error(self, message):
        raise VariantError(message)


VARIANT_FLAGS = _VariantParser(prog="--variant", add_help=False)
add_run_flags(VARIANT_FLAGS)


def parse_variant(text):
    """(name, {Config field: value}) of a --variant text "NAME: FLAGS".

    >>> parse_variant("wide: --n-embd 32 --no-attention-scale")
    ('wide', {'n_embd': 32, 'attention_scale': False})
    """
    name, colon, rest = text.partition(":")
    if not colon or not name.strip():
        raise VariantError("expected NAME: FLAGS, as in \"gelu: --activation gelu\"")
    try:
        argv = shlex.split(rest)
    except ValueError as e:  # an unclosed quote
        raise VariantError(str(e)) from None
    return name.strip(), run_config(VARIANT_FLAGS.parse_args(argv))
