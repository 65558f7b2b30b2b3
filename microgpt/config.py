"""
config.py: every setting of a run, in one dataclass.

The defaults are the reference run's, so a Config() is the reference run.
The model's shape, the optimizer's settings, the seed and the sampling
settings live here and nowhere else: the commands' flags take their
defaults from this class, and checkpoints store it whole. The textbook
variants (LayerNorm, GELU, other positions, tied weights, post-LN, GPT-2's
biases and norms, ...) and the modern ones (RoPE, grouped-query attention,
SwiGLU) are fields too, each defaulting to the reference's choice
(docs/experiments.md has the table; ARCHITECTURES: GPT-2's six at once);
`model` picks the architecture (the GPT, or a model beside it:
architectures/catalog.py; `arch`, which encoder-decoder).

vocab_size is the one field the data decides: training.plan sets it from
the tokenizer. A field of the wrong type or outside its choices is refused
as the Config is built (`tie_weights='no'`, `norm='batchnorm'`: ConfigError,
not a silent truthy string). Whether the settings can work together is
checked where each acts (params.check_shape, optim.check_optimizer,
training.check_config, each architecture's own check).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields


class ConfigError(ValueError):
    """A setting that cannot work, with a message meant for a person. The
    library raises it for every input it refuses: a config, a sample call's
    settings, documents that cannot start a run, a step past the run's end."""


# the choices of the switches; each tuple's first entry is the reference's
CHOICES = {
    "tokenizer": ("char", "bpe"),
    "norm": ("rmsnorm", "layernorm"),
    "activation": ("relu", "gelu", "swiglu"),
    "position": ("learned", "sinusoidal", "none", "rope"),
    "norm_placement": ("pre", "post"),
    "schedule": ("linear", "cosine", "constant", "noam"),
    "optimizer": ("adam", "sgd"),
    "model": ("gpt", "classifier", "seq2seq", "rnn", "gru", "lstm", "mlm", "vit"),
    "task": ("", "reverse", "sort", "copy"),
    "loss_on": ("all", "response"),
    "arch": ("transformer", "gru", "gru-attention"),
    "score": ("additive", "dot"),
}
# an architecture as settings (--arch): GPT-2's six switches where it differs from the reference
ARCHITECTURES = {"gpt2": {"norm": "layernorm", "activation": "gelu", "tie_weights": True,
                          "bias": True, "final_norm": True, "embedding_norm": False}}
RECURRENT = ("rnn", "gru", "lstm")  # architectures/recurrent.py's cells
TASKS = CHOICES["task"][1:]         # seq2seq's pairs made from a word list (pairs.py)

# what a field of each annotated type may hold: bool is not a number here, nor 1 a bool
KINDS = {"int": ("a whole number", lambda x: isinstance(x, int) and not isinstance(x, bool)),
         "float": ("a number", lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)),
         "bool": ("True or False", lambda x: isinstance(x, bool)),
         "str": ("a string", lambda x: isinstance(x, str))}


