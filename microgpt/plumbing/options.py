"""
options.py: the options a command line gave, each used once.

argparse keeps the last of an option given twice (`--steps 5 --steps 10`:
10, the 5 silently dropped) and takes a repeatable one given the same value
twice as two (`--ablate 0.1 --ablate 0.1`: the line printed twice). These
actions, which cli.ArgumentParser uses for every option, refuse both in one
line, and record each option given as typed (parser.given: {dest: option}),
so a command can tell a flag given from one left at its default, and refuse
one that does not apply (cli.ArgumentParser.refuse_given).

Builds on the standard library only.
"""
from __future__ import annotations


def given_once(action_class):
    """action_class, recording each option given (parser.given) and refusing
    one given twice (or two options that set one dest)."""
    class Once(action_class):
        def __call__(self, parser, namespace, values, option_string=None):
            given = getattr(parser, "given", None)
            if option_string is not None and given is not None:
                if self.dest in given:
                    twice = ("given twice" if given[self.dest] == option_string
                             else f"and {given[self.dest]} both given")
                    parser.error(f"{option_string} {twice}; give it once")
                given[self.dest] = option_string
            super().__call__(parser, namespace, values, option_string)
    return Once


def given_distinct(action_class):
    """An append action_class that records its option (parser.given) and
    refuses a value given twice (it would be used twice: a line printed twice)."""
    class Distinct(action_class):
        def __call__(self, parser, namespace, values, option_string=None):
            seen = getattr(parser, "appended", {}).setdefault(self.dest, [])
            if values in seen:
                parser.error(f"{option_string} given twice with the same value; give each once")
            seen.append(values)
            getattr(parser, "given", {})[self.dest] = option_string
            super().__call__(parser, namespace, values, option_string)
    return Distinct
