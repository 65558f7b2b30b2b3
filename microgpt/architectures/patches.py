"""
patches.py: the Vision Transformer (Dosovitskiy et al. 2020, "An Image is
Worth 16x16 Words"): an image cut into patches, each patch one token, read
by the encoder's blocks with no mask; a learned CLS token's last vector
gives the class.

An image of side S pixels (grey: one number a pixel) is cut into N =
(S/P)^2 patches of P x P pixels, left to right, then top to bottom. Each
patch, flattened row by row and scaled to 0-1, is a vector of P*P numbers:
what a character's id is to the GPT, except that it is projected, not looked
up. With microgpt's choices (rmsnorm, relu, the embedding normed as the
GPT's is, no biases in the blocks, no final norm) the paper's equations
read:

    x_i = patch_proj @ patch_i + patch_proj.b     each patch i = 1..N: (n_embd,)
    z = norm([cls, x_1, ..., x_N] + wpe)          (1 + N, n_embd): CLS first
    per layer:  z = z + attn_wo @ attention(norm(z))    no mask: all see all
                z = z + mlp_fc2 @ relu(mlp_fc1 @ norm(z))
    logits = head @ z[0]                          CLS's last vector: (n_class,)
    loss = cross-entropy(logits, the image's label)

The paper's E is patch_proj, x_class is cls, E_pos is wpe; its norms are
LayerNorm (here --norm layernorm), its MLP's GELU (--activation gelu), and
it norms CLS's vector once more before the head. CLS reads no pixels: it
starts the same for every image and, attending to the patches, gathers
what the head needs.

The weights (vit_shapes, below) are drawn with rng.gauss(0, init_std), row
by row, in this order, after the run's shuffle of the images (images.py):

    patch_proj (n_embd x P*P); patch_proj.b (1 x n_embd) starts at 0 and
    draws nothing; cls (1 x n_embd); wpe (1 + N x n_embd: CLS's row, then
    each patch's, in order); per layer i = 0..n_layer-1: layer{i}.attn_wq,
    attn_wk, attn_wv, attn_wo (n_embd x n_embd), layer{i}.mlp_fc1 (4n x n),
    layer{i}.mlp_fc2 (n x 4n); head (n_class x n_embd).

With --norm layernorm, the gains and biases of ln_emb and of each layer's
norms come where the GPT's do (no draws); with sinusoidal or no positions,
there is no wpe.

Builds on attention.py (no_mask), config.py, encoder.py (the blocks),
fused.py, model.py (linear, norm), params.py (the GPT's layers' shapes),
positions.py and value.py. Adds nothing to gpt(). Left out on purpose: colour channels, dropout, the paper's
pre-training on a large set and fine-tuning on a small one, and patches
that overlap (a convolution's).
"""
from __future__ import annotations

import dataclasses

from ..attention import no_mask
from ..config import ConfigError
from ..fused import cross_entropy
from ..model import linear, norm
from ..params import param_shapes
from ..positions import fixed_position
from ..value import Value
from .encoder import blocks


def vit_shapes(config):
    """The Vision Transformer's (patches.py), in its documented order:
    patch_proj and its bias, cls, wpe, the GPT's norms and layers, head.

    >>> from microgpt.config import Config
    >>> vit_shapes(Config(model="vit", patch=2, block_size=17, n_class=10))[:4]
    [('patch_proj', 16, 4), ('patch_proj.b', 1, 16), ('cls', 1, 16), ('wpe', 17, 16)]
    >>> vit_shapes(Config(model="vit", patch=2, block_size=17, n_class=10))[-1]
    ('head', 10, 16)
    """
    e, gpt = config.n_embd, dataclasses.replace(config, model="gpt", pad_to=0)
    shapes = [("patch_proj", e, config.patch ** 2), ("patch_proj.b", 1, e), ("cls", 1, e)]
    shapes += [s for s in param_shapes(gpt) if s[0] == "wpe" or s[0].startswith(("ln_", "layer"))]
    return shapes + [("head", config.n_class, e)]


