"""
mlm.py: BERT's masked language model: an encoder pretrained by filling in
blanks, and the classifier that starts from it.

The model is encoder.py's stack with no mask (every position sees the
whole document) and lm_head at the positions to fill: config.model "mlm".
Its input may hold MASK, a token of its own: id vocab_size, its embedding
the row wte_mask, drawn right after wte (params.py); MASK is never a
target, so lm_head has no row for it. The loss is BERT's (Devlin et al.,
2019, section 3.1 and appendix A.1), written where it acts (`mask`,
`mlm_loss`); the rules, exactly:

- a document is read as the classifier reads it: ids = ([BOS] + its
  characters' ids)[:block_size]; the candidates are positions 1..T-1
  (never BOS, at 0), and k = max(1, round(0.15 * their number)) of them
  are chosen (Python's round: a half goes to the even number), so every
  document has at least one (none has zero, and block_size must be 2 or
  more). The choice is BERT's data generator's: the candidates, in
  order, shuffled by rng.shuffle, and the first k taken;
- each chosen position, in that shuffled order: if rng.random() < 0.8 its
  input becomes MASK; else if a second rng.random() < 0.5 it stays as it
  is; else it becomes rng.randrange(vocab_size - 1), any token but BOS
  and MASK (the original one too, as in BERT: 80% MASK, 10% kept, 10%
  random);
- the loss of a document is the mean, over its chosen positions in
  increasing order, of the cross-entropy of the original token (label
  smoothing as the GPT's); no other position counts.

Its run: one generator seeded with config.seed draws, in order, (1) the
shuffle of the documents; (2) the masks of every document, in the run's
order (the held-out ones last): drawn once, before training, as the
paper's data generator did (it made 10 maskings of its data; here each
document has one); (3) the weights (params.py: wte, wte_mask, wpe,
lm_head, the layers). A resumed run replays (1) and (2).

BERT's recipe goes on with the classifier (`classifier_from`): bert.py's
model started from this encoder: its wte (grown by the new characters of
the classes' files, as variants/finetuning.py grows a GPT's), wpe and
layers; wte_mask and lm_head are dropped, and cls_head is new. Its run
draws (1) the shuffle of the (document, class) pairs, (2) the new rows of
wte (sorted new characters), (3) cls_head, each gauss(0, init_std).

Builds on attention.py, config.py, data.py, fused.py, generate.py,
model.py, params.py, tokenizer.py, training.py, value.py, finetuning.py,
bert.py and encoder.py. Left out on purpose: next-sentence prediction, whole-word
masking, masking anew each epoch (RoBERTa's dynamic masking).
"""
from __future__ import annotations

import dataclasses
import random

from ..attention import no_mask
from ..config import ConfigError
from ..data import shuffled, split
from ..fused import cross_entropy, vsum
from ..generate import argmax
from ..model import linear
from ..params import param_shapes
from ..tokenizer import Tokenizer
from ..training import Plan, RunState, check_config, split_run
from ..value import Value
from ..variants.finetuning import grown, grown_rows, settings_from
from . import bert
from .encoder import encode

MASK_TEXT = "[MASK]"  # how a text for inspect writes the MASK token


# -------------------------------------------------------------------------
# the model: the encoder, lm_head where a blank is to be filled

def check(config):
    """The masked language model reads the whole document, unpadded."""
    if config.causal_mask:
        raise ConfigError("a masked language model sees the whole document: causal_mask=False")
    if config.pad_to:
        raise ConfigError("the masked language model takes no pad_to (MASK's id is PAD's)")
    if config.block_size < 2:
        raise ConfigError("block_size must be at least 2: BOS and one position to mask")


def logits_at(ids, p, c, positions, records=None):
    """lm_head @ x at each of positions after the blocks, over ids (MASK:
    id vocab_size, its row wte_mask after wte's): (len(positions), vocab_size)."""
    table = {**p, "wte": p["wte"] + p["wte_mask"]}  # the same Values: gradients reach both
    xs = encode(ids, table, c, no_mask, records)
    lm_head = p["wte"] if c.tie_weights else p["lm_head"]
    return [linear(xs[pos], lm_head) for pos in positions]


def mlm_loss(example, p, c):
    """BERT's loss of example = (ids with the masks in, [(position,
    original id)] of the chosen positions): their mean cross-entropy."""
    ids, chosen = example
    logits = logits_at(ids, p, c, [pos for pos, _ in chosen])
    losses = [cross_entropy(z, target, c.label_smoothing) for z, (_, target) in zip(logits, chosen)]
    return (1 / len(losses)) * vsum(losses)


