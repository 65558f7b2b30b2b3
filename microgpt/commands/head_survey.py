"""
head_survey.py: `python -m microgpt inspect MODEL.json --heads [--ablate
L.H]`: what each attention head does over many documents, and how much the
loss needs it.

--heads reads the first --docs documents of --data (default: the
checkpoint's own data) and prints one table (heads.py: each head's mean
share of weight on BOS, far back, the previous token and itself; its entropy).
--ablate L.H silences head H of layer L (its output set to zero) and
prints the loss without it against the intact model's: over the first
100 documents of the data (its training data, unless --data says
otherwise), or, for a run trained with a split (--val-fraction), over the
first 100 of the documents it set aside (heads.ablation_lines). A model folder (GPT-2) is read as a checkpoint is
(model_folder.py); it reads a text as its own tokens, no BOS, so the
table's first column is the first token's share.

Builds on config.py, heads.py, tokenizer.py, held_out.py, checkpoint.py, cli.py,
corpus.py, model_folder.py and views.py (reads_whole). Left out on
purpose: one text's heatmaps (inspector.py's).
"""
from __future__ import annotations

import argparse
import os

from ..config import ConfigError
from ..instruments import heads
from ..plumbing import cli
from ..plumbing.checkpoint import CheckpointError
from ..plumbing.corpus import DataError, load_docs, locate, locate_saved
from ..plumbing.model_folder import open_model, reading_progress
from ..plumbing.views import reads_whole
from ..tokenizer import UnknownText
from ..instruments.held_out import HELD_OUT_LIMIT

ABLATE_HELP = ("no TEXT: the loss with head H of layer L silenced, against the intact model's "
               f"(repeatable), on the first {HELD_OUT_LIMIT} documents of --data, else of the "
               f"checkpoint's training data: documents it may have trained on (a run trained "
               f"with --val-fraction: the first {HELD_OUT_LIMIT} documents it set aside)")


def head_name(text):
    """A flag type: "L.H", a head by its layer and number -> (L, H).

    >>> head_name("0.2")
    (0, 2)
    """
    layer, dot, head = text.partition(".")
    if not (dot and layer.isdigit() and head.isdigit()):
        raise argparse.ArgumentTypeError(f"expected LAYER.HEAD such as 0.2, got {text!r}")
    return int(layer), int(head)


def study_heads(prog, args):
    """--heads and --ablate: what each head does over many documents, and
    how much the loss needs it."""
    try:
        state, source = open_model(args.inputs[0], prog)
        config = state.config
        if config.model != "gpt" or reads_whole(config):
            raise ConfigError(f"--heads and --ablate read a GPT's cached attention; "
                              f"{args.inputs[0]} holds {cli.a_model(config.model)}"
                              + (" that reads the whole sequence" if config.model == "gpt" else ""))
        for layer, head in args.ablate:
            if layer >= config.n_layer or head >= config.n_head:
                raise ConfigError(f"--ablate {layer}.{head}: the model has {config.n_layer} "
                                  f"layer(s) of {config.n_head} heads (0.0 to "
                                  f"{config.n_layer - 1}.{config.n_head - 1})")
        if not (args.data or state.data_name):
            raise CheckpointError(f"{args.inputs[0]} has no training data to read: give --data "
                                  f"FILE (and --docs N, a few: each token takes a while)")
        if args.ablate and os.path.isdir(args.inputs[0]):
            raise CheckpointError("--ablate needs a checkpoint (a model folder's weights are floats)")
        path = locate(args.data) if args.data else locate_saved(state.data_name)
        docs = load_docs(path)
        state.tokenizer.check_text("".join(docs), str(path))
    except (CheckpointError, DataError, ConfigError, UnknownText) as e:
        cli.fail(prog, e)
    if args.heads:
        n = min(len(docs), args.docs)
        print(cli.one_line(f"{source} over {cli.plural(n, 'document')} of {path}"))
        table = heads.patterns(state.params, config, state.tokenizer, docs[:n],
                               reading_progress(prog, config))
        print("\n".join(heads.table_lines(table, "BOS" if state.tokenizer.starts_with_bos
                                           else "first")))
    if args.ablate:
        print("\n" + "\n".join(heads.ablation_lines(state, docs, args.ablate, path)))
