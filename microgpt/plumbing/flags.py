"""
flags.py: the flags that set a run's Config, written once.

train, gradcheck and compare take the same flags for a run: its shape and
training (--steps, --n-embd, --lr, ...), its tokens (--tokenizer bpe,
--stride), and every textbook variant (--norm layernorm, --warmup, ...).
Each flag's dest is its Config field and its default the field's (or the
command's own, where it differs), which --help states; `run_config` takes
the flags given (cli.ArgumentParser knows them), so a resumed run can tell
a flag given from one left at its default. A flag a command cannot honour
is refused in one line (not_here), never accepted and then ignored.
The flags check only their own values (the flag types); whether settings
go together (--vocab-size needs --tokenizer bpe) is Config.check's to say.

The other rooms' flags (--init, --patch, --score) are rooms.py's, reached
from here too; compare's --variant "NAME: FLAGS", recipes.py's. Builds on
config.py, cli.py, argtypes.py (on_off) and rooms.py.
"""
from __future__ import annotations

import argparse
import dataclasses

from . import cli
from ..config import ARCHITECTURES, CHOICES, Config, ConfigError
from .argtypes import on_off
from .rooms import (add_encoder_decoder_flags, add_finetuning_flags,  # noqa: F401 (flags.add_image_flags)
                    add_image_flags, check_language_model)


TRAINING_ONLY = ("steps", "lr", "optimizer", "schedule", "warmup", "val_fraction",
                 "eval_every")  # no gradient moves


def add_run_flags(parser, defaults=None, leave_out=(), not_here=(), what="", computed=None):
    """Add the flags of a run's shape, training and variants to parser.

    defaults: {Config field: value} the command uses instead of the
    reference's: each flag's default is its field's (argparse's default,
    which --help states with %(default)s: one source); computed: {Config
    field: words} of the defaults the command works out from its data (the
    flag's default is then None, and --help says "default: words");
    leave_out: Config fields whose flags the command does not have
    (gradcheck: TRAINING_ONLY); not_here: fields whose flags the command
    knows but cannot honour: each is refused in one line, "--model lstm
    does not apply to WHAT".
    """
    d = Config(**(defaults or {}))
    computed = {"kv_heads": "one per query head",  # 0 in Config: no flag's value
                "arch": "the reference's GPT; an encoder-decoder's, transformer",
                **(computed or {})}

    def group(title):  # add(flag, ...) adds to this group, unless its field is left out
        g = parser.add_argument_group(title)

        def add(flag, **kw):
            field = kw.get("dest", flag[2:].replace("-", "_"))
            if field in not_here:
                g.add_argument(flag, action=NotHere, nargs=0 if "const" in kw else None,
                               dest=field, default=argparse.SUPPRESS, help=argparse.SUPPRESS,
                               const=what)
            elif field in (computed or {}):
                kw["help"] = kw["help"].replace("default %(default)s", f"default: {computed[field]}")
                g.add_argument(flag, default=None, **kw)
            elif field not in leave_out:
                default = getattr(d, field, None)  # --arch: no field of its own
                if kw.get("type") is on_off:  # said, and parsed, as on or off
                    default = "on" if default else "off"
                g.add_argument(flag, default=default, **kw)
        return add

    add = group("the model and its training")
    add("--model", choices=CHOICES["model"],
        help="the architecture: gpt; rnn (tanh), gru or lstm, a recurrent "
             "baseline with hidden size --n-embd, as PyTorch's cells; classifier, "
             "the encoder of python -m microgpt classify; seq2seq, the encoder-decoder "
             "of python -m microgpt seq2seq; mlm, the encoder of python -m microgpt mlm "
             "(default %(default)s)")
    add("--steps", type=cli.whole_number(1), help="training steps (default %(default)s)")
    add("--seed", type=cli.whole_number(0), help="random seed (default %(default)s)")
    add("--n-layer", type=cli.whole_number(1), help="transformer blocks (default %(default)s)")
    add("--n-embd", type=cli.whole_number(1), help="embedding width (default %(default)s)")
    add("--n-head", type=cli.whole_number(1), help="attention heads (default %(default)s)")
    add("--block-size", type=cli.whole_number(1), help="context length (default %(default)s)")
    add("--lr", type=cli.number(0, inclusive=False),
        help="learning rate, Adam's or SGD's (default %(default)s)")
    add("--optimizer", choices=CHOICES["optimizer"],
        help="adam (the reference's), or sgd: plain gradient descent, "
             "p -= lr_t * grad, with the same --schedule (default %(default)s)")
    add = group("tokens and long documents")
    add("--tokenizer", choices=("char", "bpe"),
        help="char: one token per character; bpe: byte-pair encoding "
             "learned from the data, up to --vocab-size tokens (default %(default)s)")
    add("--vocab-size", dest="bpe_vocab_size", type=cli.whole_number(2), metavar="V",
        help="with --tokenizer bpe: tokens to learn, counting BOS")
    add("--stride", type=cli.whole_number(1), metavar="S",
        help="train on documents longer than the block as windows of block-size + 1 "
             "tokens, S apart (default %(default)s: no windows; a long document is "
             "truncated, as the reference does)")
    add = group("textbook variants (each default is the reference's)")
    add("--norm", choices=CHOICES["norm"],
        help="rmsnorm, or layernorm: learnable gain and bias, eps 1e-5 (default %(default)s)")
    add("--activation", choices=CHOICES["activation"],
        help="the MLP's: relu, gelu in GPT-2's tanh form, or swiglu: "
             "mlp_fc2(silu(mlp_fc1 x) * (mlp_up x)), Llama's gated MLP, one more matrix "
             "(default %(default)s)")
    add("--position", choices=CHOICES["position"],
        help="learned wpe, fixed sinusoidal encodings, none, or rope: no wpe, "
             "each head's q and k turned by an angle pos * 10000 ** (-2j / head_dim) "
             "(Llama's rotary positions; head_dim must be even) (default %(default)s)")
    add("--kv-heads", type=cli.whole_number(1), metavar="G",
        help="grouped-query attention: the --n-head query heads share G key/value heads "
             "(G divides --n-head; 1: multi-query attention); attn_wk, attn_wv and the "
             "cache shrink by n_head / G (default %(default)s)")
    add("--tie-weights", action="store_const", const=True,
        help="no lm_head: the logits use the token embeddings wte")
    add("--norm-placement", choices=CHOICES["norm_placement"],
        help="pre: x + block(norm(x)); post: norm(x + block(x)), "
             "as in the original paper (default %(default)s)")
    add("--no-residual", dest="residual", action="store_const", const=False,
        help="the blocks drop their 'x +' term")
    add("--no-attention-scale", dest="attention_scale", action="store_const",
        const=False, help="attention logits are q.k, without the 1/sqrt(head_dim)")
    add("--bias", action="store_const", const=True,
        help="every linear layer in the blocks adds a bias vector (q, k, v, the "
             "attention output, both MLP layers; not lm_head), as GPT-2's")
    add("--final-norm", action="store_const", const=True,
        help="a norm of x before lm_head (GPT-2's ln_f)")
    add("--no-embedding-norm", dest="embedding_norm", action="store_const", const=False,
        help="no norm right after wte + wpe (GPT-2 has none)")
    add("--arch", choices=sorted(ARCHITECTURES) + list(CHOICES["arch"]),
        help="gpt2: GPT-2's architecture, all six of --norm layernorm --activation gelu "
             "--tie-weights --bias --final-norm --no-embedding-norm (a flag given beside "
             "it wins); an encoder-decoder's (--model seq2seq): transformer, gru (a GRU "
             "encoder whose last state starts a GRU decoder, no attention: the bottleneck, "
             "2014) or gru-attention (the same with Bahdanau attention, 2015) "
             "(default %(default)s)")
    add("--schedule", choices=CHOICES["schedule"],
        help="the learning rate over the run: linear decay to 0, cosine, "
             "constant, or noam (lr * n_embd**-0.5 * min((s+1)**-0.5, (s+1) * W**-1.5)) "
             "(default %(default)s)")
    add("--warmup", type=cli.whole_number(0), metavar="W",
        help="first W steps: the learning rate rises linearly to lr (default %(default)s)")
    add("--label-smoothing", type=cli.fraction(), metavar="E",
        help="each position's loss: (1 - E) * -log p(target) + E * mean over the "
             "vocabulary of -log p (default %(default)s)")
    add("--batch-size", type=cli.whole_number(1), metavar="B",
        help="documents per step; the step's loss is their mean (default %(default)s)")
    add("--val-fraction", type=cli.fraction(one_allowed=False), metavar="F",
        help="hold out the last max(1, round(F * docs)) documents after the shuffle, "
             "never trained on (default %(default)s; 0: no split)")
    add("--eval-every", type=cli.whole_number(1), metavar="K",
        help="with --val-fraction: print the held-out loss (the training loss, "
             "smoothed too under --label-smoothing) every K steps and after the last "
             "(default %(default)s)")
    add = group("masks (attention over the whole sequence: encoder.py)")
    add("--causal-mask", type=on_off, metavar="{on,off}",
        help="on: position i sees positions 0..i; off: every position sees "
             "the whole document, the token it must predict included (default %(default)s)")
    add("--pad-to", type=cli.whole_number(1), metavar="N",
        help="pad each document with a PAD token up to N positions (N <= block "
             "size); the loss never counts PAD positions")
    add("--no-padding-mask", dest="padding_mask", action="store_const", const=False,
        help="with --pad-to: real tokens may attend to PAD (default: PAD keys are "
             "masked, and the results are the unpadded run's)")


