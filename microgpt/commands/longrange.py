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
training.py's, the measurements reach.py's. Builds on
catalog.py, config.py, recall.py, reach.py, training.py and tokenizer.py, and on the
plumbing's cli.py, progress.py, memory.py, stopping.py and svg.py.
"""
from __future__ import annotations

import math
import random
import sys

from ..config import RECURRENT, Config, ConfigError
from ..plumbing import cli, memory, stopping, svg
from ..plumbing.progress import Progress
from ..instruments.reach import depth_and_edges, input_gradient_norms, recall_accuracy
from ..instruments.recall import FILLER, KEYS, recall_documents, recall_text
from ..tokenizer import UnknownText
from ..architectures import catalog
from ..plumbing.memory import cycle_collector_off
from ..training import Diverged, start_planned, train_step

PROG = "python -m microgpt longrange"
COLOURS = {"gpt": "#333", "lstm": "#c33", "gru": "#36c", "rnn": "#393"}
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
    p.add_argument("--models", default="gpt,lstm,gru,rnn", metavar="LIST",
                   help="the models to train at each gap, comma-separated (default "
                        "gpt,lstm,gru,rnn)")
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
    else:
        p.refuse_given(args, ("gap", "count"), "goes with --write FILE (to train at several "
                                               "gaps: --gaps)")
    args.models = args.models.split(",")
    for m in args.models:  # the language models: the GPT and the recurrent baselines
        if m not in ("gpt",) + RECURRENT:
            p.error(f"--models: unknown model {m!r} (choose from gpt, {', '.join(RECURRENT)})")
    if len(set(args.models)) < len(args.models):
        p.error(f"--models: a model named twice in {','.join(args.models)}")
    need = max(args.gaps) + 3  # BOS, key, gap digits, "=": the prediction after "=" must fit
    if args.block_size is not None and args.block_size < need:
        p.error(f"gap {max(args.gaps)} does not fit --block-size {args.block_size}: the "
                f"prediction after '=' needs a block of at least {need} (gap + 3)")
    return p, args


def check_sizes(args):
    """ConfigError if a gap's runs would not fit in memory: said before any
    document is made (a document is gap + 3 characters; a huge gap would
    take minutes to write out, then fail)."""
    vocab_size = len(KEYS + FILLER) + 2  # and "=", BOS
    for gap in args.gaps:
        block = args.block_size or gap + 4
        for model in args.models:
            config = Config(model=model, n_embd=args.n_embd, block_size=block, vocab_size=vocab_size)
            try:
                memory.check_fits(config, min(block, gap + 4))
            except ConfigError as e:
                raise ConfigError(f"{model} at gap {gap}: {e}") from None


def plan_runs(args):
    """[(model, gap, planned run, held-out documents)], every setting checked."""
    check_sizes(args)
    runs = []
    for gap in args.gaps:
        docs = recall_documents(gap, args.train_docs + args.eval_docs, random.Random(args.seed))
        train, held = docs[:args.train_docs], docs[args.train_docs:]
        for model in args.models:
            config = Config(model=model, n_embd=args.n_embd, steps=args.steps, seed=args.seed,
                            lr=args.lr, block_size=args.block_size or gap + 4)
            try:
                planned = catalog.plan(train, config)
                planned.tokenizer.check_text("".join(held), "the held-out documents",
                                             "the training documents' characters")
                memory.check_run_fits(planned.config, planned.examples)
            except (ConfigError, UnknownText) as e:
                raise ConfigError(f"{model} at gap {gap}: {e}") from None
            runs.append((model, gap, planned, held))
    return runs


def accuracy_table(acc, models, gaps, n):
    lines = [f"held-out accuracy of the prediction after '=' ({n} documents a gap; chance 0.125)",
             f"{'model':<6}" + "".join(f"{f'gap {g}':>9}" for g in gaps)]
    for m in models:
        lines.append(f"{m:<6}" + "".join(f"{acc[m, g]:>9.2f}" for g in gaps))
    return lines


def shown_distances(T, gap):
    """0, 1, 2, 4, 8, ... below T, and the key's distance (gap + 1)."""
    ds = sorted({2 ** k for k in range(int(math.log2(T)) + 1) if 2 ** k < T} | {0, gap + 1})
    return [d for d in ds if d < T]


def gradient_table(norms, models, gap, n):
    T = len(next(iter(norms.values())))
    lines = [f"|d loss / d x_t| of the final prediction (the key after '='), fresh weights, gap "
             f"{gap} (T = {T} positions), mean of {n} documents",
             f"{'distance':<12}" + "".join(f"{m:>10}" for m in models)]
    for d in shown_distances(T, gap):
        label = f"{d} (key)" if d == gap + 1 else str(d)
        lines.append(f"{label:<12}" + "".join(f"{norms[m][T - 1 - d]:>10.1e}" for m in models))
    return lines


