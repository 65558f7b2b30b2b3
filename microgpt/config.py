"""
config.py: every setting of a run, in one dataclass.

The defaults are the reference run's. The model's shape (n_embd, n_head,
n_layer, block_size, vocab_size), the optimizer's settings, the seed and the
sampling settings all live here and nowhere else: the command-line flags of
train.py take their defaults from this class, and checkpoints store it whole.

The variants of the textbook transformer (LayerNorm, GELU, sinusoidal or no
positions, tied weights, post-LN, no residual, no attention scale, other
learning-rate schedules, label smoothing, batches, a held-out split) are
fields too; each defaults to the reference's choice, so a Config() is the
reference run. docs/experiments.md has the table. `model` picks the
architecture: the GPT; a recurrent baseline (recurrent.py), to which the
GPT's block settings do not apply; the classifier (bert.py) or the
encoder-decoder (transformer.py).

vocab_size is the one field the data decides: training.plan sets it from
the tokenizer (with BPE, bpe_vocab_size is the size asked for, vocab_size the
size reached). A Config is refused as it is built when a field has the
wrong type (`tie_weights='no'`, `n_embd='16'`: ConfigError, not a silent
truthy string); `check()` says, in words, what else is wrong with a config
before any work starts, and is the one place that does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields


class ConfigError(ValueError):
    """A setting that cannot work, with a message meant for a person. The
    library raises it for every input it refuses: a config, a sample call's
    settings, documents that cannot start a run, a step past the run's end."""


# what a field of each annotated type may hold: bool is not a number here, nor 1 a bool
KINDS = {"int": ("a whole number", lambda x: isinstance(x, int) and not isinstance(x, bool)),
         "float": ("a number", lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)),
         "bool": ("True or False", lambda x: isinstance(x, bool)),
         "str": ("a string", lambda x: isinstance(x, str))}


# the choices of the variant switches; each tuple's first entry is the reference's
NORMS = ("rmsnorm", "layernorm")
ACTIVATIONS = ("relu", "gelu")
POSITIONS = ("learned", "sinusoidal", "none")
NORM_PLACEMENTS = ("pre", "post")
SCHEDULES = ("linear", "cosine", "constant", "noam")
MODELS = ("gpt", "classifier", "seq2seq", "rnn", "gru", "lstm")  # gpt: model.py's;
# classifier: bert.py's (python -m microgpt classify); seq2seq: transformer.py's
# (python -m microgpt seq2seq); the recurrent baselines: recurrent.py's
RECURRENT = ("rnn", "gru", "lstm")       # recurrent.py's cells
TASKS = ("reverse", "sort", "copy")  # seq2seq's pairs made from a word list (pairs.py)


