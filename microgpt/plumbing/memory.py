"""
memory.py: whether a run fits in this machine's memory, asked before
anything is built; and the limits of what microgpt reads.

Every number in microgpt is a Python object. A parameter is a Value (its
float, its gradient) plus Adam's two moments, and its share of the
checkpoint's text when saved: a few hundred bytes. A training step builds a
graph whose every edge (a child link and its local derivative) costs a few
tens of bytes, and the graph is most of the memory. How big both are for a
config is arithmetic about the model, catalog.py's (`memory_needed`, one
`step_edges` per kind of model); how much memory this machine gives a
process is this module's question to the operating system
(`machine_memory`: the physical memory, a container's cgroup, a resource
limit). `check_fits` refuses, before anything is built, a configuration
that cannot fit, and says what it would need.

The library reads no operating system, so it asks through a hook:
training.check_size, which microgpt/__init__.py points at check_run_fits.
Every plan of a run (training.Plan) is so checked as it is made, by the
commands and in a REPL alike: a run too big is refused before its weights
are drawn, and before any run of an experiment trains.

`largest_file` and `largest_checkpoint` are the most bytes files.py
reads; `check_holds` refuses a command's own large lists (longrange's
documents, scale's rows) before they are made. `cycle_collector_off` is
the switch the commands train inside: a step's graph has no reference
cycles, so CPython's cycle collector would only rescan it. Builds on
catalog.py (the estimates), config.py, data.py (longest) and params.py
(param_count).
"""
from __future__ import annotations

import contextlib
import gc
import os
import sys

from ..architectures.catalog import BASE_BYTES, BYTES_PER_PARAM, memory_needed, step_edges
from ..config import ConfigError
from ..data import longest
from ..params import param_count

FORWARD_SECONDS_PER_EDGE = 1e-7  # CPython; backward about doubles it, PyPy is faster
CHECKPOINT_BYTES_PER_PARAM = 100  # a weight, m and v as JSON text: the default model's are 82
UNKNOWN_MEMORY = 1 << 40  # a machine that does not say: a terabyte, still an end to a pipe


def machine_memory():
    """Bytes of memory this process can have at most: the machine's, or less
    when a container (its cgroup) or a resource limit caps it; None if not known."""
    sizes = []
    with contextlib.suppress(AttributeError, ValueError, OSError):  # no sysconf on Windows
        sizes.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):  # absent, or "max": no cap
            with open(path, encoding="utf-8") as f:
                sizes.append(int(f.read()))
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource  # Unix only
        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit != resource.RLIM_INFINITY:
            sizes.append(limit)
    return min(sizes) if sizes else None


def largest_file():
    """The most bytes a file microgpt reads may have: a quarter of this
    machine's memory (the bytes, their text and the documents are held at once)."""
    return available() // 4


def largest_checkpoint():
    """The most bytes a checkpoint may have: the checkpoint of the largest
    model this machine's memory can hold (BYTES_PER_PARAM each)."""
    params = max(0, available() - BASE_BYTES) // BYTES_PER_PARAM
    return BASE_BYTES + params * CHECKPOINT_BYTES_PER_PARAM


def human(n):
    """A byte count, short: 1.5 GB.

    >>> human(1_500_000_000), human(2.5e15), human(3_000)
    ('1.5 GB', '2.5 PB', '3.0 kB')
    """
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n:.0f} B"
        n /= 1000


def human_time(seconds):
    """A duration, short: 3.5 hours.

    >>> human_time(90), human_time(5400), human_time(3e6), human_time(3e12), human_time(0.04)
    ('1.5 minutes', '1.5 hours', '34.7 days', '95064.3 years', '40 ms')
    """
    for unit, length in (("years", 31557600), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= length:
            return f"{seconds / length:.1f} {unit}"
    return f"{seconds:.0f} seconds" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def available():
    """The bytes a run may use: this machine's memory, or UNKNOWN_MEMORY
    where the operating system does not say."""
    return machine_memory() or UNKNOWN_MEMORY


def check_fits(config, positions):
    """Raise ConfigError, with the estimate, if a run of this config, on
    examples of `positions` positions, would need more memory than this
    machine has (all of it: what other programs hold now may be theirs for
    a minute only)."""
    need, have = memory_needed(config, positions), available()
    if need > have:
        raise ConfigError(f"this model needs about {human(need)} of memory "
                          f"({param_count(config):,} parameters, about "
                          f"{step_edges(config, positions):,} graph edges a step); "
                          f"this machine has {human(have)}")


def check_run_fits(config, examples):
    """check_fits for a run that trains on these examples: the longest sets
    the size of a step's graph (training.check_size calls it for every
    plan, microgpt/__init__.py's wire)."""
    check_fits(config, longest(examples))


def check_holds(need, what):
    """Raise ConfigError if need bytes (what: what would take them, said in
    words) are more than this machine has: a command's own large lists,
    refused before they are made."""
    if BASE_BYTES + need > available():
        raise ConfigError(f"{what} would need about {human(BASE_BYTES + need)} of memory; this "
                          f"machine has {human(available())}")


@contextlib.contextmanager
def cycle_collector_off():
    """Within the block, CPython's cycle collector is off: a training step's
    graph has no reference cycles, so reference counting frees each step's
    nodes, and the collector would only rescan them (about a third of a
    default step's time). PyPy's collector is its memory manager itself: it
    stays on."""
    off = sys.implementation.name == "cpython" and gc.isenabled()
    if off:
        gc.disable()
    try:
        yield
    finally:
        if off:
            gc.enable()
