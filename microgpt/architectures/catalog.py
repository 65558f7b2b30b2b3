"""
catalog.py: every model microgpt trains, by config.model: what it trains on
and with, and how it reads a text to sample.

    gpt          model.document_loss (the reference's), or, without the
                 causal mask or with padding, encoder.sequence_loss
    rnn/gru/lstm recurrent.document_loss
    classifier   bert.classifier_loss   (its run: bert.plan)
    seq2seq      by config.arch (its run: pairs.plan; greedy_of: its decoding):
                 transformer    transformer.seq2seq_loss
                 gru            bottleneck.seq2seq_loss
                 gru-attention  bahdanau.seq2seq_loss

`plan(docs, config)` and `start(docs, config)` are training's for any
language model (the GPT or a recurrent one, any tokenizer): they learn a
BPE tokenizer when the config asks for one and pass the model's loss. The commands, the checkpoints and
the instruments look a model up here, so none of them branches on
config.model itself.

Builds on config.py, model.py, training.py, bpe.py, bahdanau.py, bert.py,
bottleneck.py, encoder.py, recurrent.py and transformer.py.
"""
from __future__ import annotations

from ..config import RECURRENT, ConfigError
from ..model import document_loss
from .. import training
from ..variants.bpe import tokenizer_for
from . import bahdanau, bert, bottleneck, encoder, recurrent, transformer
from .bert import classifier_loss
from .encoder import sequence_loss, whole_reader

ENCODER_DECODERS = {"transformer": transformer, "gru": bottleneck, "gru-attention": bahdanau}


def loss_of(config):
    """The loss a model of this config trains: loss(example, params, config) -> a Value."""
    if config.model == "classifier":
        return classifier_loss
    if config.model == "seq2seq":
        return ENCODER_DECODERS[config.arch].seq2seq_loss
    if config.model in RECURRENT:
        return recurrent.document_loss
    if config.causal_mask and not config.pad_to:
        return document_loss                 # the cache path: the reference's
    return sequence_loss                     # the whole sequence at once, under its mask


def reader_of(config):
    """generate.sample's reader for this config: None for the GPT's own
    cache (generate.gpt_reader), a recurrent model's state, or the whole
    text read again for a GPT without the causal mask."""
    if config.model in RECURRENT:
        return recurrent.reader
    return None if config.causal_mask else whole_reader


def greedy_of(config):
    """An encoder-decoder's greedy decoding (its arch's):
    greedy(src_ids, params, config, bos) -> the output's token ids."""
    return ENCODER_DECODERS[config.arch].greedy


def check(config):
    """Raise ConfigError unless config can work: training.check_config (the
    shape, the run, the optimizer, the loss), then its model's own rules."""
    training.check_config(config, loss_of(config))
    if config.model in RECURRENT:
        recurrent.check(config)
    if config.model in ("gpt", "classifier"):
        encoder.check(config)
    if config.model == "classifier":
        bert.check(config)
    if config.model == "seq2seq":
        ENCODER_DECODERS[config.arch].check(config)
    elif config.arch != "transformer":
        raise ConfigError(f"arch={config.arch!r} is an encoder-decoder's: it needs model='seq2seq'")
    if config.score != "additive" and config.arch != "gru-attention":
        raise ConfigError(f"score={config.score!r} is how Bahdanau attention scores: it needs "
                          f"arch='gru-attention' (arch={config.arch!r} has none)")


def plan(docs, config):
    """training.plan for any language model of config: its tokenizer learned
    (characters, or BPE's merges), its loss chosen, its own rules checked."""
    check(config)
    return training.plan(docs, config, tokenizer_for(docs, config), loss_of(config))


def start(docs, config, data_name="", data_sha256=""):
    """training.start for any language model of config: (training examples,
    RunState with new weights)."""
    return training.start_planned(plan(docs, config), data_name, data_sha256)
