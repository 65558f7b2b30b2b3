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

    def __init__(self, prog, total_steps, every=3.0):
        self.prog, self.total, self.done, self.every = prog, total_steps, 0, every
        self.start = self.last = time.perf_counter()

    def step(self, label, step, steps):
        self.done += 1
        now = time.perf_counter()
        if now - self.last >= self.every or step == steps:
            self.last = now
            left = (now - self.start) / self.done * (self.total - self.done)
            print(f"{self.prog}: {label}: step {step} / {steps}, about {human_time(left)} left",
                  file=sys.stderr, flush=True)

    def skip(self, steps):
        """A run ended early: its steps left will not be taken."""
        self.total -= steps