def check(config):
    """The ViT's settings against each other: patches that tile the image,
    one position for CLS and each patch, no mask, and none of the GPT's
    variants of its tokens.

    >>> from microgpt.config import Config
    >>> check(Config(model="vit", image_size=8, patch=3, causal_mask=False))
    Traceback (most recent call last):
    ...
    microgpt.config.ConfigError: patch=3 does not divide the images' side (8 pixels): the patches would not tile them (patch sizes that do: 1, 2, 4, 8)
    """
    side, P = config.image_size, config.patch
    if side < 1:
        raise ConfigError(f"image_size (the images' side in pixels) must be at least 1, got {side}")
    if P < 1 or side % P:
        fits = ", ".join(str(d) for d in range(1, side + 1) if side % d == 0)
        raise ConfigError(f"patch={P} does not divide the images' side ({side} pixels): the "
                          f"patches would not tile them (patch sizes that do: {fits})")
    tokens = 1 + (side // P) ** 2
    if config.block_size != tokens:
        raise ConfigError(f"block_size must be {tokens} (CLS and {tokens - 1} patches of "
                          f"{P} x {P} pixels), got {config.block_size}")
    if config.n_class < 2:
        raise ConfigError(f"a classifier needs at least 2 classes, got {config.n_class}")
    if not 0 < config.pixel_max < float("inf"):
        raise ConfigError(f"pixel_max must be a number above 0, got {config.pixel_max}")
    if config.causal_mask:
        raise ConfigError("the Vision Transformer reads the whole image at once: with "
                          "causal_mask=True CLS, at position 0, would see only itself")
    for name, value in (("tie_weights", False), ("pad_to", 0), ("tokenizer", "char"),
                        ("stride", 0)):
        if getattr(config, name) != value:
            raise ConfigError(f"the Vision Transformer has no {name} variant "
                              f"(got {name}={getattr(config, name)!r})")


def patchify(pixels, side, P):
    """The (side/P)^2 patches of an image given row by row: left to right,
    then top to bottom, each patch's P*P pixels row by row.

    >>> patchify([ 0,  1,  2,  3,
    ...            4,  5,  6,  7,
    ...            8,  9, 10, 11,
    ...           12, 13, 14, 15], 4, 2)
    [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]]
    """
    return [[pixels[(top + i) * side + left + j] for i in range(P) for j in range(P)]
            for top in range(0, side, P) for left in range(0, side, P)]


def embed(xs, p, c):
    """norm([cls, patch_proj @ x + patch_proj.b for each patch x] + wpe)
    (no norm with embedding_norm False, as the GPT's): (1 + N, n_embd). xs: the image's N patches, each P*P floats from 0 to 1."""
    tokens = [p["cls"][0]]                                # CLS: learned, the same for every image
    for x in xs:
        proj = linear([Value(v) for v in x], p["patch_proj"])             # (n_embd,)
        tokens.append([y + b for y, b in zip(proj, p["patch_proj.b"][0])])
    zs = []
    for pos, token in enumerate(tokens):
        pos_emb = p["wpe"][pos] if c.position == "learned" else fixed_position(pos, c)
        z = [t + q for t, q in zip(token, pos_emb)]                        # (n_embd,)
        zs.append(norm(z, p, "ln_emb", c) if c.embedding_norm else z)  # as the GPT's embedding
    return zs


def vit_logits(xs, p, c, records=None):
    """The class logits of one image, given as its patches xs: head @ CLS's
    vector after the blocks, (n_class,). records: each head's matrices, layer
    after layer (attention.sequence_attention); row 0 is where CLS looks."""
    zs = blocks(embed(xs, p, c), p, c, no_mask, records)   # (1 + N, n_embd)
    return linear(zs[0], p["head"])


def vit_loss(example, p, c):
    """Cross-entropy of the true class of example = (patches, label)."""
    xs, label = example
    return cross_entropy(vit_logits(xs, p, c), label, c.label_smoothing)