def mask(ids, rng, vocab_size):
    """(ids with BERT's masks in, [(position, original id)] in increasing
    position): the module docstring's rule, drawing from rng.

    >>> mask([4, 0, 1, 2, 3, 0, 1], random.Random(1), 5)
    ([4, 0, 1, 5, 3, 0, 1], [(3, 2)])
    """
    candidates = list(range(1, len(ids)))
    k = max(1, round(0.15 * len(candidates)))
    rng.shuffle(candidates)
    out = list(ids)
    for pos in candidates[:k]:
        if rng.random() < 0.8:
            out[pos] = vocab_size                       # MASK
        elif rng.random() >= 0.5:                       # else: kept as it is
            out[pos] = rng.randrange(vocab_size - 1)    # a random token, not BOS
    return out, sorted((pos, ids[pos]) for pos in candidates[:k])


# -------------------------------------------------------------------------
# its run: documents shuffled, masked once, split

def masked_examples(docs, tokenizer, config, rng):
    """Each document of docs, in order, read as the classifier reads it and masked."""
    return [mask(([tokenizer.bos] + tokenizer.encode(doc))[:config.block_size], rng,
                 config.vocab_size) for doc in docs]


def plan(docs, config, tokenizer=None):
    """A fresh run on docs (file order) up to its weights
    (training.start_planned draws them): the vocabulary (the characters of
    docs by default), the shuffle, the masks, the split. ConfigError if the
    settings cannot work or nothing is left to train on."""
    tokenizer = tokenizer or Tokenizer.from_docs(docs)
    config = dataclasses.replace(config, model="mlm", vocab_size=tokenizer.vocab_size)
    check_config(config, mlm_loss)
    check(config)
    rng = random.Random(config.seed)
    examples = masked_examples(shuffled(docs, rng), tokenizer, config, rng)  # the first draws
    train, _ = split_run(examples, config)
    return Plan(train, tokenizer, config, rng, mlm_loss)


def replay(docs, tokenizer, config):
    """(training examples, held-out examples) of a run, its shuffle and
    masks drawn again from a fresh generator seeded alike."""
    rng = random.Random(config.seed)
    return split(masked_examples(shuffled(docs, rng), tokenizer, config, rng), config.val_fraction)


def filled(params, config, examples):
    """(right, chosen) over examples: how many chosen positions the model
    fills with the original token (its likeliest), of how many."""
    right = total = 0
    for ids, chosen in examples:
        logits = logits_at(ids, params, config, [pos for pos, _ in chosen])
        right += sum(argmax([z.data for z in row]) == t for row, (_, t) in zip(logits, chosen))
        total += len(chosen)
    return right, total


def read_masked(tokenizer, text, config):
    """[BOS] + the ids of text, each "[MASK]" in it the MASK token
    (UnknownText for characters the model has not seen).

    >>> from microgpt.config import Config
    >>> from microgpt.tokenizer import Tokenizer
    >>> read_masked(Tokenizer(list("aem")), "em[MASK]a", Config(vocab_size=4))
    [3, 1, 2, 4, 0]
    """
    pieces = text.split(MASK_TEXT)
    tokenizer.check_text("".join(pieces), repr(text))
    ids = [tokenizer.bos]
    for i, piece in enumerate(pieces):
        ids += ([config.vocab_size] if i else []) + tokenizer.encode(piece)
    return ids


# -------------------------------------------------------------------------
# BERT's recipe: the classifier started from the pretrained encoder

def classifier_from(encoder, class_docs, given=None, init_name="", init_sha256=""):
    """A classifier run (bert.py) on class_docs from an MLM run's encoder:
    (training examples, RunState at step 0, the new characters, sorted).
    ConfigError for a run that is not an MLM's, or for a setting given that
    would change the encoder (variants/finetuning.settings_from)."""
    source = init_name or "the checkpoint"
    if encoder.config.model != "mlm":
        raise ConfigError(f"{source} holds the {encoder.config.model} model, not a masked "
                          f"language model's encoder")
    config = settings_from(encoder.config, given or {}, source)
    config = dataclasses.replace(config, tie_weights=False)  # a tied lm_head was wte: kept
    tokenizer, new = grown(encoder.tokenizer, [doc for docs in class_docs for doc in docs])
    planned = bert.plan(class_docs, config, tokenizer)      # the pairs' shuffle draws first
    c, n_old = planned.config, len(encoder.tokenizer.chars)
    copied = {name: [[Value(x.data) for x in row] for row in matrix]
              for name, matrix in encoder.params.items()}
    copied["wte"] = grown_rows(copied["wte"], n_old, len(new), planned.rng, c.init_std)
    copied["cls_head"] = [[Value(planned.rng.gauss(0, c.init_std)) for _ in range(c.n_embd)]
                          for _ in range(c.n_class)]
    params = {name: copied[name] for name, _, _ in param_shapes(c)}  # in the classifier's order
    state = RunState(c, tokenizer, params, planned.rng, loss=planned.loss, init_name=init_name,
                     init_sha256=init_sha256)
    return planned.examples, state, new
