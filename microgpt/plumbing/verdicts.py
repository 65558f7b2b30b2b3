"""
verdicts.py: what an image classifier (a Vision Transformer) makes of
images, as the vit command prints it: over many, the accuracy, the confusion
matrix and its most confused pairs (score, report); on one, its guess and
where CLS looks, the last layer's heads averaged over the pixel grid in the
terminal, every head of every layer over the ink in an SVG (show_image);
and whether a model can read some images at all (readable).

Builds on images.py, generate.py, confusion.py, and on the plumbing's
cli.py, corpus.py (DataError), pixels.py and progress.py. Leaves out training and reading files:
commands/vit.py's.
"""
from __future__ import annotations

from ..architectures import images
from ..generate import argmax
from ..instruments import confusion
from . import cli, pixels
from .corpus import DataError
from .progress import Progress


def score(prog, state, some, label):
    """(confusion matrix, [(label, guess, probability)]) of some images."""
    progress, rows = Progress(prog, len(some)), []
    for n, (image, k) in enumerate(some, 1):
        probs, _ = images.looks(state.params, state.config, image)
        rows.append((k, argmax(probs), max(probs)))
        progress.step(label, n, len(some))
    return confusion.confusion([r[0] for r in rows], [r[1] for r in rows],
                               state.config.n_class), rows


def report(matrix, title):
    """The accuracy, the confusion matrix and its most confused pairs, as lines."""
    lines = confusion.report(matrix, [str(k) for k in range(len(matrix))], title)
    pairs = confusion.most_confused(matrix)
    if pairs:
        lines.append("most confused (true -> predicted): " + ", ".join(
            f"{t} -> {g} ({cli.plural(n, 'time')})" for n, t, g in pairs))
    return lines


def readable(state, some, what):
    """DataError unless the model can read these images: its size, its labels."""
    c = state.config
    side = int(len(some[0][0]) ** 0.5)
    if side != c.image_size:
        raise DataError(f"{what}: images of {side} x {side} pixels; the model reads "
                        f"{c.image_size} x {c.image_size}")
    if max(k for _, k in some) >= c.n_class:
        raise DataError(f"{what}: a label of {max(k for _, k in some)}; the model knows "
                        f"0 to {c.n_class - 1}")


def show_image(prog, state, image, label, where, svg_path, source):
    """--image: the image, the guess, and where CLS looks (the last layer's
    heads averaged in the terminal; every head in the SVG)."""
    c = state.config
    probs, looks = images.looks(state.params, c, image)
    guess = argmax(probs)
    mark = "" if guess == label else "   (wrong)"
    print(f"{where}: label {label}; the model reads {guess} ({probs[guess]:.2f}){mark}")
    print("probabilities: " + ", ".join(f"{k} {probs[k]:.2f}" for k in
                                        sorted(range(len(probs)), key=lambda k: -probs[k])[:3]))
    P, side, across = c.patch, c.image_size, c.image_size // c.patch
    means = [[sum(w) / c.n_head for w in zip(*heads)] for heads in looks]  # per layer: (1 + N,)
    last = means[-1]  # the layer whose CLS vector the head reads
    print()
    heat = pixels.spread(last[1:], side, P)  # each patch's weight over its P x P pixels
    print("\n".join(pixels.image_and_heat(image, side, c.pixel_max, heat, f"where CLS looks (layer "
                                          f"{c.n_layer - 1}, mean of {c.n_head} heads)")))
    print(f"\nCLS's attention, layer {c.n_layer - 1}, mean of the heads: {100 * last[0]:.0f}% on "
          f"itself; on each of the {across * across} patches of {P} x {P} pixels (%):")
    for r in range(across):
        print("  " + " ".join(f"{100 * w:3.0f}" for w in last[1 + r * across:1 + (r + 1) * across]))
    if svg_path:
        panels = []
        for layer, heads in enumerate(looks):  # per layer: the heads' mean, then each head
            panels.append((f"layer {layer}, mean of heads",
                           pixels.spread(means[layer][1:], side, P)))
            panels += [(f"layer {layer}, head {h}", pixels.spread(w[1:], side, P))
                       for h, w in enumerate(heads)]
        title = (f"{source}: {where}, label {label}, read as {guess} ({probs[guess]:.2f}): "
                 f"where CLS looks, patches of {P} x {P} pixels")
        note = "each cell: a pixel, shaded by its patch's weight in CLS's attention; dots: the ink"
        picture = pixels.overlay_svg(image, side, c.pixel_max, panels, title, note, 1 + c.n_head)
        cli.write(prog, svg_path, picture, "the attention picture")
