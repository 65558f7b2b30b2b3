"""
runs.py: a training run opened from the command line: a fresh one, the
one saved in a checkpoint, or (train --init) a new one from a checkpoint's
weights, on its data, with every check made before any work: the data file found (a bare name falls back to the bundled dataset),
the outputs writable and no other run's, the data the one a resumed run trained on, the flags
ones a resume may change, the model small enough for this machine.

It also prints what a run trains on (print_header), what a learner should
know about it first (notes) and the line before the samples. What a
command's training loop runs inside (session: stop requests between steps,
the checkpoint at exit, divergence), the held-out loss line and the loop of
the commands beside train (train_to_the_end) are sessions.py's, reached from
here too (runs.session). Builds on catalog.py, config.py, data.py, optim.py,
params.py, training.py, finetuning.py, sft.py, held_out.py, matrices.py,
checkpoint.py, cli.py (its lock_output: a second run saving to the same
file is refused), corpus.py, flags.py, memory.py, progress.py and sessions.py.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

from ..architectures import catalog
from ..config import Config
from ..data import held_out_examples, make_examples, replay_split
from ..instruments.matrices import param_table
from ..params import param_count
from ..optim import peak_learning_rate
from ..instruments.held_out import HELD_OUT_LIMIT
from ..training import start_planned
from ..variants.finetuning import start_from
from ..variants.sft import NoResponse
from . import checkpoint, cli, corpus, flags, memory
from .progress import reporter
from .sessions import held_out_line, session, train_to_the_end  # noqa: F401 (runs.session)
from .corpus import DataError


def save_path(args):
    """Where the run is saved: --out, else the checkpoint it resumed from, else nowhere (None)."""
    return args.out if args.out is not None else args.resume


def open_run(args, given, prog):
    """(docs, training examples, state): a fresh run, or the one saved in
    args.resume, on its data."""
    state = (checkpoint.load_kind(args.resume, checkpoint.LANGUAGE_MODELS, resume=True)
             if args.resume is not None else None)
    if args.path is None and state:  # the data the run trained on, by the path it was given
        name, path = state.data_name, corpus.locate_saved(state.data_name, state.data_sha256)
        if not os.path.exists(path):
            raise DataError(f"{name}: no such file (the data {args.resume} trained on, as its "
                            f"path was given then); give it: python -m microgpt.train FILE "
                            f"--resume {args.resume}")
    else:
        name = args.path if args.path is not None else "names.txt"
        path = corpus.locate(name)
    out = save_path(args)  # before any work: can the outputs be written?
    init = getattr(args, "init", None)  # train --init: the checkpoint a new run starts from
    data = {**corpus.data_files(name, path), **({init: "the checkpoint --init starts from"}
                                                if init is not None else {})}
    cli.check_output(prog, "--out" if args.out is not None else "--resume", out, data)
    cli.lock_output(prog, "--out" if args.out is not None else "--resume", out)  # one run a file
    cli.check_output(prog, "--plot", args.plot, {**data, args.resume: "the checkpoint resumed "
                                                  "from", out: "the checkpoint"})
    cli.check_output(prog, "--plot-lr", getattr(args, "plot_lr", None),
                     {**data, args.resume: "the checkpoint resumed from",
                      out: "the checkpoint", args.plot: "the --plot picture"})
    if name and path != Path(name):
        why = "not found here" if not os.path.exists(name) else "here is not the run's data"
        cli.say(f"{prog}: {name} {why}; using the bundled {path}")
    docs, sha = corpus.load_docs_and_sha256(path)
    if state is None:
        try:
            if init is not None:
                return (docs, *start_from_checkpoint(prog, init, docs, given, os.fspath(name), sha))
            # BPE's merges show their progress; a run too big for this machine is refused as
            # it is planned (training.Plan), before its weights are drawn
            planned = catalog.plan(docs, Config(**given), reporter(prog, "learning BPE merges"))
        except NoResponse as e:  # --loss-on response: a line that is not prompt<TAB>response
            line = None if e.index is None else corpus.line_number(path, e.index)
            where = f", line {line}" if line else "" if e.index is None else f", document {e.index + 1}"
            raise DataError(f"{name}{where}: {cli.spelled(e.why)}") from None
        return (docs, *start_planned(planned, os.fspath(name), sha))
    if sha != state.data_sha256:
        raise DataError(corpus.not_the_data(path, state.data_sha256, args.resume, state.data_name))
    checkpoint.check_resume(state, given, args.resume, path, sha, docs)
    changes = {k: given[k] for k in checkpoint.MAY_CHANGE if k in given}
    state.config = dataclasses.replace(state.config, **changes)
    flags.check_used(state.config, given)
    train_examples = resume_examples(docs, state)  # in the run's order, as start made it
    memory.check_run_fits(state.config, train_examples)
    cli.say(f"{prog}: resuming {args.resume} at step {state.step + 1} of {state.config.steps}")
    return docs, train_examples, state


def start_from_checkpoint(prog, init, docs, given, name, sha):
    """(training examples, state): train --init, a new run from the weights
    of the checkpoint at init (finetuning.start_from); a line on stderr
    says so and names the tokens it added."""
    pretrained, init_sha = checkpoint.load_and_sha256(init)
    examples, state, new = start_from(pretrained, docs, given, name, sha, init, init_sha)
    memory.check_run_fits(state.config, examples)
    say_init(prog, init, pretrained, state, new)
    return examples, state


def say_init(prog, init, pretrained, state, new):
    """The line on stderr of a run started from the checkpoint at init: its
    steps and data, and the tokens the new data added."""
    ids = ", ".join(f"{ch!r} id {state.tokenizer.ids[ch]}" for ch in new)
    added = f"new tokens {ids}; BOS is now id {state.tokenizer.bos}" if new else "no new tokens"
    data = " and ".join(Path(n).name for n in pretrained.data_name.split("\n")) or "its data"
    print(f"{prog}: starting from the weights of {init} ({pretrained.step} steps on {data}); "
          f"{added}", file=sys.stderr)


def resume_examples(docs, state):
    """The training examples of a saved run on docs (file order), in the
    run's order (its shuffle replayed); ConfigError if the run's vocabulary
    cannot read the data."""
    state.tokenizer.check_text("".join(docs), "the data")
    train_docs, _ = replay_split(docs, state.config)
    return make_examples(train_docs, state.tokenizer, state.config)


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


def notes(docs, train, held_out, config):
    """What a learner should know about the examples before training, as
    sentences: documents truncated to the block, windows with gaps between
    them, a BPE vocabulary that stopped short of the size asked, a held-out
    loss over a subset."""
    said = []
    too_long = 0 if config.stride else sum(len(ids) > config.block_size + 1 for ids in train)
    if too_long:
        said.append(f"{too_long} of {len(docs)} documents are longer than the block "
                    f"(block size {config.block_size}, BOS included) and are truncated; "
                    f"--stride S trains on all of them, as windows S tokens apart")
    if config.stride and config.stride > config.block_size:  # a window predicts its last block_size
        said.append(f"--stride {config.stride} is more than the block ({config.block_size}): "
                    f"tokens between windows are never predicted; a stride up to "
                    f"{config.block_size} trains on every one")
    if config.tokenizer == "bpe" and config.bpe_vocab_size > config.vocab_size:
        said.append(f"no pair of tokens occurs twice any more: the vocabulary stops at "
                    f"{config.vocab_size}")
    peak = peak_learning_rate(config)
    if peak < config.lr / 10 and config.warmup > config.steps:
        said.append(f"the warmup ({config.warmup} steps) is longer than the run "
                    f"({config.steps}): the learning rate only climbs, to {peak:.2g}, under a "
                    f"tenth of --lr {config.lr:g}")
    elif peak < config.lr / 10:
        said.append(f"the {config.schedule} schedule peaks at a learning rate of {peak:.2g}, "
                    f"under a tenth of --lr {config.lr:g}: it multiplies --lr by n_embd ** -0.5 "
                    f"* W ** -0.5 = {peak / config.lr:.3g}, so for a peak of P give --lr P / "
                    f"{peak / config.lr:.3g}")
    if len(held_out) > HELD_OUT_LIMIT:
        said.append(f"the held-out loss is the mean over the first {HELD_OUT_LIMIT} of the "
                    f"{len(held_out)} held out")
    return said
