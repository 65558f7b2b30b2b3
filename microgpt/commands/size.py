"""
size.py: the command `python -m microgpt size`: how many parameters a model
has, matrix by matrix, without building it.

    python -m microgpt size                           # the reference's 4,192
    python -m microgpt size --preset gpt2             # 124,439,808: GPT-2 small, as built
    python -m microgpt size --preset gpt2 --untied    # what tying saves
    python -m microgpt size --preset gpt2 --kv-heads 4   # grouped-query attention's saving

It prints every weight matrix's shape and count and the total (matrices.py's
param_table: names and shapes only, nothing allocated), the key/value
cache's size per token (2 x n_layer x kv_heads x head_dim numbers: what
sampling keeps for each position read, and what --kv-heads shrinks), then
what a training step of that model would need on this machine (memory and
time, the plumbing's estimate, the one train checks before it starts). A --preset
takes GPT-2's shapes (block 1024, vocabulary 50,257) and its architecture
(--arch gpt2: LayerNorm, GELU, tied weights, biases, the final norm ln_f and
no norm after the embedding), so it counts what `--arch gpt2` builds and
Hugging Face's GPT-2 holds: 124,439,808 for GPT-2 small. Without the
biases, 82,944 of them (12 layers of 768 for q, k and v, 768 for the
attention output, 3,072 and 768 for the MLP's), that is 124,356,864, what
this command counted before microgpt had biases (its norm after the
embedding then had ln_f's 1,536 gains and biases: the same count).

Builds on catalog.py (check), config.py, params.py, matrices.py, and the plumbing's cli.py and memory.py.
"""
from __future__ import annotations

import dataclasses

from ..architectures import catalog
from ..config import ARCHITECTURES, CHOICES, Config, ConfigError
from ..instruments.matrices import param_table
from ..params import BIASES, kv_width, param_count, param_shapes
from ..plumbing import cli
from ..plumbing.memory import FORWARD_SECONDS_PER_EDGE, human, human_time, memory_needed, step_edges

MODEL_FLAGS = ("n_layer", "n_embd", "n_head", "block_size", "vocab_size", "norm", "position",
               "activation", "tie_weights")  # the model's shape, which a --preset sets
PRESETS = {  # name -> (n_layer, n_embd, n_head): GPT-2's four sizes
    "gpt2": (12, 768, 12), "gpt2-medium": (24, 1024, 16),
    "gpt2-large": (36, 1280, 20), "gpt2-xl": (48, 1600, 25),
}


def biases(config):
    """How many of config's parameters are the linear layers' biases (--bias).

    >>> biases(preset_config("gpt2"))   # 12 layers x (3 + 1 + 4 + 1) x 768
    82944
    """
    return sum(rows * cols for name, rows, cols in param_shapes(config) if name.endswith(BIASES))


def preset_config(name, untied=False):
    """The Config of a GPT-2 size: its shapes and its architecture (--arch gpt2)."""
    n_layer, n_embd, n_head = PRESETS[name]
    return Config(n_layer=n_layer, n_embd=n_embd, n_head=n_head, block_size=1024,
                  vocab_size=50257, **{**ARCHITECTURES["gpt2"], "tie_weights": not untied})


def parse_args(argv=None):
    d = Config()
    p = cli.ArgumentParser(prog="python -m microgpt size",
                           description="Every weight matrix of a model, its shape and count, "
                                       "and the total, without building the model; then the "
                                       "memory and time a training step would need here.",
                           epilog=cli.EXIT_STATUSES)
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help="GPT-2's shapes (block 1024, vocabulary 50,257) and architecture "
                        "(--arch gpt2: LayerNorm, GELU, tied weights, biases, a final norm)")
    p.add_argument("--untied", action="store_true",
                   help="with --preset: an lm_head of its own instead of the token embeddings: "
                        "what tying saves")
    p.add_argument("--kv-heads", type=cli.whole_number(1), metavar="G",
                   help="grouped-query attention: G key/value heads shared by the query heads "
                        "(with --preset too; default: one per query head)")
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
    g.add_argument("--position", choices=CHOICES["position"], default=d.position,
                   help="only learned positions have a wpe matrix (default %(default)s)")
    g.add_argument("--activation", choices=CHOICES["activation"], default=d.activation,
                   help="swiglu adds an mlp_up matrix per layer (default %(default)s)")
    g.add_argument("--tie-weights", action="store_true",
                   help="no lm_head: the logits use the token embeddings wte")
    args = p.parse_args(argv)
    if args.preset:
        p.refuse_given(args, MODEL_FLAGS, f"does not apply with --preset {args.preset}, which "
                                          f"has GPT-2's shapes")
        config = dataclasses.replace(preset_config(args.preset, args.untied),
                                     kv_heads=args.kv_heads or 0)
    else:
        p.refuse_given(args, ("untied",), "goes with --preset (without it the model is untied "
                                          "unless --tie-weights)")
        config = Config(n_layer=args.n_layer, n_embd=args.n_embd, n_head=args.n_head,
                        block_size=args.block_size, vocab_size=args.vocab_size,
                        norm=args.norm, position=args.position, activation=args.activation,
                        kv_heads=args.kv_heads or 0, tie_weights=args.tie_weights)
    try:
        catalog.check(config)
    except ConfigError as e:
        p.error(e)
    return p, args, config


def main(argv=None):
    _, args, config = parse_args(argv)
    print(param_table(config))
    if args.preset:
        print(f"of which {biases(config):,} are the linear layers' biases (q, k, v, the "
              f"attention output, the MLP's): {param_count(config) - biases(config):,} without them")
    if config.tie_weights:
        untied = param_count(dataclasses.replace(config, tie_weights=False))
        print(f"tied: lm_head is wte, which saves {untied - param_count(config):,} "
              f"({untied:,} untied)")
    print(cache_line(config))
    edges = step_edges(config, config.block_size)
    seconds = 3 * edges * FORWARD_SECONDS_PER_EDGE  # forward, and a backward about twice it
    print(f"\na training step on one {config.block_size}-token document, on this machine: "
          f"about {human(memory_needed(config, config.block_size))} of memory "
          f"({edges:,} graph edges) and {human_time(seconds)} (CPython)")


def cache_line(config):
    """The key/value cache's size per token: a key and a value per layer,
    each G x head_dim numbers for G key/value heads; and, with grouped-query
    attention, the size with one key/value head per query head.

    >>> cache_line(Config())
    'key/value cache per token: 2 x 1 layer x 4 heads x 4 = 32 numbers'
    >>> cache_line(Config(n_layer=12, n_embd=768, n_head=12, kv_heads=4))
    'key/value cache per token: 2 x 12 layers x 4 heads x 64 = 6,144 numbers (18,432 with 12)'
    """
    kv_heads = config.kv_heads or config.n_head
    line = (f"key/value cache per token: 2 x {cli.plural(config.n_layer, 'layer')} x "
            f"{cli.plural(kv_heads, 'head')} x {config.head_dim} = "
            f"{2 * config.n_layer * kv_width(config):,} numbers")
    if kv_heads != config.n_head:
        line += f" ({2 * config.n_layer * config.n_embd:,} with {config.n_head})"
    return line


if __name__ == "__main__":
    cli.run(main)
