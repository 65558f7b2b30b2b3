"""
argtypes.py: the flag types, each a function that reads one flag's text
and, when the text will not do, says what it expected in one line
(argparse.ArgumentTypeError, which cli.ArgumentParser prints as
"prog: error: argument --steps: expected a whole number, got 'x'"): a whole
number, whole numbers or names separated by commas, a number, a fraction,
on or off.

The commands reach them as cli.whole_number, cli.number, ... Builds on no
other module. Leaves out whether settings go together (--vocab-size needs
--tokenizer bpe): Config.check's to say.
"""
from __future__ import annotations

import argparse
import math


def whole_number(minimum):
    """A flag type: an int >= minimum."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    return parse


def whole_numbers(minimum=1, maximum=None):
    """A flag type: distinct whole numbers separated by commas, such as
    16,32,64, each at least minimum (and at most maximum)."""
    def parse(text):
        try:
            values = [int(part) for part in text.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, "
                                             f"such as 16,32,64, got {text!r}") from None
        if any(v < minimum or (maximum is not None and v > maximum) for v in values):
            bounds = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            raise argparse.ArgumentTypeError(f"each must be {bounds}, got {text!r}")
        if len(set(values)) < len(values):
            raise argparse.ArgumentTypeError(f"a number given twice in {text!r}")
        return values
    return parse


def names(choices, what="name"):
    """A flag type: distinct names from choices (each a `what`), separated
    by commas, such as gpt,lstm: a list."""
    def parse(text):
        values = text.split(",")
        for value in values:
            if value not in choices:
                raise argparse.ArgumentTypeError(f"unknown {what} {value!r} (choose from "
                                                 f"{', '.join(choices)})")
        if len(set(values)) < len(values):
            raise argparse.ArgumentTypeError(f"a {what} named twice in {text!r}")
        return values
    return parse


def number(minimum, inclusive=True):
    """A flag type: a finite float >= minimum (or > minimum)."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if value < minimum or (value == minimum and not inclusive):
            bound = "at least" if inclusive else "above"
            raise argparse.ArgumentTypeError(f"must be {bound} {minimum:g}, got {text}")
        return value
    return parse


def fraction(one_allowed=True):
    """A flag type: a number from 0 to 1 (1 itself only when one_allowed)."""
    at_least_0 = number(0)

    def parse(text):
        value = at_least_0(text)
        if value > 1 or (value == 1 and not one_allowed):
            raise argparse.ArgumentTypeError(f"must be {'at most' if one_allowed else 'below'} 1, "
                                             f"got {text}")
        return value
    return parse


def on_off(text):
    """--causal-mask's value: on -> True, off -> False."""
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError(f"expected on or off, got {text!r}")
    return text == "on"
