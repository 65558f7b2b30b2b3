"""
runs.py: a training run opened from the command line: a fresh one, or the
one saved in a checkpoint, on its data, with every check made before any
work: the data file found (a bare name falls back to the bundled dataset),
the outputs writable, the data the one a resumed run trained on, the flags
ones a resume may change, the model small enough for this machine.

Builds on config.py, training.py, checkpoint.py, cli.py, datasets.py and
size.py; train.py opens its run here.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

from ..config import Config
from ..training import plan, resume_examples, start_planned
from . import checkpoint, cli, datasets, size
from .datasets import DataError


def save_path(args):
    """Where the run is saved: --out, else the checkpoint it resumed from, else nowhere (None)."""
    return args.out if args.out is not None else args.resume


def open_run(args, given, prog):
    """(docs, training examples, state): a fresh run, or the one saved in
    args.resume, on its data."""
    state = checkpoint.load(args.resume) if args.resume is not None else None
    if state is not None and state.config.model != "gpt":
        command = "seq2seq" if state.config.model == "seq2seq" else "classify"
        raise checkpoint.CheckpointError(f"{args.resume} is a {state.config.model}'s checkpoint "
                                         f"(python -m microgpt.{command} --resume {args.resume})")
    if args.path is None and state:  # the data the run trained on, by the path it was given
        name, path = state.data_name, datasets.locate_saved(state.data_name)
        if not os.path.exists(path):
            raise DataError(f"{name}: no such file (the data {args.resume} trained on, as its "
                            f"path was given then); give it: python -m microgpt.train FILE "
                            f"--resume {args.resume}")
    else:
        name = args.path if args.path is not None else "names.txt"
        path = datasets.locate(name)
    if name and path != Path(name):
        print(f"{prog}: {name} not found here; using the bundled {path}", file=sys.stderr)
    out = save_path(args)  # before any work: can the outputs be written?
    cli.check_output(prog, "--out" if args.out is not None else "--resume", out, {path: "the data"})
    cli.check_output(prog, "--plot", args.plot, {path: "the data", args.resume: "the checkpoint "
                                                  "resumed from", out: "the checkpoint"})
    docs, sha = datasets.load_docs_and_sha256(path)
    if state is None:
        planned = plan(docs, Config(**given))
        size.check_run_fits(planned.config, planned.examples)  # before the weights are drawn
        return (docs, *start_planned(planned, os.fspath(name), sha))
    checkpoint.check_resume(state, given, args.resume, path, sha, docs)
    changes = {k: given[k] for k in checkpoint.MAY_CHANGE if k in given}
    state.config = dataclasses.replace(state.config, **changes)
    train_examples = resume_examples(docs, state)  # in the run's order, as start made it
    size.check_run_fits(state.config, train_examples)
    print(f"{prog}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}",
          file=sys.stderr)
    return docs, train_examples, state