class NotHere(argparse.Action):
    """A run flag the command cannot honour (add_run_flags' not_here):
    refused in one line, never accepted and then ignored."""

    def __call__(self, parser, namespace, values, option_string=None):
        value = f" {values}" if values not in (None, []) else ""
        parser.error(f"{option_string}{value} does not apply to {self.const}")



def check_used(config, given):
    """ConfigError for a flag given (given: run_config's) that a run of
    config would not use: --eval-every without a held-out split to print,
    an encoder-decoder's --arch on another model.

    >>> check_used(Config(), {"eval_every": 5})
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: --eval-every 5 prints the held-out loss: it needs a held-out split (--val-fraction F)
    """
    if given.get("arch") in CHOICES["arch"] and config.model != "seq2seq":  # a default's too
        raise ConfigError(f"--arch {given['arch']} picks an encoder-decoder: it needs --model "
                          f"seq2seq (python -m microgpt seq2seq --arch {given['arch']})")
    if "eval_every" in given and not config.val_fraction:
        raise ConfigError(f"--eval-every {given['eval_every']} prints the held-out loss: it needs "
                          f"a held-out split (--val-fraction F)")


def run_config(args):
    """{Config field: value} of every flag given whose dest is a Config field
    (args.given: cli.ArgumentParser's; a flag left at its default is not in
    it), and of an --arch's settings, under the flags given beside it."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(Config)
             if f.name in args.given}
    if given.get("arch") in ARCHITECTURES:  # --arch gpt2: GPT-2's settings, not a Config.arch
        return {**ARCHITECTURES[given.pop("arch")], **given}
    return given
