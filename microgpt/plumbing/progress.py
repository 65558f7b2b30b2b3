"""
progress.py: one line on stderr every few seconds during long work: where
it is and about how much time is left, from the mean time per step so far.

Builds on memory.py (human_time).
"""
from __future__ import annotations

import sys
import time

from .memory import human_time


class Progress:
    """One line on stderr every few seconds: which run, which step, time left."""

    def __init__(self, prog, total_steps, every=3.0, last=True):
        self.prog, self.total, self.done, self.every = prog, total_steps, 0, every
        self.start = self.last = time.perf_counter()
        self.shown = last  # the last step's line: always, or only after an earlier one

    def step(self, label, step, steps, work=1):
        """Step `step` of `steps` of label is done; work: its share of the
        whole, in steps (one unless said: a cheaper or a dearer piece)."""
        self.done += work
        now = time.perf_counter()
        if now - self.last >= self.every or (step == steps and self.shown):
            self.last, self.shown = now, True
            left = (now - self.start) / self.done * (self.total - self.done)
            print(f"{self.prog}: {label}: step {step} / {steps}, about {human_time(left)} left",
                  file=sys.stderr, flush=True)

    def skip(self, steps):
        """A run ended early: its steps left will not be taken."""
        self.total -= steps


def reporter(prog, label):
    """each(done, total) for a library's long loop that knows its total only
    once it runs (bpe.learn_merges): a Progress line for label every few
    seconds; none for work done in less."""
    bars = []

    def each(done, total):
        if not bars:
            bars.append(Progress(prog, total, last=False))
        bars[0].step(label, done, total)
    return each
