"""
runs.py: a training run opened from the command line: a fresh one, or the
one saved in a checkpoint, on its data, with every check made before any
work: the data file found (a bare name falls back to the bundled dataset),
the outputs writable and no other run's, the data the one a resumed run trained on, the flags
ones a resume may change, the model small enough for this machine.

It also prints what a run trains on (print_header) and the line before its
samples, and holds the commands' training loop (train_to_end: train,
classify and seq2seq).
Builds on config.py, dataset.py, params.py, training.py,
checkpoint.py, cli.py (its lock_output: a second run saving to the same
file is refused), datasets.py, size.py and stopping.py; train.py opens and trains its run here.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

from ..config import Config
from ..dataset import held_out_examples, notes
from ..params import param_count, param_table
from ..training import (Diverged, cycle_collector_off, held_out_loss, plan, resume_examples,
                        start_planned, train_step)
from . import checkpoint, cli, datasets, size
from .stopping import stop_requests
from .datasets import DataError


def save_path(args):
    """Where the run is saved: --out, else the checkpoint it resumed from, else nowhere (None)."""
    return args.out if args.out is not None else args.resume


def open_run(args, given, prog):
    """(docs, training examples, state): a fresh run, or the one saved in
    args.resume, on its data."""
    state = checkpoint.load(args.resume) if args.resume is not None else None
    if state is not None and state.config.model in ("classifier", "seq2seq"):
        command = "seq2seq" if state.config.model == "seq2seq" else "classify"
        raise checkpoint.CheckpointError(f"{args.resume} is a {state.config.model}'s checkpoint "
                                         f"(python -m microgpt.{command} --resume {args.resume})")
    if args.path is None and state:  # the data the run trained on, by the path it was given
        name, path = state.data_name, datasets.locate_saved(state.data_name, state.data_sha256)
        if not os.path.exists(path):
            raise DataError(f"{name}: no such file (the data {args.resume} trained on, as its "
                            f"path was given then); give it: python -m microgpt.train FILE "
                            f"--resume {args.resume}")
    else:
        name = args.path if args.path is not None else "names.txt"
        path = datasets.locate(name)
    out = save_path(args)  # before any work: can the outputs be written?
    data = datasets.data_files(name, path)
    cli.check_output(prog, "--out" if args.out is not None else "--resume", out, data)
    cli.lock_output(prog, "--out" if args.out is not None else "--resume", out)  # one run a file
    cli.check_output(prog, "--plot", args.plot, {**data, args.resume: "the checkpoint resumed "
                                                  "from", out: "the checkpoint"})
    cli.check_output(prog, "--plot-lr", getattr(args, "plot_lr", None),
                     {**data, args.resume: "the checkpoint resumed from",
                      out: "the checkpoint", args.plot: "the --plot picture"})
    if name and path != Path(name):
        why = "not found here" if not os.path.exists(name) else "here is not the run's data"
        print(f"{prog}: {name} {why}; using the bundled {path}", file=sys.stderr)
    docs, sha = datasets.load_docs_and_sha256(path)
    if state is None:
        planned = plan(docs, Config(**given))
        size.check_run_fits(planned.config, planned.examples)  # before the weights are drawn
        return (docs, *start_planned(planned, os.fspath(name), sha))
    if sha != state.data_sha256:
        raise DataError(datasets.not_the_data(path, state.data_sha256, args.resume, state.data_name))
    checkpoint.check_resume(state, given, args.resume, path, sha, docs)
    changes = {k: given[k] for k in checkpoint.MAY_CHANGE if k in given}
    state.config = dataclasses.replace(state.config, **changes)
    train_examples = resume_examples(docs, state)  # in the run's order, as start made it
    size.check_run_fits(state.config, train_examples)
    print(f"{prog}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}",
          file=sys.stderr)
    return docs, train_examples, state


def print_header(prog, docs, examples, state, params=False):
    """Print what a run trains on and with (the reference's first lines, then
    what microgpt adds: windows, a held-out split, notes on stderr); return
    the held-out examples."""
    config = state.config
    print(f"num docs: {len(docs)}")
    print(f"vocab size: {config.vocab_size}")
    print(f"num params: {param_count(config)}")
    if params:
        print(param_table(config))
    if config.stride:
        print(f"num examples: {len(examples)} (windows of {config.block_size + 1} tokens, "
              f"{config.stride} apart)")
    held_out = held_out_examples(docs, state.tokenizer, config)
    if held_out:
        what = "windows of the last documents" if config.stride else "the last documents"
        print(f"num held out: {len(held_out)} ({what} after the shuffle; never trained on)")
    for note in notes(docs, examples, held_out, config):
        print(f"{prog}: note: {note}", file=sys.stderr)
    return held_out


def samples_header(data_name):
    """The line before the samples: the reference's when the documents are
    names (a data file whose name says so), a neutral one otherwise.

    >>> samples_header("../shared/data/names.txt"), samples_header("diagnoses.txt")
    ('--- inference (new, hallucinated names) ---', '--- inference (new samples of diagnoses) ---')
    """
    stem = Path(data_name).stem
    if "name" in stem.lower():
        return "--- inference (new, hallucinated names) ---"
    return f"--- inference (new samples of {stem or 'the data'}) ---"


def train_to_end(prog, state, examples, held_out, save, out, progress=None,
                 gradients=None, after_step=None, at_exit=None):
    """The training loop of the commands: a line per step, the held-out loss
    every eval_every steps and after the last, progress when given; on
    divergence the last good state saved and status 3; on Ctrl-C or SIGTERM
    the step finished, saved and status 130; at the end saved, and the time
    it took said on stderr. save(why) saves the run to out (False when it
    could not, a line says why).

    train's extras: gradients(step) gives train_step's gradients hook for
    that step (or None), after_step(loss) runs after the step's line, and
    at_exit() after the save, however the loop ends (its --plot)."""
    config = state.config
    at_exit = at_exit or (lambda: None)
    with stop_requests(prog) as stop, cycle_collector_off():
        first_step, start_time = state.step, time.perf_counter()
        try:
            while state.step < config.steps and not stop.requested:
                hook = gradients(state.step) if gradients else None
                loss = train_step(state, examples, hook)
                print(f"step {state.step:4d} / {config.steps:4d} | loss {loss:.4f}", flush=True)
                if after_step is not None:
                    after_step(loss)
                if progress is not None:
                    progress.step("training", state.step, config.steps)
                if held_out and (state.step % config.eval_every == 0 or state.step == config.steps):
                    print(f"held-out after step {state.step:4d} | loss "
                          f"{held_out_loss(state, held_out):.4f}", flush=True)
        except Diverged as e:  # the state is still the last good step's: keep that
            kept = f"; {out} holds step {state.step}" if save() else ""
            at_exit()
            cli.fail(prog, f"training diverged at step {state.step + 1} ({e}); try a smaller "
                           f"--lr than {config.lr:g}{kept}", cli.DIVERGED)
        except cli.OutputClosed:  # keep the work, then end quietly
            save("stdout closed")
            at_exit()
            raise
        if stop.requested:
            kept = f"; saved to {out}" if save() else ""
            at_exit()
            print(f"{prog}: interrupted after step {state.step}{kept}", file=sys.stderr)
            sys.exit(cli.INTERRUPTED)
        if state.step > first_step:
            done, elapsed = state.step - first_step, time.perf_counter() - start_time
            print(f"trained {cli.plural(done, 'step')} in {elapsed:.1f} s "
                  f"({1000 * elapsed / done:.1f} ms/step)", file=sys.stderr)
        save("done")
        at_exit()
    if stop.requested:  # during the save: it is done, so stop now
        raise KeyboardInterrupt
