"""
refusals.py: the engine's errors, worded for a person: what an op that has
no Value (a string added to a Value, the log of 0, 1 / 0, a negative number
to a fractional power) raises.

value.py's ops check their operands and, only when one is refused, call
value.refused(x, op, other), which microgpt/__init__.py sets to `refused`
here: a TypeError when the other operand is no number, a ValueError when
the result or its slope is no real number, and for a division by zero a
DivisionByZero, which is a ValueError and Python's own ZeroDivisionError.

Builds on value.py (Value, is_number). Left out on purpose: the checks
themselves, which stay beside each op in value.py.
"""
from __future__ import annotations

from ..value import Value, is_number


class DivisionByZero(ValueError, ZeroDivisionError):
    """x / 0, 0 ** -1: a ValueError, as every refused op's, and Python's own ZeroDivisionError."""


def refused(x, op, other):
    """The error for x op other (x a Value) that has no Value: TypeError when
    other is no number, ValueError when the result or its slope is no real
    number. Only a refused op comes here: the ops themselves stay fast."""
    said = f"log of {x!r}" if op == "log" else f"{x!r} {op} {other!r}"
    if op != "log" and not is_number(other) and (op == "**" or not isinstance(other, Value)):
        return TypeError(f"{said}: {other!r} is not a number (an int or a float)"
                         + " or a Value" * (op != "**"))
    if op == "/" or (op == "**" and other < 0):
        return DivisionByZero(f"{said}: division by zero (1 / 0 is no number)")
    if op == "log":
        why = "the logarithm needs a number above 0"
    else:
        why = (f"its slope, {other!r} * 0 ** {other - 1!r}, is infinite at 0" if x.data == 0
               else "no real number (a negative number to a fractional power)")
    return ValueError(f"{said}: {why}")