@dataclass
class Config:
    # the model's shape (defaults: 4,192 parameters on the 27-token names data)
    n_embd: int = 16       # width of the residual stream
    n_head: int = 4        # attention heads; each reads n_embd // n_head entries
    n_layer: int = 1       # transformer blocks
    block_size: int = 16   # longest context; longer documents are truncated
    vocab_size: int = 27   # the model's vocabulary: set from the tokenizer, BOS included
    tokenizer: str = "char"  # "char": one token per character; "bpe": byte-pair encoding
    bpe_vocab_size: int = 0  # with "bpe": the vocabulary to learn up to (--vocab-size);
                             # vocab_size is what it reached
    stride: int = 0        # 0: a long document is truncated to the block; S: windows S apart
    # the model's variants (defaults: the reference's GPT)
    norm: str = "rmsnorm"          # or "layernorm": learnable gain and bias
    activation: str = "relu"       # or "gelu" (tanh form, as in GPT-2)
    position: str = "learned"      # "learned" (wpe), "sinusoidal" (fixed), "none"
    tie_weights: bool = False      # True: no lm_head, the logits use wte
    norm_placement: str = "pre"    # "pre": x + block(norm(x)); "post": norm(x + block(x))
    residual: bool = True          # False: the blocks drop their "x +"
    attention_scale: bool = True   # False: attention logits are q.k, without 1/sqrt(head_dim)
    # the model, and the masks of attention over the whole sequence (encoder.py)
    model: str = "gpt"             # one of MODELS: the GPT, the classifier, a recurrent baseline
    n_class: int = 0               # the classifier's classes, set from its files (0: the GPT)
    causal_mask: bool = True       # False: every position sees the whole document
    pad_to: int = 0                # N: pad each document with PAD up to N positions
    padding_mask: bool = True      # with pad_to: no position attends to a PAD key
    task: str = ""                 # seq2seq: one of TASKS, or "" for a file of pairs
    # training
    seed: int = 42
    steps: int = 1000
    lr: float = 0.01       # Adam's learning rate, decayed linearly to 0
    beta1: float = 0.85
    beta2: float = 0.99
    eps: float = 1e-8
    init_std: float = 0.08
    schedule: str = "linear"       # the learning rate over the run: linear, cosine, constant, noam
    warmup: int = 0                # steps of linear warmup from lr/W up to lr
    label_smoothing: float = 0.0   # E: a share E of each position's loss spread over all tokens
    batch_size: int = 1            # documents per step; the step's loss is their mean
    val_fraction: float = 0.0      # F: hold out the last max(1, round(F * docs)) documents
    eval_every: int = 100          # with a held-out split: its loss every K steps, and at the end
    # sampling
    temperature: float = 0.5
    num_samples: int = 20

    def __post_init__(self):
        self.check_types()

    def check_types(self):
        """Raise ConfigError naming the first field of the wrong type.

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

    @property
    def head_dim(self):
        return self.n_embd // self.n_head

    def check(self):
        """Raise ConfigError naming the first setting that cannot work.

        >>> Config(n_embd=10, n_head=4).check()
        Traceback (most recent call last):
        ...
        microgpt.config.ConfigError: n_embd (10) must be divisible by n_head (4)
        """
        self.check_types()  # a field may have been set since the config was built
        for name in ("n_embd", "n_head", "n_layer", "block_size", "vocab_size", "steps"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.tokenizer not in ("char", "bpe"):
            raise ConfigError(f"tokenizer must be char or bpe, got {self.tokenizer!r}")
        if self.tokenizer == "bpe" and self.bpe_vocab_size < 2:
            raise ConfigError(f"the bpe tokenizer needs a bpe_vocab_size of at least 2, got "
                              f"{self.bpe_vocab_size} (--tokenizer bpe needs --vocab-size V)")
        if self.tokenizer == "char" and self.bpe_vocab_size:
            raise ConfigError("bpe_vocab_size is for the bpe tokenizer (--vocab-size needs "
                              "--tokenizer bpe: characters make their own vocabulary)")
        if self.stride < 0:
            raise ConfigError(f"stride cannot be negative, got {self.stride}")
        if self.num_samples < 0:
            raise ConfigError(f"num_samples cannot be negative, got {self.num_samples}")
        if self.model in RECURRENT:
            self._check_recurrent()
        elif self.n_embd % self.n_head:
            raise ConfigError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ConfigError(f"lr must be a positive number, got {self.lr}")
        if not (math.isfinite(self.temperature) and self.temperature >= 0):
            raise ConfigError(f"temperature must be 0 or more, got {self.temperature}")
        if self.seed < 0:
            raise ConfigError(f"seed cannot be negative, got {self.seed}")
        for name in ("beta1", "beta2"):
            if not 0 <= getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 0 and below 1, got {getattr(self, name)}")
        if not (self.eps > 0 and math.isfinite(self.eps)):
            raise ConfigError(f"eps must be a positive number, got {self.eps}")
        if not (self.init_std >= 0 and math.isfinite(self.init_std)):
            raise ConfigError(f"init_std must be 0 or more, got {self.init_std}")
        for name, choices in (("model", MODELS), ("norm", NORMS), ("activation", ACTIVATIONS),
                              ("position", POSITIONS), ("norm_placement", NORM_PLACEMENTS),
                              ("schedule", SCHEDULES)):
            if getattr(self, name) not in choices:
                raise ConfigError(f"{name} must be one of {', '.join(choices)}, "
                                  f"got {getattr(self, name)!r}")
        if self.model == "classifier" and self.n_class < 2:
            raise ConfigError(f"a classifier needs at least 2 classes, got {self.n_class}")
        if not self.padding_mask and not self.pad_to:
            raise ConfigError("--no-padding-mask needs --pad-to N (without padding there is "
                              "nothing to mask)")
        if not 0 <= self.pad_to <= self.block_size:
            raise ConfigError(f"pad_to must be from 0 to block_size ({self.block_size}), "
                              f"got {self.pad_to}")
        if self.model == "seq2seq":
            self.check_seq2seq()
        if self.model == "classifier" and self.tie_weights:
            raise ConfigError("the classifier has no lm_head to tie to wte (its head is cls_head)")
        if self.pad_to and self.tie_weights:  # the logits would then include PAD's row
            raise ConfigError("--pad-to cannot go with --tie-weights: PAD has an embedding "
                              "but is never predicted")
        if self.warmup < 0:
            raise ConfigError(f"warmup cannot be negative, got {self.warmup}")
        if self.schedule == "noam" and self.warmup < 1:
            raise ConfigError("the noam schedule needs warmup of at least 1 step (--warmup W)")
        if not 0 <= self.label_smoothing <= 1:
            raise ConfigError(f"label_smoothing must be from 0 to 1, got {self.label_smoothing}")
        if not 0 <= self.val_fraction < 1:
            raise ConfigError(f"val_fraction must be at least 0 and below 1, got {self.val_fraction}")
        for name in ("batch_size", "eval_every"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")

    def _check_recurrent(self):
        """A recurrent model is one cell of width n_embd: the GPT's block settings
        do not apply to it (each must keep its default).

        >>> Config(model="lstm", n_head=2).check()
        Traceback (most recent call last):
        ...
        microgpt.config.ConfigError: --n-head does not apply to the lstm model: it has no attention
        """
        why = {"n_head": "it has no attention", "attention_scale": "it has no attention",
               "n_layer": "it is one recurrent cell", "norm": "it has no norms",
               "norm_placement": "it has no norms", "residual": "it has no residual stream",
               "activation": "it has no MLP", "position": "the recurrence gives the order",
               "tie_weights": "its lm_head is its own",
               "causal_mask": "it reads in order: there is no attention to mask",
               "pad_to": "it reads one token at a time: nothing to pad"}
        d = Config()
        for name, reason in why.items():
            if getattr(self, name) != getattr(d, name):
                flag = ("--causal-mask off" if name == "causal_mask" else
                        ("--no-" if getattr(self, name) is False else "--") + name.replace("_", "-"))
                raise ConfigError(f"{flag} does not apply to the {self.model} model: {reason}")

    def check_seq2seq(self):
        """The encoder-decoder is built one way (transformer.py): these settings do not fit it."""
        if self.task not in ("",) + TASKS:
            raise ConfigError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        for name, value in (("norm", "rmsnorm"), ("position", "learned"), ("tie_weights", False),
                            ("pad_to", 0), ("causal_mask", True), ("tokenizer", "char"),
                            ("stride", 0)):
            if getattr(self, name) != value:
                raise ConfigError(f"the encoder-decoder has no {name} variant "
                                  f"(got {getattr(self, name)!r})")
