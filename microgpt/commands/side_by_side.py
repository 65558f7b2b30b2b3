"""
side_by_side.py: `python -m microgpt inspect A.json B.json TEXT`: two
models reading the same text, one after the other in the terminal (each
its heatmaps, with their key, and its guesses), their pictures side by
side in one SVG, each its own grid: a checkpoint before and after more
training, or two variants of a GPT (or of a classifier).

Both are checked before either is drawn: each a GPT or a classifier that
can read TEXT, --layer and --head within each (views.chosen_heads),
--stream only for GPTs that read in order.

Builds on config.py, readout.py, checkpoint.py, cli.py, model_folder.py, stages.py (--stream),
svg.py and views.py. Left out on purpose: --json (what one model computed)
and the fresh model of --train-steps (inspector.py's).
"""
from __future__ import annotations

from ..config import ConfigError
from ..instruments.readout import check_readable, trace, trace_whole
from ..instruments.stages import rms_lines
from ..plumbing import cli, svg
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.model_folder import open_model
from ..plumbing.views import check_stream, chosen_heads, reads_whole, show, svg_picture


def two_models(prog, args):
    """inspect A.json B.json TEXT: each model's heatmaps in turn, titled;
    their pictures side by side, each its own grid."""
    *paths, text = args.inputs
    if args.json:
        cli.fail(prog, "--json writes what one model computed: give one checkpoint")
    cli.check_output(prog, "--svg", args.svg, {path: "a checkpoint" for path in paths})
    models = []
    try:
        for path in paths:
            state, source = open_model(path, prog)
            if state.config.model not in ("gpt", "classifier"):
                raise CheckpointError(f"{path} holds {cli.a_model(state.config.model)}: two "
                                      f"checkpoints are drawn side by side as GPTs or classifiers")
            try:  # both must read TEXT: refused before either is drawn
                check_readable(state.config, state.tokenizer, text)
            except ValueError as e:
                raise CheckpointError(f"{path} cannot read {text!r}: {e}") from None
            check_stream(args, state.config, source)
            models.append((source, state, chosen_heads(args, state.config.n_layer,
                                                       state.config.n_head, source)))
    except (CheckpointError, ConfigError) as e:
        cli.fail(prog, e)
    pictures = []
    for source, state, shown in models:
        positions = (trace_whole if reads_whole(state.config) else trace)(
            state.params, state.config, state.tokenizer, text)
        show(positions, state, source, text, args.numbers, shown)
        print()
        if args.stream:  # each model's, under its heatmaps
            print("the size (RMS) of each stage of the forward pass, at each position:")
            print("\n".join(rms_lines(positions)) + "\n")
        pictures.append(svg_picture(positions, state.config, source, text))
    if args.svg:
        cli.write(prog, args.svg, svg.stacked(pictures, across=True), "the heatmaps")
