"""
step_costs.py: where a training step's time goes, measured in this process
(bench's last table): graph nodes and edges per step; CPU ms for the forward
pass that builds and records the graph, the chain-rule loop along that
record, Adam and freeing the graph; what a topological sort of the same
graph would add; and the cost of CPython's cycle collector, on and off.

Builds on value.py (recording, topological_order), config.py, catalog.py,
params.py, model.py, optim.py, training.py, and the plumbing's corpus.py
and memory.py. Leaves out whole runs timed in child processes, with their
peak memory: children.py's.
"""
from __future__ import annotations

import contextlib
import time

from ..architectures import catalog
from ..config import Config
from ..model import document_loss
from ..optim import adam_step
from ..params import flatten
from ..training import start, train_step
from ..value import recording, topological_order
from .corpus import load_docs
from .memory import cycle_collector_off


def step_profile(path, fields, docs_n=10):
    """Where a training step goes, as means over the first docs_n documents
    (or all of them, when the file has fewer).

    Returns (nodes, edges, ms): graph nodes and edges per step, and CPU ms per
    step for the forward pass (recording the graph, as train_step does), the
    chain-rule loop along that record, Adam, and freeing the graph; plus
    "sort": what topological_order of the same graph takes, which is what
    loss.backward() without a tape would add.
    """
    examples, state = catalog.start(load_docs(path), Config(**fields))
    flat, config = flatten(state.params), state.config
    docs = examples[:docs_n]
    nodes = edges = 0
    ms = dict.fromkeys(("forward", "chain rule", "adam", "free", "sort"), 0.0)
    with cycle_collector_off():  # as in training
        for step, ids in enumerate(docs):
            t0 = time.process_time()
            with recording() as tape:
                loss = document_loss(ids, state.params, config)
            t1 = time.process_time()
            loss.backward(tape)
            t2 = time.process_time()
            adam_step(flat, state.m, state.v, step, config)
            t3 = time.process_time()
            order = topological_order(loss)  # for the (sort) column only
            t4 = time.process_time()
            nodes += len(tape)
            edges += sum(len(n._children) for n in tape)
            t5 = time.process_time()
            del loss, tape, order  # the last references to this step's graph
            t6 = time.process_time()
            for key, seconds in zip(ms, (t1 - t0, t2 - t1, t3 - t2, t6 - t5, t4 - t3)):
                ms[key] += seconds * 1000
    n = len(docs)
    return nodes / n, edges / n, {key: total / n for key, total in ms.items()}


def collector_cost(path, steps):
    """CPU ms per training step of the default model over its first `steps`
    steps, with CPython's cycle collector on, then off as training has it."""
    ms = []
    for off in (False, True):
        examples, state = start(load_docs(path), Config())
        with cycle_collector_off() if off else contextlib.nullcontext():
            t0 = time.process_time()
            while state.step < steps:
                train_step(state, examples)
            ms.append(1000 * (time.process_time() - t0) / steps)
    return ms
