"""
catalog.py: every model microgpt trains, by config.model: what it trains on
and with, and how it reads a text to sample.

    gpt          model.document_loss (the reference's), or, without the
                 causal mask or with padding, encoder.sequence_loss
    rnn/gru/lstm recurrent.document_loss
    classifier   bert.classifier_loss   (its run: bert.plan)
    mlm          mlm.mlm_loss           (its run: mlm.plan; it does not sample)
    seq2seq      by config.arch (its run: pairs.plan; greedy_of: its decoding):
                 transformer    transformer.seq2seq_loss
                 gru            bottleneck.seq2seq_loss
                 gru-attention  bahdanau.seq2seq_loss
    vit          patches.vit_loss       (its run: images.plan)

`plan(docs, config)` and `start(docs, config)` are training's for any
language model (the GPT or a recurrent one, any tokenizer): they learn a
BPE tokenizer when the config asks for one and pass the model's loss. The commands, the checkpoints and
the instruments look a model up here, so none of them branches on
config.model itself. So does the estimate of a run's size, before it is
built (`memory_needed`: the parameters, and `step_edges`, the graph of a
step, which each kind of model counts its own way): arithmetic, which
plumbing/memory.py compares with this machine's memory.

Builds on config.py, model.py, params.py, training.py, bpe.py, bahdanau.py, bert.py,
bottleneck.py, encoder.py, mlm.py, patches.py, recurrent.py and transformer.py.
"""
from __future__ import annotations

import dataclasses

from ..config import RECURRENT, ConfigError, check_is_config
from ..model import document_loss
from ..params import kv_width, param_count
from .. import training
from ..variants.bpe import tokenizer_for
from . import bahdanau, bert, bottleneck, encoder, mlm, patches, recurrent, transformer
from .bert import classifier_loss
from .mlm import mlm_loss
from .encoder import sequence_loss, whole_reader

ENCODER_DECODERS = {"transformer": transformer, "gru": bottleneck, "gru-attention": bahdanau}


def loss_of(config):
    """The loss a model of this config trains: loss(example, params, config) -> a Value."""
    if config.model == "classifier":
        return classifier_loss
    if config.model == "seq2seq":
        return ENCODER_DECODERS[config.arch].seq2seq_loss
    if config.model == "mlm":
        return mlm_loss
    if config.model == "vit":
        return patches.vit_loss
    if config.model in RECURRENT:
        return recurrent.document_loss
    if config.causal_mask and not config.pad_to:
        return document_loss                 # the cache path: the reference's
    return sequence_loss                     # the whole sequence at once, under its mask


def shapes_of(config):
    """params.param_shapes of a model whose list is its room's: the
    encoder-decoders' (by config.arch) and the Vision Transformer's."""
    if config.model == "vit":
        return patches.vit_shapes(config)
    if config.arch == "transformer":
        return transformer.seq2seq_shapes(config)
    return bottleneck.gru_seq2seq_shapes(config)  # gru, and gru-attention (bahdanau.py)


def reader_of(config):
    """generate.sample's reader for this config: None for the GPT's own
    cache (generate.gpt_reader), a recurrent model's state, or the whole
    text read again for a GPT without the causal mask."""
    if config.model in RECURRENT:
        return recurrent.reader
    return None if config.causal_mask else whole_reader


# -------------------------------------------------------------------------
# how big a run is, before anything is built: one estimate per kind of model

BASE_BYTES = 20_000_000   # the interpreter, microgpt and the data
BYTES_PER_PARAM = 400     # Value, float, gradient, Adam's m and v, checkpoint text
BYTES_PER_EDGE = 35       # a child reference, a local derivative, the node's share


