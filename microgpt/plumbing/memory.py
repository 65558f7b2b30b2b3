"""
memory.py: how big a model is before it is built: its parameters, the graph of
one training step, the memory both take and the time a forward pass takes.

Every number in microgpt is a Python object. A parameter is a Value (its
float, its gradient) plus Adam's two moments, and its share of the
checkpoint's text when saved: a few hundred bytes. A training step builds a
graph whose every edge (a child link and its local derivative) costs a few
tens of bytes, and the graph is most of the memory: each position reads
every weight of every layer (an edge for the weight, one for the input) and
attention at position t reads all t earlier keys and values. `check_fits`
refuses, before anything is built, a configuration that cannot fit in this
machine's memory, and says what it would need.

The constants were measured with CPython 3.11 on 64-bit Linux, from the
default model to 800,000 parameters and 13 million edges a step (python -m
microgpt bench measures a real run); they hold within a factor of about 2,
enough to tell a model that fits from one that needs a thousand times the
memory. `largest_file` and `largest_checkpoint` are the most bytes files.py
reads. `cycle_collector_off` is the switch the commands train inside: a
step's graph has no reference cycles, so CPython's cycle collector would
only rescan it. Builds on config.py and params.py (param_count).
"""
from __future__ import annotations

import contextlib
import gc
import os
import sys

from ..config import ConfigError
from ..params import param_count

GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # a recurrent cell's weight-matrix pairs

BASE_BYTES = 20_000_000   # the interpreter, microgpt and the data
BYTES_PER_PARAM = 400     # Value, float, gradient, Adam's m and v, checkpoint text
BYTES_PER_EDGE = 35       # a child reference, a local derivative, the node's share
FORWARD_SECONDS_PER_EDGE = 1e-7  # CPython; backward about doubles it, PyPy is faster
CHECKPOINT_BYTES_PER_PARAM = 100  # a weight, m and v as JSON text: the default model's are 82
UNKNOWN_MEMORY = 1 << 40  # a machine that does not say: a terabyte, still an end to a pipe


def step_edges(config, positions):
    """About how many edges the graph of one training step has, for
    documents that fill `positions` positions (at most block_size).

    Per position and layer: q, k, v, the output projection and the MLP read
    24 * n_embd**2 (weight, input) pairs; lm_head reads 2 * vocab * n_embd.
    Attention at position t: 4 * n_embd * t for scores and the weighted sum,
    3 * n_head * t for the softmaxes (a logsumexp node, then two edges per
    weight). A batch holds batch_size such graphs.

    A recurrent model has no attention: per position its cell's g weight
    pairs of matrices (the RNN's one, the GRU's three, the LSTM's four
    gates) read 4 * g * n_embd**2 pairs' edges, about 10 * g * n_embd more
    for the gates' own arithmetic, and lm_head its 2 * vocab * n_embd: the
    graph grows as T, not T^2.

    An encoder-decoder (model "seq2seq") reads T source positions and T
    target ones. The transformer's layers: 24 * n_embd**2 pairs for the
    encoder's and 32 * n_embd**2 for the decoder's (its cross-attention
    too) a position, about 60 * n_embd for their norms, sums and relus, and
    full or causal attention over T keys. The GRU
    ones: two cells of T steps, as above; with attention, the context
    widens the decoder cell's input (6 * n_embd**2 pairs more a step), and
    each step scores T source positions (the additive score 7 * n_embd,
    with W_a s a step and U_a h_j once a source: 4 * n_embd**2 * T more;
    the dot score 4 * n_embd each) and the softmax takes 3 edges each.

    >>> from microgpt.config import Config
    >>> step_edges(Config(), 16)      # a 16-letter document's graph has 129,233
    121856
    >>> step_edges(Config(model="lstm"), 16)   # 89,281
    89600
    """
    e, layers, T = config.n_embd, config.n_layer, min(positions, config.block_size)
    lm_head = 2 * config.vocab_size * e
    if config.model == "seq2seq" and config.arch == "transformer":
        per_layer = 56 * e * e * T + 60 * e * T + 10 * e * T * T + 15 * config.n_head * T * T // 2
        return config.batch_size * (layers * per_layer + T * lm_head)
    if config.model == "seq2seq":  # a GRU encoder and a GRU decoder
        edges = 2 * T * (12 * e * e + 30 * e) + T * lm_head
        if config.arch == "gru-attention":
            additive = config.score == "additive"
            scores = 4 * e * e * T + 7 * e * T * T if additive else 4 * e * T * T
            edges += 6 * e * e * T + scores + 3 * T * T
        return config.batch_size * edges
    if config.model in GATES:
        g = GATES[config.model]
        return config.batch_size * T * (4 * g * e * e + 10 * g * e + 2 * config.vocab_size * e)
    per_position = layers * 24 * e * e + 2 * config.vocab_size * e
    attention = layers * (2 * e * T * T + config.n_head * 3 * T * T // 2)
    return config.batch_size * (T * per_position + attention)


def memory_needed(config, positions):
    """Bytes a training run of this config needs, about."""
    return (BASE_BYTES + BYTES_PER_PARAM * param_count(config)
            + BYTES_PER_EDGE * step_edges(config, positions))


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
    return (machine_memory() or UNKNOWN_MEMORY) // 4


def largest_checkpoint():
    """The most bytes a checkpoint may have: the checkpoint of the largest
    model this machine's memory can hold (BYTES_PER_PARAM each)."""
    params = max(0, (machine_memory() or UNKNOWN_MEMORY) - BASE_BYTES) // BYTES_PER_PARAM
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


def check_fits(config, positions):
    """Raise ConfigError, with the estimate, if a run of this config would
    need more memory than this machine has (all of it: what other programs
    hold now may be theirs for a minute only)."""
    need, have = memory_needed(config, positions), machine_memory()
    if have is not None and need > have:
        raise ConfigError(f"this model needs about {human(need)} of memory "
                          f"({param_count(config):,} parameters, about "
                          f"{step_edges(config, positions):,} graph edges a step); "
                          f"this machine has {human(have)}")


def check_run_fits(config, examples):
    """check_fits for a run that trains on these examples: the longest sets
    the size of a step's graph."""
    check_fits(config, max(len(ids) for ids in examples) - 1)


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
