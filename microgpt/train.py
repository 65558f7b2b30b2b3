"""
train.py: the command `python -m microgpt.train`: train a tiny GPT, print samples.

The reference's loop, as its file has it: one training step per document,
its loss printed; then a few samples. With the default flags on the
32,033-name file it prints exactly the reference run's numbers.

    for step in range(state.step, config.steps):
        loss = train_step(state, examples)
        print(f"step {step + 1:4d} / {config.steps:4d} | loss {loss:.4f}")

Around it, the plumbing (plumbing/runs.py): the flags, the data and the
outputs checked before any work (open_run), and the loop run inside a
session: Ctrl-C (or SIGTERM) says at once that it stops after this step,
finishes the step, saves (with --out, or back to the --resume file), draws
--plot and exits 130; a second Ctrl-C stops at once. A diverged run stops
there, its last good state saved and its curve drawn (status 3). A loss
far above a uniform guess's gets one line naming --lr.

Two instruments: --plot-lr draws the learning rate of every step before the
first, and --log-grad-norms K prints each layer's gradient norm every K
steps (read after backward, before Adam's update).

Builds on config.py, generate.py, optim.py, tokenizer.py, training.py,
catalog.py (how a recurrent model samples), grad_norms.py, and the
plumbing's checkpoint.py, cli.py, corpus.py, flags.py, runs.py, stopping.py
and svg.py.
"""
if __name__ == "__main__":  # first: Ctrl-C while the modules below load ends at once
    from .plumbing.stopping import stop_at_once_while_loading
    stop_at_once_while_loading()

import math
import sys

from .architectures import catalog
from .config import Config, ConfigError
from .generate import sample
from .instruments.grad_norms import grad_norms
from .optim import learning_rate
from .plumbing import cli, flags, runs, svg
from .plumbing.checkpoint import CheckpointError
from .plumbing.corpus import DataError
from .tokenizer import UnknownText
from .training import train_step

PROG = "python -m microgpt.train"
FAR_ABOVE_UNIFORM = 3  # a loss this many times a uniform guess's, log(vocab_size): say so


def parse_args(argv=None):
    d = Config()
    p = cli.ArgumentParser(
        prog=PROG,
        description="Train a tiny GPT on a text file of documents (one per line) "
                    "and print samples. Defaults reproduce the reference run.")
    p.add_argument("path", nargs="?", default=None,
                   help="text file, one document per line (default: names.txt, or the "
                        "checkpoint's file with --resume; a bare name falls back to the "
                        "bundled dataset of that name)")
    flags.add_run_flags(p)  # --steps, the model's shape, --lr, the tokens, the textbook variants
    flags.add_finetuning_flags(p)  # --init, --loss-on
    p.add_argument("--temperature", type=cli.number(0), default=d.temperature,
                   help="sampling temperature; 0 = greedy (default %(default)s)")
    p.add_argument("--num-samples", type=cli.whole_number(0), default=d.num_samples,
                   help="samples to print after training (default %(default)s; 0: none, and "
                        "no inference header)")
    p.add_argument("--out", metavar="FILE", help="save a checkpoint here (at the end, on Ctrl-C, "
                                                 "and every --save-every steps)")
    p.add_argument("--save-every", type=cli.whole_number(1), metavar="N",
                   help="also save the checkpoint every N steps (needs --out or --resume)")
    p.add_argument("--resume", metavar="FILE",
                   help="continue the run saved in this checkpoint (and save back to it)")
    p.add_argument("--plot", metavar="FILE", help="write the loss curve (raw and running mean) as SVG")
    p.add_argument("--plot-lr", metavar="FILE",
                   help="write the learning rate of every step of the run (--schedule, --warmup) "
                        "as SVG, before the first step; training then goes on as usual "
                        "(Ctrl-C stops it, the picture stays)")
    p.add_argument("--log-grad-norms", type=cli.whole_number(1), metavar="K",
                   help="every K steps, a line on stdout after the step's: each layer's "
                        "gradient norm (L2 over its weights' gradients, before Adam's update), "
                        "embeddings first, lm_head last")
    p.add_argument("--params", action="store_true",
                   help="print every weight matrix's shape and count, after num params")
    args = p.parse_args(argv)
    if args.save_every and not (args.out or args.resume):
        p.error("--save-every needs --out FILE")
    if args.init and args.resume:
        p.error("--init starts a new run from a checkpoint's weights, --resume continues a run: "
                "give one of them")
    given = flags.run_config(args)
    try:
        if not args.resume:  # a resumed run has its settings: check_resume compares them
            flags.check_language_model(Config(**given))  # before check(): a classifier's classes
            flags.check_used(Config(**given), given)
            catalog.check(Config(**given))
    except ConfigError as e:
        p.error(e)
    return args, given