def gpt_step_edges(config, positions):
    """About how many edges (a child and its local derivative) the graph of
    one training step of a GPT has, on documents of `positions` positions.

    Per position and layer, two edges per (weight, input) pair: q and the
    output projection 4 * n_embd**2, k and v 4 * kv * n_embd (kv = kv_heads
    x head_dim, or n_embd: 24 * n_embd**2 in all for the reference), the MLP
    16 * n_embd**2 (24 with SwiGLU's mlp_up), RoPE's turns of q and k
    2 * (n_embd + kv); lm_head 2 * vocab * n_embd. Attention at position t
    reads t keys: 4 * n_embd * t edges for the scores and the weighted sum,
    3 * n_head * t for the softmaxes; without the causal mask (or padded to
    pad_to) every position reads all T. A batch holds batch_size such graphs.

    >>> from microgpt.config import Config
    >>> gpt_step_edges(Config(), 16)      # a 16-letter document's graph has 129,233
    121856
    >>> gpt_step_edges(Config(kv_heads=1, activation="swiglu", position="rope"), 16)  # 152,145
    142976
    """
    e, T = config.n_embd, min(max(positions, config.pad_to), config.block_size)
    read = T * T // 2 if config.causal_mask and not config.pad_to else T * T  # keys, all positions
    kv = kv_width(config)                                              # keys' and values' width
    mlp = 24 if config.activation == "swiglu" else 16                  # SwiGLU: mlp_up as well
    rope = 2 * (e + kv) if config.position == "rope" else 0
    per_position = (config.n_layer * (4 * e * e + 4 * kv * e + mlp * e * e + rope)
                    + 2 * config.vocab_size * e)
    return config.batch_size * (T * per_position + config.n_layer * (4 * e + 3 * config.n_head) * read)


def step_edges(config, positions):
    """About how many edges the graph of one training step of this config's
    model has, on examples of `positions` positions: each kind of model
    counts its own (gpt_step_edges for the GPT and the classifier, which
    is the GPT's blocks without the mask; recurrent.py's; transformer.py's,
    bottleneck.py's for the GRU encoder-decoders;
    the Vision Transformer's, the GPT's blocks over its patches)."""
    if config.model in RECURRENT:
        return recurrent.step_edges(config, positions)
    if config.model == "seq2seq":
        return ENCODER_DECODERS[config.arch].step_edges(config, positions)
    if config.model == "vit":  # CLS and the patches all see all; a patch is projected in (P * P
        # inputs where lm_head reads vocab), and the one head reads CLS alone: 2 * n_class * n_embd
        blocks = dataclasses.replace(config, model="gpt", causal_mask=False, pad_to=0,
                                     vocab_size=config.patch ** 2)
        return gpt_step_edges(blocks, positions) + config.batch_size * 2 * config.n_class * config.n_embd
    return gpt_step_edges(config, positions)


def memory_needed(config, positions):
    """Bytes a training run of this config needs, about: its parameters
    (BYTES_PER_PARAM each) and the graph of a step (BYTES_PER_EDGE an edge).
    The constants were measured with CPython 3.11 on 64-bit Linux, from the
    default model to 800,000 parameters and 13 million edges a step (python
    -m microgpt bench measures a real run); they hold within a factor of
    about 2, enough to tell a model that fits from one that needs a thousand
    times the memory. Whether this machine has it is the plumbing's question
    (plumbing/memory.py: the library reads no operating system)."""
    return (BASE_BYTES + BYTES_PER_PARAM * param_count(config)
            + BYTES_PER_EDGE * step_edges(config, positions))
def greedy_of(config):
    """An encoder-decoder's greedy decoding (its arch's):
    greedy(src_ids, params, config, bos) -> the output's token ids."""
    return ENCODER_DECODERS[config.arch].greedy


def check(config):
    """Raise ConfigError unless config can work: training.check_config (the
    shape, the run, the optimizer, the loss), then its model's own rules."""
    check_is_config(config)  # before config.model is read
    training.check_config(config, loss_of(config))
    if config.model in RECURRENT:
        recurrent.check(config)
    if config.model in ("gpt", "classifier", "mlm"):
        encoder.check(config)
    if config.model == "classifier":
        bert.check(config)
    if config.model == "mlm":
        mlm.check(config)
    if config.model == "seq2seq":
        ENCODER_DECODERS[config.arch].check(config)
    elif config.arch != "transformer":
        raise ConfigError(f"arch={config.arch!r} is an encoder-decoder's: it needs model='seq2seq'")
    if config.score != "additive" and config.arch != "gru-attention":
        raise ConfigError(f"score={config.score!r} is how Bahdanau attention scores: it needs "
                          f"arch='gru-attention' (arch={config.arch!r} has none)")
    if config.model == "vit":
        patches.check(config)


def plan(docs, config, each=None):
    """training.plan for any language model of config: its tokenizer learned
    (characters, or BPE's merges), its loss chosen, its own rules checked.
    each: None, or a function called with (merges learned, merges to learn)
    as BPE learns (bpe.learn_merges: a long text takes minutes)."""
    check(config)
    return training.plan(docs, config, tokenizer_for(docs, config, each), loss_of(config))


def start(docs, config, data_name="", data_sha256=""):
    """training.start for any language model of config: (training examples,
    RunState with new weights)."""
    return training.start_planned(plan(docs, config), data_name, data_sha256)
