"""
inspector.py: the command `python -m microgpt inspect model.json emma`: look
inside attention.

For each layer and head it draws the attention matrix as a terminal heatmap:
row i is the query at position i (labelled by the character it reads), column
j the key at position j; the darker the cell, the more weight. The upper
triangle stays empty: a position cannot see the future. Then, at each
position, the five likeliest next characters. A classifier and a GPT
trained with --causal-mask off read the whole sequence at once: their
matrices are full (dots only where the mask hides PAD), and a classifier
ends with each class's probability; a masked language model (python -m
microgpt mlm) reads each "[MASK]" in TEXT as its MASK token, so the MASK
row shows what a masked position attends to, and ends with its guesses of
what each position holds. An encoder-decoder shows its three
kinds of attention as it writes its output for TEXT, each labelled with
where Q, K and V come from. --layer L, --head H: that layer's heads, or
that head of each layer, only (a GPT's picture keeps them all). The heatmaps
come with their key (terminal.heatmap_key). --numbers prints
the weights instead of shades; --svg FILE writes the same heatmaps as one
picture: a row per layer, a column per head, titled with the model and the
text. `inspect A.json B.json TEXT` shows two models reading the same text,
one after the other (their pictures side by side: side_by_side.py).

No checkpoint yet? `python -m microgpt inspect emma --train-steps 300`
trains a fresh model on --data (default names.txt) first, shaped by train's
model flags (--n-head 2, ...); the text is checked before it trains.

`inspect MODEL.json --heads` is the same question over many documents, one
table, and `--ablate L.H` silences a head and shows what the loss loses
(head_survey.py). --json OUT writes what was computed as data (views.as_json).
A model folder (Hugging Face's GPT-2, or what export wrote) is read wherever a
checkpoint is (model_folder.py). Builds on catalog.py,
config.py, training.py, readout.py (the numbers), three_kinds.py,
stages.py (--stream), views.py (what is shown), svg.py (the picture),
checkpoint.py, cli.py, corpus.py, flags.py, memory.py, model_folder.py, progress.py,
head_survey.py (--heads, --ablate) and side_by_side.py.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..config import RECURRENT, Config, ConfigError
from ..plumbing import checkpoint, cli, flags, svg
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.corpus import DataError, data_files, load_docs, locate
from ..plumbing.memory import check_fits
from ..plumbing.model_folder import open_model, reading_progress
from ..plumbing.progress import reporter
from ..plumbing.views import (as_json, check_stream, chosen_heads, reads_whole, seq2seq_report,
                              show, svg_picture)
from ..instruments.stages import rms_lines
from ..instruments.readout import check_readable, trace, trace_whole
from ..instruments.three_kinds import shape, three_kinds, trace_seq2seq
from ..architectures import catalog
from ..training import start_planned, train_step
from .head_survey import ABLATE_HELP, head_name, study_heads
from .side_by_side import two_models


def parse_args(argv=None):
    p = cli.ArgumentParser(prog="python -m microgpt inspect",
                           usage="%(prog)s [options] [CHECKPOINT] TEXT\n"
                                 "       %(prog)s [options] A.json B.json TEXT",
                           description="Show what each attention head looks at while the model "
                                       "reads TEXT, and what it expects next.")
    p.add_argument("inputs", nargs="+", metavar="[CHECKPOINT] TEXT",
                   help="a checkpoint from python -m microgpt.train --out (or a model folder: "
                        "Hugging Face's GPT-2, or one export wrote), then the text to read "
                        "(or just the text, with --train-steps; or two checkpoints, each drawn)")
    p.add_argument("--train-steps", type=cli.whole_number(1), metavar="N",
                   help="no checkpoint: train a fresh model for N steps first (the model flags "
                        "below shape it; default: the reference's)")
    p.add_argument("--data", help="data for --train-steps (default: names.txt), or for --heads "
                                   "and --ablate (default: the checkpoint's)")
    p.add_argument("--numbers", action="store_true", help="print the weights instead of shades")
    p.add_argument("--svg", metavar="FILE", help="also write the heatmaps as an SVG picture")
    p.add_argument("--json", metavar="OUT", help="also write what was computed as JSON: the "
                   "tokens, their ids, the ten likeliest next tokens, every head's attention")
    p.add_argument("--stream", action="store_true",
                   help="also print the size (RMS) of every stage of the forward pass at each "
                        "position: embeddings, norms, attention, the residual stream, the MLP")
    p.add_argument("--layer", type=cli.whole_number(0), help="show this layer's heads only")
    p.add_argument("--head", type=cli.whole_number(0), help="show this head (of each layer) only")
    p.add_argument("--heads", action="store_true",
                   help="no TEXT: what each head does over the documents of --data (default: "
                        "the checkpoint's data), as one table")
    p.add_argument("--ablate", action="append", type=head_name, default=[], metavar="L.H",
                   help=ABLATE_HELP)
    p.add_argument("--docs", type=cli.whole_number(1), default=200, metavar="N",
                   help="--heads reads the first N documents (default 200; GPT-2 takes "
                        "seconds a token: give a few)")
    flags.add_run_flags(p, leave_out=("steps",), not_here=("eval_every",),  # --train-steps' model
                        what="inspect, which prints no held-out loss")
    args = p.parse_args(argv)
    given = flags.run_config(args)
    if args.heads or args.ablate:
        if len(args.inputs) != 1 or args.train_steps or given or args.svg or args.numbers \
                or args.json:
            p.error("--heads and --ablate read one checkpoint and no TEXT: "
                    "python -m microgpt inspect MODEL.json --heads [--ablate L.H]")
        return p, args, given
    middle = args.inputs[1] if len(args.inputs) == 3 else ""
    two = middle.endswith(".json") or Path(middle).exists()  # A.json B.json TEXT
    if len(args.inputs) > 2 and not two:
        p.error(f"expected [CHECKPOINT] TEXT or A.json B.json TEXT, got {len(args.inputs)} "
                f"arguments (quote a text with spaces)")
    if len(args.inputs) == 1 and not args.train_steps:
        p.error("give a checkpoint before the text, or --train-steps N to train one first")
    if len(args.inputs) >= 2 and args.train_steps:
        p.error("give either a checkpoint or --train-steps, not both")
    if args.data and not args.train_steps:  # else silently unused: the text is the input
        p.error("--data goes with --train-steps (or --heads, --ablate): a checkpoint with a "
                "TEXT reads only the text")
    if given and not args.train_steps:
        p.error(f"{checkpoint.as_flag(*next(iter(given.items())))} shapes a fresh model: it "
                f"needs --train-steps N (a checkpoint has its own settings)")
    return p, args, {**given, "steps": args.train_steps} if args.train_steps else given


def main(argv=None):
    p, args, given = parse_args(argv)
    prog = p.prog
    if args.heads or args.ablate:
        return study_heads(prog, args)
    if len(args.inputs) == 3:
        return two_models(prog, args)
    text = args.inputs[-1]
    args.data = args.data or "names.txt"
    data = locate(args.data)
    taken = {args.inputs[0]: "the checkpoint"} if len(args.inputs) == 2 else data_files(args.data, data)
    cli.check_output(prog, "--svg", args.svg, taken)  # before any work: can it be written?
    cli.check_output(prog, "--json", args.json, {**taken, args.svg: "the --svg picture"},
                     "inspection")
    try:
        if args.train_steps:  # every check (the text too) before the training
            flags.check_language_model(Config(**given))  # the other rooms have their commands
            planned = catalog.plan(load_docs(data), Config(**given),
                                   reporter(prog, "learning BPE merges"))
            check_readable(planned.config, planned.tokenizer, text)
            check_shown(args, planned.config, "a model with these flags")
            check_fits(planned.config, len(planned.tokenizer.encode(text)) + 1)
            examples, state = start_planned(planned)
            print(f"training a fresh model for {cli.plural(args.train_steps, 'step')} on "
                  f"{args.data}...", file=sys.stderr)
            while state.step < args.train_steps:
                train_step(state, examples)
            source = f"fresh model, {cli.plural(args.train_steps, 'step')} on {args.data}"
        else:
            state, source = open_model(args.inputs[0], prog)
            check_shown(args, state.config, source)
        if state.config.model == "seq2seq":
            return show_seq2seq(args, state, source, text, prog)
        if reads_whole(state.config):
            positions = trace_whole(state.params, state.config, state.tokenizer, text)
        else:
            positions = trace(state.params, state.config, state.tokenizer, text,
                              reading_progress(prog, state.config))
    except (CheckpointError, DataError, ConfigError) as e:
        cli.fail(prog, e)
    except ValueError as e:  # text the model cannot read
        cli.fail(prog, f"cannot read {text!r}: {e}")
    if args.json:
        cli.write(prog, args.json, json.dumps(as_json(positions, state, text)), "what it computed")
    shown = chosen_heads(args, state.config.n_layer, state.config.n_head, source)
    show(positions, state, source, text, args.numbers, shown)
    if args.stream:
        print("\nthe size (RMS) of each stage of the forward pass, at each position:")
        print("\n".join(rms_lines(positions)))
    if args.svg:
        cli.write(prog, args.svg, svg_picture(positions, state.config, source, text),
                  "the heatmaps")


def check_shown(args, config, source):
    """ConfigError (or CheckpointError) unless inspect can show what args
    ask of a model of config: asked before any work (a fresh model's
    training), as every refusal is."""
    if config.model in RECURRENT:
        raise CheckpointError(f"{source} is {cli.a_model(config.model)}: it has no attention "
                              f"to show (inspect draws attention heads)")
    if config.model == "vit":
        raise CheckpointError(f"{source} is a Vision Transformer, which reads images: "
                              f"python -m microgpt vit {args.inputs[0]} --image N")
    if config.model != "seq2seq":  # an encoder-decoder's shape is its trace's (show_seq2seq)
        chosen_heads(args, config.n_layer, config.n_head, source)
    check_stream(args, config, source)


def show_seq2seq(args, state, source, text, prog):
    """inspect on an encoder-decoder: its three kinds of attention (a GRU
    encoder-decoder: Bahdanau's, one layer of one head; or none)."""
    c = state.config
    traced = trace_seq2seq(state.params, c, state.tokenizer, text)
    n_layer, n_head = shape(traced)
    if not n_layer:
        raise CheckpointError(f"{source} holds the --arch {c.arch} encoder-decoder: it has no "
                              f"attention to show (python -m microgpt seq2seq MODEL --text TEXT "
                              f"shows what it writes)")
    heads = chosen_heads(args, n_layer, n_head, source)
    if args.json:
        cli.write(prog, args.json, json.dumps(as_json(traced, state, text)), "what it computed")
    print(f"{cli.one_line(source)}: reading {text!r}, {len(traced[0])} source positions with BOS\n")
    print("\n".join(seq2seq_report(traced, heads, args.numbers)))
    if args.svg:
        written = "".join(w for w in traced[2] if w != "END")
        title = f"{source}: reading {text!r}, writing {written!r}"
        picture = svg.grids(three_kinds(traced, heads), columns=3, title=title,
                            masked="masked: the future (the decoder's causal mask)")
        cli.write(prog, args.svg, picture, "the heatmaps")


if __name__ == "__main__":
    cli.run(main)
