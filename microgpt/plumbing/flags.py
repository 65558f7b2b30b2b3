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
from ..config import CHOICES, Config, ConfigError


OTHER_ROOMS = {"classifier": "learns which file a line came from: python -m microgpt classify",
               "seq2seq": "learns from source/target pairs: python -m microgpt seq2seq"}


def check_language_model(config):
    """ConfigError unless config is a model that learns to continue documents
    (a GPT or a recurrent baseline), as train, inspect and compare train:
    the other rooms have commands of their own."""
    if config.model in OTHER_ROOMS:
        raise ConfigError(f"--model {config.model} is not a language model trained on "
                          f"documents: it {OTHER_ROOMS[config.model]}")


TRAINING_ONLY = ("steps", "lr", "schedule", "warmup", "val_fraction", "eval_every")  # no gradient moves


def add_run_flags(parser, defaults=None, leave_out=()):
    """Add the flags of a run's shape, training and variants to parser.

    defaults: {Config field: value} the command uses instead of the
    reference's, for --help to show; leave_out: Config fields whose flags
    the command does not take (gradcheck: TRAINING_ONLY).
    """
    d = Config(**(defaults or {}))

    def group(title):  # add(flag, ...) adds to this group, unless its field is left out
        g = parser.add_argument_group(title)

        def add(flag, **kw):
            if kw.get("dest", flag[2:].replace("-", "_")) not in leave_out:
                g.add_argument(flag, **kw)
        return add

    add = group("the model and its training")
    add("--model", choices=CHOICES["model"],
        help="the architecture: gpt (default); rnn (tanh), gru or lstm, a recurrent "
             "baseline with hidden size --n-embd, as PyTorch's cells; classifier, "
             "the encoder of python -m microgpt classify; seq2seq, the encoder-decoder "
             "of python -m microgpt seq2seq")
    add("--steps", type=cli.whole_number(1), help=f"training steps (default {d.steps})")
    add("--seed", type=cli.whole_number(0), help=f"random seed (default {d.seed})")
    add("--n-layer", type=cli.whole_number(1), help=f"transformer blocks (default {d.n_layer})")
    add("--n-embd", type=cli.whole_number(1), help=f"embedding width (default {d.n_embd})")
    add("--n-head", type=cli.whole_number(1), help=f"attention heads (default {d.n_head})")
    add("--block-size", type=cli.whole_number(1), help=f"context length (default {d.block_size})")
    add("--lr", type=cli.number(0, inclusive=False), help=f"Adam learning rate (default {d.lr})")
    add = group("tokens and long documents")
    add("--tokenizer", choices=("char", "bpe"),
        help="char: one token per character (default); bpe: byte-pair encoding "
             "learned from the data, up to --vocab-size tokens")
    add("--vocab-size", dest="bpe_vocab_size", type=cli.whole_number(2), metavar="V",
        help="with --tokenizer bpe: tokens to learn, counting BOS")
    add("--stride", type=cli.whole_number(1), metavar="S",
        help="train on documents longer than the block as windows of block-size + 1 "
             "tokens, S apart (default: truncate them, as the reference does)")
    add = group("textbook variants (each default is the reference's)")
    add("--norm", choices=CHOICES["norm"],
        help="rmsnorm (default), or layernorm: learnable gain and bias, eps 1e-5")
    add("--activation", choices=CHOICES["activation"],
        help="the MLP's: relu (default), or gelu in GPT-2's tanh form")
    add("--position", choices=CHOICES["position"],
        help="learned wpe (default), fixed sinusoidal encodings, or none")
    add("--tie-weights", action="store_const", const=True,
        help="no lm_head: the logits use the token embeddings wte")
    add("--norm-placement", choices=CHOICES["norm_placement"],
        help="pre: x + block(norm(x)) (default); post: norm(x + block(x)), "
             "as in the original paper")
    add("--no-residual", dest="residual", action="store_const", const=False,
        help="the blocks drop their 'x +' term")
    add("--no-attention-scale", dest="attention_scale", action="store_const",
        const=False, help="attention logits are q.k, without the 1/sqrt(head_dim)")
    add("--schedule", choices=CHOICES["schedule"],
        help="the learning rate over the run: linear decay to 0 (default), cosine, "
             "constant, or noam (lr * n_embd**-0.5 * min((s+1)**-0.5, (s+1) * W**-1.5))")
    add("--warmup", type=cli.whole_number(0), metavar="W",
        help="first W steps: the learning rate rises linearly to lr (default 0)")
    add("--label-smoothing", type=cli.fraction(), metavar="E",
        help="each position's loss: (1 - E) * -log p(target) + E * mean over the "
             "vocabulary of -log p (default 0)")
    add("--batch-size", type=cli.whole_number(1), metavar="B",
        help="documents per step; the step's loss is their mean (default 1)")
    add("--val-fraction", type=cli.fraction(one_allowed=False), metavar="F",
        help="hold out the last max(1, round(F * docs)) documents after the shuffle, "
             "never trained on (default 0: no split)")
    add("--eval-every", type=cli.whole_number(1), metavar="K",
        help=f"with --val-fraction: print the held-out loss (the training loss, "
             f"smoothed too under --label-smoothing) every K steps and after the last "
             f"(default {d.eval_every})")
    add = group("masks (attention over the whole sequence: encoder.py)")
    add("--causal-mask", type=on_off, metavar="{on,off}",
        help="on: position i sees positions 0..i (default); off: every position sees "
             "the whole document, the token it must predict included")
    add("--pad-to", type=cli.whole_number(1), metavar="N",
        help="pad each document with a PAD token up to N positions (N <= block "
             "size); the loss never counts PAD positions")
    add("--no-padding-mask", dest="padding_mask", action="store_const", const=False,
        help="with --pad-to: real tokens may attend to PAD (default: PAD keys are "
             "masked, and the results are the unpadded run's)")


