"""
longrange.py: the command `python -m microgpt longrange`: why attention won,
measured on the recall task (recall.py).

    python -m microgpt longrange    # --gaps 2,4,8,16 --models gpt,lstm,gru,rnn --steps 500

trains each model at each gap (a few minutes) on fresh documents, the same
seed, steps and width for all, and prints three tables:

1. the held-out accuracy of the prediction after "=" (chance is 1/8);
2. on the fresh (untrained) models at the longest gap, the norm of the
   gradient of the final prediction's loss with respect to each position's
   input vector, by distance from the end: what training has to go on;
3. for each gap's document length T, the longest path through the graph
   of a document's loss from the first position's input, and the graph's
   edges: sequential depth, and work.

--svg FILE draws the three; `--write FILE --gap G --count N --seed S` writes
recall documents instead, for train, sample and inspect. The runs are
training.py's, the measurements reach.py's, the charts gap_charts.py's. Builds on
catalog.py, config.py, recall.py, reach.py, training.py and tokenizer.py, and on the
plumbing's cli.py, progress.py, memory.py, stopping.py and gap_charts.py.
"""
from __future__ import annotations

import math
import random
import sys

from ..config import RECURRENT, Config, ConfigError
from ..plumbing import cli, memory, stopping
from ..plumbing.gap_charts import pictures
from ..plumbing.progress import Progress
from ..instruments.reach import (accuracy_table, depth_and_edges, depth_table, gradient_table,
                                 input_gradient_norms, recall_accuracy)
from ..instruments.recall import FILLER, KEYS, recall_documents, recall_text
from ..tokenizer import UnknownText
from ..architectures import catalog
from ..plumbing.memory import cycle_collector_off
from ..training import Diverged, start_planned, train_step

PROG = "python -m microgpt longrange"
GRADIENT_DOCS = 5  # held-out documents the gradient norms are averaged over
TRAINING = ("gaps", "models", "steps", "n_embd", "lr", "block_size", "train_docs", "eval_docs",
            "svg")  # the flags of the experiment, which --write does not run


def parse_args(argv=None):
    p = cli.ArgumentParser(prog=PROG, description=(
        "Train the GPT and the recurrent models on the recall task (a key letter, GAP digits, "
        "'=', the key again) at several gaps; print accuracy, gradient fall-off and graph depth."),
        epilog=cli.EXIT_STATUSES)
    p.add_argument("--gaps", type=cli.whole_numbers(1), default="2,4,8,16", metavar="LIST",
                   help="filler lengths (default %(default)s)")
    p.add_argument("--models", type=cli.names(("gpt",) + RECURRENT, "model"), default="gpt,lstm,gru,rnn",
                   metavar="LIST", help="the models to train at each gap, comma-separated "
                                        "(default %(default)s)")
    p.add_argument("--steps", type=cli.whole_number(1), default=500,
                   help="training steps per run (default %(default)s)")
    p.add_argument("--seed", type=cli.whole_number(0), default=42, help="random seed (default %(default)s)")
    p.add_argument("--n-embd", type=cli.whole_number(1), default=16,
                   help="width: the GPT's embedding, the recurrent models' hidden size (default %(default)s)")
    p.add_argument("--lr", type=cli.number(0, inclusive=False), default=0.01,
                   help="Adam's learning rate (default %(default)s)")
    p.add_argument("--block-size", type=cli.whole_number(1), metavar="B",
                   help="one block for every run (default: each gap's document, gap + 4)")
    p.add_argument("--train-docs", type=cli.whole_number(1), default=1000, metavar="N",
                   help="training documents per gap (default %(default)s)")
    p.add_argument("--eval-docs", type=cli.whole_number(1), default=100, metavar="N",
                   help="held-out documents per gap, for the accuracy (default %(default)s)")
    p.add_argument("--svg", metavar="FILE", help="draw the three measurements here")
    p.add_argument("--write", metavar="FILE", help="write recall documents to FILE instead")
    p.add_argument("--gap", type=cli.whole_number(0), default=8,
                   help="with --write: filler digits (default %(default)s)")
    p.add_argument("--count", type=cli.whole_number(1), default=1000,
                   help="with --write: documents (default %(default)s)")
    args = p.parse_args(argv)
    if args.write:
        p.refuse_given(args, TRAINING, "does not apply with --write, which writes documents and "
                                       "trains nothing")
    elif "gap" in args.given or "count" in args.given:
        p.error("--gap and --count go with --write FILE (to train at several gaps: --gaps)")
    need = max(args.gaps) + 3  # BOS, key, gap digits, "=": the prediction after "=" must fit
    if args.block_size is not None and args.block_size < need:
        p.error(f"gap {max(args.gaps)} does not fit --block-size {args.block_size}: the "
                f"prediction after '=' needs a block of at least {need} (gap + 3)")
    return p, args


def check_sizes(args):
    """ConfigError if a gap's runs would not fit in memory: said before any
    document is made (a document is gap + 3 characters; a huge gap would
    take minutes to write out, then fail), and so are the documents of every
    run, all made before the first trains (a string each, and each model's
    token ids of the training ones)."""
    vocab_size = len(KEYS + FILLER) + 2  # and "=", BOS
    for gap in args.gaps:
        block = args.block_size or gap + 4
        for model in args.models:
            config = Config(model=model, n_embd=args.n_embd, block_size=block, vocab_size=vocab_size)
            try:
                memory.check_fits(config, min(block, gap + 4))
            except ConfigError as e:
                raise ConfigError(f"{model} at gap {gap}: {e}") from None
    memory.check_holds(sum((args.train_docs + args.eval_docs) * (gap + 60) + len(args.models)
                           * args.train_docs * (8 * gap + 100) for gap in args.gaps),
                       f"--train-docs {args.train_docs} --eval-docs {args.eval_docs} at "
                       f"{cli.plural(len(args.gaps), 'gap')}")


