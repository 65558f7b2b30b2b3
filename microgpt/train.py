"""
train.py: the command `python -m microgpt.train`: train a tiny GPT, print samples.

Parse the flags, start a run (or resume a saved one), then a flat loop: one
training step per document, its loss printed; save; print a few samples.
With the default flags on the 32,033-name file it prints exactly the
reference run's numbers.

Ctrl-C (or SIGTERM) says at once that it stops after this step, finishes
the step, saves (with --out, or back to the --resume file), draws --plot and
exits 130; a second Ctrl-C stops at once. A loss far above a uniform guess's
gets one line naming --lr. A diverged run stops there, its last good state
saved and its curve drawn (status 3). Output paths are checked first; a save
that fails later keeps the old file (status 1).

Two instruments: --plot-lr draws the learning rate of every step before the
first, and --log-grad-norms K prints each layer's gradient norm every K
steps (read after backward, before Adam's update).

The algorithm is training.py's; this module only parses, prints and saves.
Builds on tokenizer.py, config.py, optim.py, generate.py, grad_norms.py and
training.py (which models it trains),
and on the plumbing's checkpoint.py, cli.py, datasets.py, flags.py, runs.py
(the training loop) and svg.py.
"""
from __future__ import annotations

import math
import sys

from .config import Config, ConfigError
from .generate import sample
from .grad_norms import grad_norms
from .optim import learning_rate
from .plumbing import cli, flags, runs, svg
from .plumbing.checkpoint import CheckpointError
from .plumbing.datasets import DataError
from .tokenizer import UnknownText
from .training import check_language_model


def parse_args(argv=None):
    d = Config()
    p = cli.ArgumentParser(
        prog="python -m microgpt.train",
        description="Train a tiny GPT on a text file of documents (one per line) "
                    "and print samples. Defaults reproduce the reference run.")
    p.add_argument("path", nargs="?", default=None,
                   help="text file, one document per line (default: names.txt, or the "
                        "checkpoint's file with --resume; a bare name falls back to the "
                        "bundled dataset of that name)")
    flags.add_run_flags(p)  # --steps, the model's shape, --lr, the tokens, the textbook variants
    p.add_argument("--temperature", type=cli.number(0),
                   help=f"sampling temperature; 0 = greedy (default {d.temperature})")
    p.add_argument("--num-samples", type=cli.whole_number(1),
                   help=f"samples to print after training (default {d.num_samples})")
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
    given = flags.run_config(args)
    try:
        if not args.resume:  # a resumed run has its settings: check_resume compares them
            check_language_model(Config(**given))  # before check(): a classifier's class count
            Config(**given).check()
    except ConfigError as e:
        p.error(e)
    return p, args, given


FAR_ABOVE_UNIFORM = 3  # a loss this many times a uniform guess's, log(vocab_size): say so


def main(argv=None):
    parser, args, given = parse_args(argv)
    prog = parser.prog
    try:
        docs, train_examples, state = runs.open_run(args, given, prog)
    except (DataError, ConfigError, CheckpointError, UnknownText) as e:
        cli.fail(prog, e)
    first_step = state.step
    shown = {"step": first_step, "saved": False}  # the last step printed; saved on the way out
    try:
        train(prog, args, docs, train_examples, state, shown)
    except cli.OutputClosed:  # | head, > /dev/full: train() saved what there was
        if shown["step"] == first_step and not shown["saved"]:
            print(f"{prog}: stdout closed (a closed pipe or a full disk) before the first step "
                  f"ended; nothing was trained", file=sys.stderr)
        raise


def train(prog, args, docs, train_examples, state, shown):
    """Print the run's header, train it to its end (or a signal, or divergence),
    save it, draw --plot, print the samples. shown: what main() tells a closed
    stdout by (the last step printed; whether the run was saved)."""
    config, out = state.config, runs.save_path(args)
    held_out = runs.print_header(prog, docs, train_examples, state, args.params)
    uniform = math.log(config.vocab_size)  # the loss of knowing nothing: every token alike
    if args.plot_lr:
        plot_learning_rate(prog, args.plot_lr, config)
    every, norms = args.log_grad_norms, {}  # norms: the logged step's, filled by train_step
    warned = []  # the step whose loss was far above a uniform guess's, once

    def gradients(step):  # train_step's hook on the steps --log-grad-norms logs
        logged = every and (step + 1) % every == 0
        return (lambda params: norms.update(grad_norms(params))) if logged else None

    def after_step(loss):
        shown["step"] = state.step
        if norms:
            print(f"grad norms of step {state.step:4d} | " + "  ".join(
                f"{group} {norm:.2e}" for group, norm in norms.items()), flush=True)
            norms.clear()
        if loss > FAR_ABOVE_UNIFORM * uniform and not warned:
            warned.append(state.step)
            print(f"{prog}: note: the loss at step {state.step} ({loss:.4g}) is far above "
                  f"a uniform guess's (log {config.vocab_size} = {uniform:.2f}): --lr "
                  f"{config.lr:g} is likely too high", file=sys.stderr)
        if args.save_every and state.step % args.save_every == 0 and state.step < config.steps:
            save("checkpoint")

    def save(why=None):  # with --out or --resume; False if not saved (a line says why)
        saved = out is not None and cli.save(prog, state, out, why)
        if why == "stdout closed":
            shown["saved"] = saved
        return saved

    def plot():  # what there is, even of a run that diverged or was stopped
        if args.plot and state.losses:
            cli.write(prog, args.plot, svg.loss_chart(state.losses), "the loss curve")

    runs.train_to_end(prog, state, train_examples, held_out, save, out,
                      gradients=gradients, after_step=after_step, at_exit=plot)
    # sampling: all is saved, so Ctrl-C or SIGTERM now stops at once, even in a long sample
    print(f"\n{runs.samples_header(state.data_name)}")
    for i in range(config.num_samples):
        text = sample(state.params, config, state.tokenizer, state.rng)
        print(f"sample {i + 1:2d}: {cli.shown_sample(text)}", flush=True)


def plot_learning_rate(prog, path, config):
    """Draw the learning rate of every step of the run (x: step 1 ... N, as
    the step lines count), computed as Adam will (optim.learning_rate)."""
    rates = [learning_rate(s, config) for s in range(config.steps)]  # step s + 1's
    warmup = f", warmup {config.warmup}" if config.warmup else ""
    short = ", still in warmup" if config.warmup > config.steps else ""  # the last step's is highest
    title = (f"learning rate ({config.schedule}{warmup}, --lr {config.lr:g}): "
             f"highest {max(rates):.3g}{short}")
    cli.write(prog, path, svg.line_chart({"learning rate": ("#36c", rates)}, title, y_min=0),
              "the learning rate over the run")


if __name__ == "__main__":
    cli.run(main)