def add_encoder_decoder_flags(parser):
    """Add --arch and --score, which encoder-decoder (seq2seq, gradcheck):
    Config fields, read by run_config as the others."""
    g = parser.add_argument_group("the encoder-decoder's architecture (python -m microgpt seq2seq)")
    g.add_argument("--arch", choices=CHOICES["arch"],
                   help="transformer (default): encoder, decoder, cross-attention; gru: a GRU "
                        "encoder whose last state starts a GRU decoder, no attention (the "
                        "bottleneck, 2014); gru-attention: the same with Bahdanau attention (2015)")
    g.add_argument("--score", choices=CHOICES["score"],
                   help="with --arch gru-attention: additive, Bahdanau's v . tanh(W_a s + U_a "
                        "h_j) (default); or dot, Luong's s . h_j")


def on_off(text):
    """--causal-mask's value: on -> True, off -> False."""
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError(f"expected on or off, got {text!r}")
    return text == "on"


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
    """(name, {Config field: value}) of a --variant text "NAME: FLAGS". No
    flag's value holds a ':', so FLAGS start after the last one and a NAME
    may hold some; a NAME is one line of printable characters (a table row).

    >>> parse_variant("wide: --n-embd 32 --no-attention-scale")
    ('wide', {'n_embd': 32, 'attention_scale': False})
    >>> parse_variant("lr 1:10: --lr 0.1")
    ('lr 1:10', {'lr': 0.1})
    """
    name, colon, rest = text.rpartition(":")
    if not colon or not name.strip():
        raise VariantError("expected NAME: FLAGS, as in \"gelu: --activation gelu\"")
    if not name.strip().isprintable():
        raise VariantError(f"the name {name.strip()!r} has a control character (a newline?); "
                           f"a name is one line")
    try:
        argv = shlex.split(rest)
    except ValueError as e:  # an unclosed quote
        raise VariantError(str(e)) from None
    return name.strip(), run_config(VARIANT_FLAGS.parse_args(argv))


def with_variant(common, variant):
    """The settings of a variant run: the flags every run has, then the
    variant's own, which win, and so does what they imply: a variant's
    --tokenizer char drops a shared --vocab-size, which only BPE takes.

    >>> with_variant({"tokenizer": "bpe", "bpe_vocab_size": 60, "steps": 9}, {"tokenizer": "char"})
    {'tokenizer': 'char', 'steps': 9}
    """
    settings = {**common, **variant}
    if variant.get("tokenizer") == "char" and "bpe_vocab_size" not in variant:
        settings.pop("bpe_vocab_size", None)
    return settings
