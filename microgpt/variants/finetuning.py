"""
finetuning.py: a run that starts from another run's weights.

Pretraining teaches a model a kind of text; fine-tuning goes on from those
weights on new data, often a format to answer in. Here that is a new run
(`start_from`): the checkpoint's weights and model, but fresh Adam moments,
step 0, and its own steps, learning rate, schedule and data. Supervised
fine-tuning (SFT) trains lines prompt<TAB>response with the loss on the
response only, the prompt passing through attention untrained:
config.loss_on "response" (data.py marks where each example's loss
starts; model.document_loss averages from there).

The new data is encoded with the checkpoint's tokenizer. The rules, exactly:

- the run's settings are the checkpoint's model (every field not in
  RUN_FIELDS: its shape, its tokenizer, its variants) and, for each field
  in RUN_FIELDS, the value given, else the default (Config's, the
  reference's: a fine-tuning run does not inherit the pretraining run's
  steps or learning rate). A setting of the model that differs from the
  checkpoint's is refused;
- a character of the new data (all of it, held-out lines too) that the
  checkpoint's tokenizer has no id for is a new token. With n characters
  in the checkpoint (ids 0..n-1, BOS id n) and k new ones, sorted, the
  j-th new character (j = 0..k-1) gets id n + j and BOS moves to id n + k,
  still the last; every other token keeps its id. BOS's rows of wte (and
  of lm_head) move with it, unchanged: rows 0..n-1 are the checkpoint's,
  rows n..n+k-1 new, row n+k the checkpoint's BOS row. A BPE checkpoint
  takes no new characters (a new id between the alphabet and the merges
  would renumber the merges): data with one is refused;
- the random stream: one generator seeded with config.seed draws, in
  order, (1) the shuffle of the documents (data.shuffled, as every run's
  first draw); (2) the new rows of wte, the new characters in sorted
  order, each row n_embd draws gauss(0, init_std) (0.08, the checkpoint's
  init_std) left to right; (3) with an untied lm_head, its new rows, in
  the same order and way; then training's draws (none) and the samples';
- the new run remembers the checkpoint it started from (its file name and
  SHA-256: RunState.init_name, init_sha256; the checkpoint's "init").

Builds on config.py, tokenizer.py, training.py and value.py. Left out on
purpose: freezing layers, smaller learning rates for the pretrained
layers, LoRA; a grown BPE vocabulary.
"""
from __future__ import annotations

import dataclasses

from ..config import RECURRENT, Config, ConfigError
from ..tokenizer import Tokenizer
from ..training import RunState, plan
from ..value import Value

LANGUAGE_MODELS = ("gpt",) + RECURRENT  # the models a run on documents trains
# what a run started from a checkpoint sets for itself; every other field is the checkpoint's model
RUN_FIELDS = ("steps", "seed", "lr", "beta1", "beta2", "eps", "schedule", "warmup",
              "label_smoothing", "batch_size", "loss_on", "val_fraction", "eval_every", "stride",
              "temperature", "num_samples")


def settings_from(config, given, source="the checkpoint"):
    """The Config of a run started from a model of `config`: its model, and
    the run's own settings from given ({field: value}) or Config's
    defaults. ConfigError for a setting of the model that differs.

    >>> settings_from(Config(n_embd=32, steps=5000), {"lr": 0.002}).n_embd
    32
    >>> settings_from(Config(n_embd=32, steps=5000), {"lr": 0.002}).steps
    1000
    >>> settings_from(Config(), {"n_embd": 32}, "pre.json")
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: n_embd=32 would change the model of pre.json (n_embd=16): a run started from a checkpoint keeps its model
    """
    for name, value in given.items():
        old = getattr(config, name)
        if name not in RUN_FIELDS and value != old:
            raise ConfigError(f"{name}={value!r} would change the model of {source} "
                              f"({name}={old!r}): a run started from a checkpoint keeps its model")
    defaults = Config()
    return dataclasses.replace(config, **{name: given.get(name, getattr(defaults, name))
                                          for name in RUN_FIELDS})


def grown(tokenizer, docs):
    """(the tokenizer with the characters of docs it lacks added as new
    tokens after its characters, BOS last; those characters, sorted).
    ConfigError for a BPE tokenizer that would need new characters.

    >>> tok, new = grown(Tokenizer(list("abc")), ["cab", "a\\tZ"])
    >>> new, tok.chars, tok.bos
    (['\\t', 'Z'], ['a', 'b', 'c', '\\t', 'Z'], 5)
    """
    new = sorted(set("".join(docs)) - set(tokenizer.chars))
    if not new:
        return tokenizer, []
    if type(tokenizer) is not Tokenizer:
        shown = " ".join(repr(ch) for ch in new[:10])
        raise ConfigError(f"the data has characters the BPE vocabulary has no token for: "
                          f"{shown}; a BPE checkpoint trains on data of its own alphabet")
    return Tokenizer(tokenizer.chars + new), new


def grown_rows(matrix, n_old_chars, k, rng, std):
    """matrix (a row per token, BOS's last) with k new rows of fresh draws
    gauss(0, std) between the first n_old_chars rows and BOS's row."""
    new = [[Value(rng.gauss(0, std)) for _ in matrix[0]] for _ in range(k)]
    return matrix[:n_old_chars] + new + matrix[n_old_chars:]


def start_from(pretrained, docs, given=None, data_name="", data_sha256="", init_name="",
               init_sha256=""):
    """A new run on docs (file order) from the weights of `pretrained` (a
    RunState, as checkpoint.load gives it): (training examples, RunState at
    step 0, with fresh Adam moments), the new characters it added (sorted).
    given: the run's own settings (RUN_FIELDS; a setting of the model that
    differs raises ConfigError)."""
    source = init_name or "the checkpoint"
    if pretrained.config.model not in LANGUAGE_MODELS:
        raise ConfigError(f"{source} holds the {pretrained.config.model} model; a run on "
                          f"documents starts from a language model's (a GPT's or a recurrent one's)")
    config = settings_from(pretrained.config, given or {}, source)
    tokenizer, new = grown(pretrained.tokenizer, docs)
    planned = plan(docs, config, tokenizer, pretrained.loss)  # every check; the shuffle draws first
    params = {name: [[Value(p.data) for p in row] for row in matrix]  # a copy: the checkpoint's stay
              for name, matrix in pretrained.params.items()}
    n_old, std = len(pretrained.tokenizer.chars), config.init_std
    for name in ("wte", "lm_head"):  # wte's new rows, then (untied) lm_head's
        if name in params and new:
            params[name] = grown_rows(params[name], n_old, len(new), planned.rng, std)
    state = RunState(planned.config, tokenizer, params, planned.rng, data_name=data_name,
                     data_sha256=data_sha256, loss=planned.loss, init_name=init_name,
                     init_sha256=init_sha256)
    return planned.examples, state, new