@dataclass
class Config:
    # the model's shape (defaults: 4,192 parameters on the 27-token names data)
    n_embd: int = 16       # width of the residual stream
    n_head: int = 4        # attention heads; each reads n_embd // n_head entries
    kv_heads: int = 0      # G key/value heads, shared by n_head / G query heads each (0: G = n_head)
    n_layer: int = 1       # transformer blocks
    block_size: int = 16   # longest context; longer documents are truncated
    vocab_size: int = 27   # the model's vocabulary: set from the tokenizer, BOS included
    tokenizer: str = "char"  # "char": one token per character; "bpe": byte-pair encoding
    bpe_vocab_size: int = 0  # with "bpe": the vocabulary to learn up to; vocab_size is what it reached
    stride: int = 0        # 0: a long document is truncated to the block; S: windows S apart
    # the model's variants (defaults: the reference's GPT)
    norm: str = "rmsnorm"          # or "layernorm": learnable gain and bias
    activation: str = "relu"       # or "gelu" (tanh form, as in GPT-2), "swiglu" (Llama's, gated)
    position: str = "learned"      # "learned" (wpe), "sinusoidal" (fixed), "none", "rope" (rotary)
    tie_weights: bool = False      # True: no lm_head, the logits use wte
    norm_placement: str = "pre"    # "pre": x + block(norm(x)); "post": norm(x + block(x))
    residual: bool = True          # False: the blocks drop their "x +"
    attention_scale: bool = True   # False: attention logits are q.k, without 1/sqrt(head_dim)
    bias: bool = False             # True: every linear layer in the blocks adds a bias vector
    final_norm: bool = False       # True: a norm of x before lm_head (GPT-2's ln_f)
    embedding_norm: bool = True    # False: no norm right after wte + wpe (GPT-2 has none)
    # the model, and the masks of attention over the whole sequence (encoder.py)
    model: str = "gpt"             # the GPT, or a model beside it (architectures/catalog.py)
    n_class: int = 0               # the classifier's classes, set from its files (0: the GPT)
    causal_mask: bool = True       # False: every position sees the whole document
    pad_to: int = 0                # N: pad each document with PAD up to N positions
    padding_mask: bool = True      # with pad_to: no position attends to a PAD key
    task: str = ""                 # seq2seq: reverse, sort or copy, or "" for a file of pairs
    # images: the Vision Transformer (architectures/patches.py)
    patch: int = 2                 # vit: a patch's side in pixels; each patch is one token
    image_size: int = 0            # vit: the images' side in pixels, set from the data
    pixel_max: float = 16.0        # vit: pixels run from 0 to this (the digits': 16), scaled to 0-1
    arch: str = "transformer"      # seq2seq: the transformer, or a GRU encoder-decoder without
                                   # attention ("gru": bottleneck.py) or with it ("gru-attention")
    score: str = "additive"        # gru-attention: Bahdanau's v.tanh(W s + U h), or "dot": s.h
    # training
    seed: int = 42
    steps: int = 1000
    optimizer: str = "adam"  # or "sgd", plain gradient descent: p -= lr_t * grad
    lr: float = 0.01       # the learning rate (Adam's, or SGD's), decayed linearly to 0
    beta1: float = 0.85
    beta2: float = 0.99
    eps: float = 1e-8
    init_std: float = 0.08
    schedule: str = "linear"       # the learning rate over the run: linear, cosine, constant, noam
    warmup: int = 0                # steps of linear warmup from lr/W up to lr
    label_smoothing: float = 0.0   # E: a share E of each position's loss spread over all tokens
    batch_size: int = 1            # documents per step; the step's loss is their mean
    loss_on: str = "all"           # "response": a prompt<TAB>response line trains its response only
    val_fraction: float = 0.0      # F: hold out the last max(1, round(F * docs)) documents
    eval_every: int = 100          # with a held-out split: its loss every K steps, and at the end
    # sampling
    temperature: float = 0.5
    num_samples: int = 20

    def __post_init__(self):
        self.check_fields()

    def check_fields(self):
        """Raise ConfigError naming the first field of the wrong type, or
        outside its choices (CHOICES).

        >>> Config(tie_weights="no")
        Traceback (most recent call last):
        ...
        microgpt.config.ConfigError: tie_weights must be True or False, got 'no' (a str)
        """
        for f in fields(self):
            what, fits = KINDS[f.type]
            value = getattr(self, f.name)
            if not fits(value):
                raise ConfigError(f"{f.name} must be {what}, got {value!r} "
                                  f"(a {type(value).__name__})")
            if value not in CHOICES.get(f.name, (value,)):
                raise ConfigError(f"{f.name} must be one of "
                                  f"{', '.join(c for c in CHOICES[f.name] if c)}, got {value!r}")

    @property
    def head_dim(self):
        return self.n_embd // self.n_head


def check_is_config(config):
    """Raise TypeError unless config is a Config (a dict of settings is not)."""
    if not isinstance(config, Config):
        raise TypeError(f"config must be a Config (microgpt.config.Config(...)), got a "
                        f"{type(config).__name__}")


# a run's own settings: (field, what it must hold, said in words), each checked by
# training.check_config once the model's shape is (params.check_shape)
RUN_RULES = (
    ("steps", lambda x: x >= 1, "at least 1"),
    ("seed", lambda x: x >= 0, "0 or more"),
    ("bpe_vocab_size", lambda x: x == 0 or x >= 2, "at least 2 (the alphabet and BOS)"),
    ("stride", lambda x: x >= 0, "0 (none) or more"),
    ("init_std", lambda x: 0 <= x < math.inf, "a number, 0 or more"),
    ("label_smoothing", lambda x: 0 <= x <= 1, "from 0 to 1"),
    ("batch_size", lambda x: x >= 1, "at least 1"),
    ("val_fraction", lambda x: 0 <= x < 1, "at least 0 and below 1"),
    ("eval_every", lambda x: x >= 1, "at least 1"),
    ("temperature", lambda x: 0 <= x < math.inf, "a number, 0 or more (0: greedy)"),
    ("num_samples", lambda x: x >= 0, "0 or more"),
)
