"""
images.py: a Vision Transformer's run: labelled square images read from
text, their order, and what the model makes of one.

The images come from CSV text (`read_images`), one image a line:
`label,p0,p1,...,pN`, the label a whole number (0, 1, ...) and the pixels
those of a square image, row by row, each a number from 0 to
config.pixel_max (the bundled digits.csv: 1,797 handwritten digits, 8 x 8
pixels from 0 to 16). A run starts as the reference's does, with one random
generator seeded with config.seed, used in this order:

1. the images, in file order, shuffled once; the last max(1, round(F * n))
   are held out (F: config.val_fraction), the rest train, step s on image
   s % n_train (with batch_size B: images s*B .. s*B+B-1, modulo n_train);
2. the weights (patches.py gives their order);
3. afterwards, anything the command draws (vit.py: the held-out images it
   shows).

An example is (the image's patches, each scaled to 0-1, label): patches.py's
input. The data sets three settings: image_size (the side), n_class (the
largest label plus 1) and block_size (CLS and the patches). Training is
training.py's train_step (Adam, the schedule), the loss patches.vit_loss.

Builds on config.py, data.py, fused.py, patches.py, tokenizer.py and
training.py.
Left out on purpose: colour, images that are not square, augmentation
(shifted or rotated copies).
"""
from __future__ import annotations

import dataclasses
import math
import random

from ..config import ConfigError
from ..data import shuffled, split
from ..fused import softmax_data
from ..tokenizer import Tokenizer
from ..training import Plan, check_config, split_run
from .patches import check, patchify, vit_logits, vit_loss


class BadImages(ValueError):
    """CSV text that is not labelled square images, naming the line."""


def read_images(text, what="the text", pixel_max=16.0):
    """(pixels, label) of every non-empty line label,p0,...,pN, in order.
    A first line whose label is not a number (label,p0,...) is a header.

    >>> read_images("label,p0,p1,p2,p3\\n3,0,16,8,4\\n\\n1,16,0,0,16\\n")
    [([0.0, 16.0, 8.0, 4.0], 3), ([16.0, 0.0, 0.0, 16.0], 1)]
    >>> read_images("3,0,16,8\\n", "tiny.csv")
    Traceback (most recent call last):
    ...
    microgpt.architectures.images.BadImages: tiny.csv, line 1: 3 pixels are not a square image (4 would be 2 x 2)
    """
    images, first = [], None   # first: (line number, pixels) of the first image
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        fields = line.split(",")
        if first is None and not images and not is_number(fields[0]):
            first = (n, len(fields) - 1)   # a header: its count is the images'
            continue
        label, pixels = whole_label(fields[0], what, n), []
        for j, field in enumerate(fields[1:]):
            if not is_number(field):
                raise BadImages(f"{what}, line {n}: pixel {j} is {field.strip()!r}, not a number")
            value = float(field)
            if not 0 <= value <= pixel_max:
                raise BadImages(f"{what}, line {n}: pixel {j} is {value:g}, outside 0 to "
                                f"{pixel_max:g} (pixel_max)")
            pixels.append(value)
        first = first or (n, len(pixels))
        side = math.isqrt(len(pixels))
        if len(pixels) != first[1]:
            raise BadImages(f"{what}, line {n}: {len(pixels)} pixels where line {first[0]} has "
                            f"{first[1]}: every image must have as many")
        if not pixels or side * side != len(pixels):
            raise BadImages(f"{what}, line {n}: {len(pixels)} pixels are not a square image "
                            f"({(side + 1) ** 2} would be {side + 1} x {side + 1})")
        images.append((pixels, label))
    if not images:
        raise BadImages(f"{what}: no images (no line label,p0,...,pN)")
    return images


def is_number(field):
    """True if float() reads field: "3", " 0.5", "nan" (which no range holds)."""
    try:
        float(field)
    except ValueError:
        return False
    return True


def whole_label(field, what, n):
    """The label of line n, a whole number 0 or more; BadImages if not."""
    if not field.strip().isdigit():
        raise BadImages(f"{what}, line {n}: the label {field.strip()!r} is not a whole number "
                        f"0 or more (each line: label,p0,...,pN)")
    return int(field)


def tokens_of(pixels, config):
    """The model's input for one image: its patches (patches.patchify),
    each pixel divided by pixel_max, so from 0 to 1: (N, P*P) floats."""
    return [[v / config.pixel_max for v in patch]
            for patch in patchify(pixels, config.image_size, config.patch)]


def examples_of(images, config):
    """(patches, label) of each (pixels, label)."""
    return [(tokens_of(pixels, config), label) for pixels, label in images]


def plan(images, config):
    """A fresh run up to its weights (training.start_planned draws them):
    the settings the images decide, the shuffle, the split. ConfigError
    when the images differ in size or are not square, have fewer than two
    labels, or the patch does not tile them."""
    sizes = {len(pixels) for pixels, _ in images}
    side = math.isqrt(min(sizes, default=0))
    if len(sizes) != 1 or side < 1 or side * side not in sizes:
        raise ConfigError(f"the images must be square and of one size (pixels: "
                          f"{', '.join(map(str, sorted(sizes))) or 'no images'})")
    labels = sorted({label for _, label in images})
    if len(labels) < 2:
        raise ConfigError(f"every image has the label {labels[0]}: a classifier needs at "
                          f"least 2 labels to tell apart")
    tokens = 1 + (side // config.patch) ** 2 if config.patch >= 1 else 1
    config = dataclasses.replace(config, model="vit", causal_mask=False, image_size=side,
                                 n_class=labels[-1] + 1, block_size=tokens, vocab_size=1)
    check_config(config, vit_loss)
    check(config)
    rng = random.Random(config.seed)
    train_images, _ = split_run(shuffled(images, rng), config, "images")  # the first draws
    return Plan(examples_of(train_images, config), Tokenizer([]), config, rng, vit_loss)


def replay(images, config):
    """(training images, held-out images) of a run, its shuffle replayed
    with a fresh generator seeded alike (for a resumed run, and the scores)."""
    return split(shuffled(images, random.Random(config.seed)), config.val_fraction)


def looks(params, config, pixels):
    """What the model makes of one image, as floats: (the probability of
    each class, where CLS looks: per layer, per head, its attention weights
    over the 1 + N tokens, CLS's own first, then the patches in order)."""
    records = []
    logits = vit_logits(tokens_of(pixels, config), params, config, records)
    cls_rows = [[w.data for w in record[4][0]] for record in records]  # attn_weights, row 0
    H = config.n_head
    return (softmax_data([z.data for z in logits]),
            [cls_rows[layer * H:(layer + 1) * H] for layer in range(config.n_layer)])
