"""
wording.py: how the commands word what they print: a library message in
command-line spelling (`n_head=2` as `--n-head 2`: spelled), a count with
its plural, a model's name with its article, an empty sample shown as such.

The commands reach them as cli.spelled, cli.plural, ... Builds on
config.py (its fields are the flags' names). Leaves out the flags themselves:
flags.py's.
"""
from __future__ import annotations

import re
from dataclasses import fields

from ..config import Config

NOT_FLAGS = ("vocab_size", "n_class", "image_size")  # Config fields the data sets, not a flag
FLAG_OF = {"bpe_vocab_size": "--vocab-size"}  # the fields whose flag is not their name
SWITCHES = {"causal_mask=False": "--causal-mask off", "causal_mask=True": "--causal-mask on",
            "residual=False": "--no-residual", "attention_scale=False": "--no-attention-scale",
            "padding_mask=False": "--no-padding-mask", "tie_weights=True": "--tie-weights",
            "bias=True": "--bias", "final_norm=True": "--final-norm",
            "embedding_norm=False": "--no-embedding-norm"}


def spelled(message):
    """A library message in command-line spelling: each Config field that is
    a flag named as the flag, `field=value` as the flag with its value (the
    library speaks Python; a command's user types flags).

    >>> spelled("val_fraction 0.8 holds out 2; bpe_vocab_size: too small; vocab_size 27")
    '--val-fraction 0.8 holds out 2; --vocab-size: too small; vocab_size 27'
    >>> spelled("n_head=2 does not apply; nor does residual=False, nor norm='layernorm'")
    '--n-head 2 does not apply; nor does --no-residual, nor --norm layernorm'
    """
    for switch, flag in SWITCHES.items():
        message = re.sub(rf"(?<![\w-]){switch}\b", flag, message)
    for f in fields(Config):
        if f.name in NOT_FLAGS:
            continue
        flag = FLAG_OF.get(f.name, "--" + f.name.replace("_", "-"))
        message = re.sub(rf"(?<![\w-]){f.name}='?([^\s',;)]*)'?", rf"{flag} \1", message)
        if "_" in f.name:  # a bare name (a plain word such as "steps" may be prose)
            message = re.sub(rf"(?<![\w-]){f.name}\b", flag, message)
    return message


def plural(n, word):
    """n and word, plural unless n is 1.

    >>> plural(1, "step"), plural(2, "token"), plural(0, "step")
    ('1 step', '2 tokens', '0 steps')
    """
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def a_model(name):
    """A model's name with its article, as it is read aloud.

    >>> a_model("gpt"), a_model("lstm"), a_model("rnn"), a_model("gru")
    ('a gpt model', 'an lstm model', 'an rnn model', 'a gru model')
    """
    return f"{'an' if name in ('lstm', 'rnn') else 'a'} {name} model"


def shown_sample(text):
    """A generated document as every command prints it: an empty one (the
    model ended it at once) as (empty), so it is seen, not a blank.

    >>> shown_sample("emma"), shown_sample("")
    ('emma', '(empty)')
    """
    return text if text else "(empty)"