def main(argv=None):
    args, given = parse_args(argv)
    try:
        docs, examples, state = runs.open_run(args, given, PROG)  # every check, before any work
    except (DataError, ConfigError, CheckpointError, UnknownText) as e:
        cli.fail(PROG, e)
    config, out = state.config, runs.save_path(args)
    uniform = math.log(config.vocab_size)  # the loss of knowing nothing: every token alike
    shown = {"step": state.step, "saved": False, "warned": False}  # for the lines below

    def save(why=None):  # with --out or --resume; False if not saved (a line says why)
        saved = out is not None and cli.save(PROG, state, out, why)
        shown["saved"] = shown["saved"] or (why == "stdout closed" and saved)
        return saved

    def plot():  # what there is, even of a run that diverged or was stopped
        if args.plot and state.losses:
            cli.write(PROG, args.plot, svg.loss_chart(state.losses), "the loss curve")

    def after_step(loss, norms):  # the lines and saves train adds after a step's line
        shown["step"] = state.step
        if norms:
            print(f"grad norms of step {state.step:4d} | " + "  ".join(
                f"{group} {norm:.2e}" for group, norm in norms.items()), flush=True)
        if loss > FAR_ABOVE_UNIFORM * uniform and not shown["warned"]:
            shown["warned"] = True
            print(f"{PROG}: note: the loss at step {state.step} ({loss:.4g}) is far above "
                  f"a uniform guess's (log {config.vocab_size} = {uniform:.2f}): --lr "
                  f"{config.lr:g} is likely too high", file=sys.stderr)
        if args.save_every and state.step % args.save_every == 0 and state.step < config.steps:
            save("checkpoint")
        runs.held_out_line(state, held_out)

    first_step = state.step
    try:
        held_out = runs.print_header(PROG, docs, examples, state, args.params)
        if args.plot_lr:
            plot_learning_rate(args.plot_lr, config)
        with runs.session(PROG, state, save, out, at_exit=plot) as stop:
            for step in range(state.step, config.steps):
                norms = {}  # each layer's gradient norm, on the steps --log-grad-norms logs
                logged = args.log_grad_norms and (step + 1) % args.log_grad_norms == 0
                loss = train_step(state, examples,
                                  (lambda params: norms.update(grad_norms(params))) if logged else None)
                print(f"step {step + 1:4d} / {config.steps:4d} | loss {loss:.4f}", flush=True)
                after_step(loss, norms)
                if stop.requested:
                    break
    except cli.OutputClosed:  # | head, > /dev/full: the session saved what there was
        if shown["step"] == first_step and not shown["saved"]:
            print(f"{PROG}: stdout closed (a closed pipe or a full disk) before the first step "
                  f"ended; nothing was trained", file=sys.stderr)
        raise
    # sampling: all is saved, so Ctrl-C or SIGTERM now stops at once, even in a long sample
    if config.num_samples:
        print(f"\n{cli.one_line(runs.samples_header(state.data_name))}")
    for i in range(config.num_samples):
        text = sample(state.params, config, state.tokenizer, state.rng,
                      reader=catalog.reader_of(config))
        print(f"sample {i + 1:2d}: {cli.shown_sample(text)}", flush=True)
    if state.losses:  # after the reference's lines: each step line is one document's loss
        print(mean_loss_line(state.losses))


def mean_loss_line(losses, last=100):
    """The mean loss of the last `last` steps (all of them, if fewer): one
    step's loss is one document's, too noisy to read a run by.

    >>> mean_loss_line([3.0, 2.0, 1.0], last=2)
    'mean loss of the last 2 steps: 1.5000'
    >>> mean_loss_line([3.0])
    'mean loss of the last 1 step: 3.0000'
    """
    tail = losses[-last:]
    return f"mean loss of the last {cli.plural(len(tail), 'step')}: {sum(tail) / len(tail):.4f}"


def plot_learning_rate(path, config):
    """Draw the learning rate of every step of the run (x: step 1 ... N, as
    the step lines count), computed as Adam will (optim.learning_rate)."""
    rates = [learning_rate(s, config) for s in range(config.steps)]  # step s + 1's
    warmup = f", warmup {config.warmup}" if config.warmup else ""
    short = ", still in warmup" if config.warmup > config.steps else ""  # the last step's is highest
    title = (f"learning rate ({config.schedule}{warmup}, --lr {config.lr:g}): "
             f"highest {max(rates):.3g}{short}")
    cli.write(PROG, path, svg.line_chart({"learning rate": ("#36c", rates)}, title, y_min=0),
              "the learning rate over the run")


if __name__ == "__main__":
    cli.run(main)
