"""
recipes.py: compare's --variant "NAME: FLAGS", a run named and written as
the flags that make it: read (parse_variant, with train's own flags and
their checks), then laid over the flags every run shares (with_variant).

Builds on cli.py (the parser whose mistakes are one line) and flags.py (the
run's flags, and the settings they give). Leaves out training and the
table of results: commands/compare.py's.
"""
from __future__ import annotations

import shlex

from . import cli
from .flags import add_run_flags, run_config


class VariantError(Exception):
    """A --variant text that cannot be read."""


class _VariantParser(cli.ArgumentParser):
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