def depth_table(depth, models, gaps):
    lines = ["longest path from position 0's input to the document's loss / graph edges, "
             "at T positions",
             f"{'T':<5}" + "".join(f"{m:>18}" for m in models)]
    for g in gaps:
        T = depth[models[0], g][0]
        lines.append(f"{T:<5}" + "".join(f"{f'{depth[m, g][1]} / {depth[m, g][2]:,}':>18}"
                                         for m in models))
    return lines


def pictures(acc, norms, depth, models, gaps):
    T = len(next(iter(norms.values())))
    charts = [
        svg.line_chart({m: (COLOURS.get(m, "#999"), [acc[m, g] for g in gaps]) for m in models},
                       "held-out accuracy after '=' against the gap", x_labels=gaps,
                       x_title="gap (digits between the key and '=')", styles=True),
        svg.line_chart({m: (COLOURS.get(m, "#999"),
                            [math.log10(max(norms[m][T - 1 - d], 1e-300)) for d in range(T)])
                        for m in models},
                       "log10 |d loss / d x_t| against the distance from the end",
                       x_labels=[d if d % 4 == 0 else "" for d in range(T)],
                       x_title="distance from the end (positions)", styles=True),
        svg.line_chart({m: (COLOURS.get(m, "#999"), [depth[m, g][1] for g in gaps]) for m in models},
                       "longest path from the first input to the loss against T",
                       x_labels=[depth[models[0], g][0] for g in gaps], x_title="T (positions)",
                       styles=True)]
    return svg.stacked(charts)


def main(argv=None):
    parser, args = parse_args(argv)
    prog = parser.prog
    cli.check_output(prog, "--write", args.write, {})
    if args.write and args.count * (args.gap + 4) > memory.largest_file():  # more than reading takes
        cli.fail(prog, f"--gap {args.gap} --count {args.count}: a file of about "
                       f"{memory.human(args.count * (args.gap + 4))}, more than microgpt reads "
                       f"({memory.human(memory.largest_file())})")
    if args.write:
        cli.write(prog, args.write, recall_text(args.gap, args.count, args.seed),
                  f"{args.count} recall documents (gap {args.gap}, seed {args.seed})")
        return
    cli.check_output(prog, "--svg", args.svg, {})
    try:
        runs = plan_runs(args)
    except ConfigError as e:
        cli.fail(prog, e)
    progress = Progress(prog, sum(planned.config.steps for _, _, planned, _ in runs))
    acc, norms, depth = {}, {}, {}
    with stopping.stop_requests(prog) as stop, cycle_collector_off():
        for model, gap, planned, held in runs:
            examples, state = start_planned(planned)
            tok, docs = state.tokenizer, held[:GRADIENT_DOCS]
            doc_ids = [[tok.bos] + tok.encode(doc) for doc in docs]  # up to the key
            whole = (doc_ids[0] + [tok.bos])[:state.config.block_size + 1]  # as training reads it
            depth[model, gap] = (len(whole) - 1, *depth_and_edges(state.params, state.config, whole))
            if gap == max(args.gaps):  # before training: the gradient a fresh model starts from
                each = [input_gradient_norms(state.params, state.config, ids) for ids in doc_ids]
                norms[model] = [sum(col) / len(col) for col in zip(*each)]
            while state.step < state.config.steps:
                if stop.requested:
                    print(f"{prog}: interrupted ({model} at gap {gap}, step {state.step})",
                          file=sys.stderr)
                    sys.exit(cli.INTERRUPTED)
                try:
                    train_step(state, examples)
                except Diverged:  # too high a learning rate: this run stops, its accuracy unknown
                    progress.skip(state.config.steps - state.step)
                    break
                progress.step(f"{model}, gap {gap}", state.step, state.config.steps)
            diverged = state.step < state.config.steps
            acc[model, gap] = math.nan if diverged else recall_accuracy(state.params, state.config,
                                                                        tok, held)
    print("\n".join(accuracy_table(acc, args.models, args.gaps, args.eval_docs)))
    print()
    print("\n".join(gradient_table(norms, args.models, max(args.gaps),
                                         min(GRADIENT_DOCS, args.eval_docs))))
    print()
    print("\n".join(depth_table(depth, args.models, args.gaps)))
    if args.svg:
        cli.write(prog, args.svg, pictures(acc, norms, depth, args.models, args.gaps), "the charts")


if __name__ == "__main__":
    cli.run(main)
