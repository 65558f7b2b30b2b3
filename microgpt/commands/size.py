"""
size.py: the command `python -m microgpt size`: how many parameters a model
has, matrix by matrix, without building it.

    python -m microgpt size                           # the reference's 4,192
    python -m microgpt size --preset gpt2             # 124,356,864 with tied weights
    python -m microgpt size --preset gpt2 --untied    # what tying saves

It prints every weight matrix's shape and count and the total (params.py's
param_table: names and shapes only, nothing allocated), then what a training
step of that model would need on this machine (memory and time, the
plumbing's estimate, the one train checks before it starts). A --preset
takes GPT-2's shapes (block 1024, vocabulary 50,257, LayerNorm, tied
weights) in microgpt's layout: no biases, and the one extra norm after the
embedding where GPT-2 has one before lm_head (the same count).

Builds on catalog.py (check), config.py, params.py, and the plumbing's cli.py and memory.py.
"""
from __future__ import annotations

import dataclasses

from ..architectures import catalog
from ..config import Config, ConfigError
from ..params import param_count, param_table
from ..plumbing import cli
from ..plumbing.memory import FORWARD_SECONDS_PER_EDGE, human, human_time, memory_needed, step_edges

MODEL_FLAGS = ("n_layer", "n_embd", "n_head", "block_size", "vocab_size", "norm", "position",
               "tie_weights")  # the model's shape, which a --preset sets
PRESETS = {  # name -> (n_layer, n_embd, n_head): GPT-2's four sizes
    "gpt2": (12, 768, 12), "gpt2-medium": (24, 1024, 16),
    "gpt2-large": (36, 1280, 20), "gpt2-xl": (48, 1600, 25),
}


def gpt2_biases(config):
    """The biases GPT-2 has and microgpt leaves out: per layer, the q/k/v
    projection's 3 * n_embd, the attention output's n_embd, the MLP's
    4 * n_embd and n_embd (LayerNorm's biases are counted already).

    >>> gpt2_biases(Config(n_layer=12, n_embd=768))
    82944
    """
    return config.n_layer * 9 * config.n_embd


def preset_config(name, untied=False):
    """The Config of a GPT-2 size, in microgpt's layout."""
    n_layer, n_embd, n_head = PRESETS[name]
    return Config(n_layer=n_layer, n_embd=n_embd, n_head=n_head, block_size=1024,
                  vocab_size=50257, norm="layernorm", tie_weights=not untied)


def parse_args(argv=None):
    d = Config()
    p = cli.ArgumentParser(prog="python -m microgpt size",
                           description="Every weight matrix of a model, its shape and count, "
                                       "and the total, without building the model; then the "
                                       "memory and time a training step would need here.",
                           epilog=cli.EXIT_STATUSES)
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help="GPT-2's shapes: block 1024, vocabulary 50,257, LayerNorm, tied weights")
    p.add_argument("--untied", action="store_true",
                   help="with --preset: an lm_head of its own instead of the token embeddings: "
                        "what tying saves")
    g = p.add_argument_group("the model (without --preset)")
    g.add_argument("--n-layer", type=cli.whole_number(1), default=d.n_layer,
                   help="transformer blocks (default %(default)s)")
    g.add_argument("--n-embd", type=cli.whole_number(1), default=d.n_embd,
                   help="embedding width (default %(default)s)")
    g.add_argument("--n-head", type=cli.whole_number(1), default=d.n_head,
                   help="attention heads (default %(default)s)")
    g.add_argument("--block-size", type=cli.whole_number(1), default=d.block_size,
                   help="context length: the rows of wpe (default %(default)s)")
    g.add_argument("--vocab-size", type=cli.whole_number(2), default=d.vocab_size, metavar="V",
                   help="tokens, BOS included: the rows of wte and lm_head (default "
                        "%(default)s, the names' 26 letters and BOS)")
    g.add_argument("--norm", choices=("rmsnorm", "layernorm"), default=d.norm,
                   help="layernorm adds a gain and a bias per norm (default %(default)s)")
    g.add_argument("--position", choices=("learned", "sinusoidal", "none"), default=d.position,
                   help="only learned positions have a wpe matrix (default %(default)s)")
    g.add_argument("--tie-weights", action="store_true",
                   help="no lm_head: the logits use the token embeddings wte")
    args = p.parse_args(argv)
    if args.preset:
        p.refuse_given(args, MODEL_FLAGS, f"does not apply with --preset {args.preset}, which "
                                          f"has GPT-2's shapes")
        config = preset_config(args.preset, args.untied)
    else:
        p.refuse_given(args, ("untied",), "goes with --preset (without it the model is untied "
                                          "unless --tie-weights)")
        config = Config(n_layer=args.n_layer, n_embd=args.n_embd, n_head=args.n_head,
                        block_size=args.block_size, vocab_size=args.vocab_size,
                        norm=args.norm, position=args.position, tie_weights=args.tie_weights)
    try:
        catalog.check(config)
    except ConfigError as e:
        p.error(e)
    return p, args, config


def main(argv=None):
    _, args, config = parse_args(argv)
    print(param_table(config))
    if config.tie_weights:
        untied = param_count(dataclasses.replace(config, tie_weights=False))
        print(f"tied: lm_head is wte, which saves {untied - param_count(config):,} "
              f"({untied:,} untied)")
    if args.preset:
        print(f"GPT-2 itself also has {gpt2_biases(config):,} biases (q, k, v, the attention "
              f"output and the MLP's, per layer): {param_count(config) + gpt2_biases(config):,} "
              f"in all")
    edges = step_edges(config, config.block_size)
    seconds = 3 * edges * FORWARD_SECONDS_PER_EDGE  # forward, and a backward about twice it
    print(f"\na training step on one {config.block_size}-token document, on this machine: "
          f"about {human(memory_needed(config, config.block_size))} of memory "
          f"({edges:,} graph edges) and {human_time(seconds)} (CPython)")


if __name__ == "__main__":
    cli.run(main)