def plan_runs(args, prog):
    """[(model, gap, planned run, held-out documents)], every setting checked."""
    check_sizes(args)
    runs, progress = [], Progress(prog, len(args.gaps), last=False)
    for n, gap in enumerate(args.gaps, 1):
        docs = recall_documents(gap, args.train_docs + args.eval_docs, random.Random(args.seed))
        train, held = docs[:args.train_docs], docs[args.train_docs:]
        for model in args.models:
            config = Config(model=model, n_embd=args.n_embd, steps=args.steps, seed=args.seed,
                            lr=args.lr, block_size=args.block_size or gap + 4)
            try:
                planned = catalog.plan(train, config)
                planned.tokenizer.check_text("".join(held), "the held-out documents",
                                             "the training documents' characters")
            except (ConfigError, UnknownText) as e:
                raise ConfigError(f"{model} at gap {gap}: {e}") from None
            runs.append((model, gap, planned, held))
        progress.step("making the documents, gap by gap", n, len(args.gaps))
    return runs


class Stopped(Exception):
    """Ctrl-C (or SIGTERM) asked to stop: what the runs measured so far is shown."""


def run_all(runs, args, stop, prog):
    """Train and measure each (model, gap) run in turn: (accuracies, gradient
    norms, depths) of the runs done; Stopped carries them when stop is asked
    for (a run cut short shows its depth, measured first, and nothing else)."""
    acc, norms, depth = {}, {}, {}
    scored = args.eval_docs / 3  # the work scoring counts as: a forward pass, a third of a step
    progress = Progress(prog, sum(planned.config.steps + scored for _, _, planned, _ in runs))

    def step(label, n, total, work=1):
        progress.step(label, n, total, work)
        if stop.requested:
            raise Stopped(acc, norms, depth)
    for model, gap, planned, held in runs:
        examples, state = start_planned(planned)
        tok, docs = state.tokenizer, held[:GRADIENT_DOCS]
        doc_ids = [[tok.bos] + tok.encode(doc) for doc in docs]  # up to the key
        whole = (doc_ids[0] + [tok.bos])[:state.config.block_size + 1]  # as training reads it
        depth[model, gap] = depth_and_edges(state.params, state.config, whole)
        if gap == max(args.gaps):  # before training: the gradient a fresh model starts from
            each = [input_gradient_norms(state.params, state.config, ids) for ids in doc_ids]
            norms[model] = [sum(col) / len(col) for col in zip(*each)]
        try:
            while state.step < state.config.steps:
                train_step(state, examples)
                step(f"{model}, gap {gap}", state.step, state.config.steps)
        except Diverged:  # too high a learning rate: this run stops, its accuracy unknown
            progress.skip(state.config.steps - state.step + scored)
            acc[model, gap] = math.nan
            continue
        acc[model, gap] = recall_accuracy(state.params, state.config, tok, held, lambda n: step(
            f"{model}, gap {gap}: scoring", n, len(held), scored / len(held)))
    return acc, norms, depth


def write_documents(prog, args):
    """--write: recall documents to a file, nothing trained."""
    cli.check_output(prog, "--write", args.write, {})
    size = args.count * (args.gap + 4)
    try:
        if size > memory.largest_file():  # more than reading it back would take
            raise ConfigError(f"--gap {args.gap} --count {args.count}: a file of about "
                              f"{memory.human(size)}, more than microgpt reads "
                              f"({memory.human(memory.largest_file())})")
        memory.check_holds(args.count * (2 * args.gap + 70), f"--count {args.count} documents")
    except ConfigError as e:
        cli.fail(prog, e)
    cli.write(prog, args.write, recall_text(args.gap, args.count, args.seed),
              f"{args.count} recall documents (gap {args.gap}, seed {args.seed})")


def main(argv=None):
    parser, args = parse_args(argv)
    prog = parser.prog
    if args.write:
        return write_documents(prog, args)
    cli.check_output(prog, "--svg", args.svg, {})
    try:
        runs = plan_runs(args, prog)
    except ConfigError as e:
        cli.fail(prog, e)
    with stopping.stop_requests(prog) as stop, cycle_collector_off():
        try:
            acc, norms, depth = run_all(runs, args, stop, prog)
        except Stopped as e:
            acc, norms, depth = e.args
    Ts = {g: min(g + 4, args.block_size or g + 4) for g in args.gaps}  # a document's positions
    tables = [accuracy_table(acc, args.models, args.gaps, args.eval_docs), depth_table(
        depth, args.models, Ts)]
    if norms:
        tables.insert(1, gradient_table(norms, max(args.gaps), min(GRADIENT_DOCS, args.eval_docs)))
    print("\n\n".join("\n".join(table) for table in tables))
    if args.svg:
        cli.write(prog, args.svg, pictures(acc, norms, depth, args.models, Ts), "the charts")
    if stop.requested:
        print(f"{prog}: interrupted after {cli.plural(len(acc), 'run')} of {len(runs)}; shown: "
              f"what they measured", file=sys.stderr)
        sys.exit(cli.INTERRUPTED)


if __name__ == "__main__":
    cli.run(main)
