"""
microgpt: the whole GPT algorithm in small, dependency-free modules.

Read them in this order; each builds only on the ones before it (a test
checks). The first nine are the algorithm, the rest are the tools around it.
"""

READING_ORDER = (
    "value",       # scalar autograd: Value, backward, fused nodes
    "data",        # documents from a text file
    "tokenizer",   # characters <-> ids, BOS
    "config",      # every setting, one dataclass
    "layers",      # linear, rmsnorm, softmax
    "attention",   # causal multi-head attention over a key/value cache
    "model",       # parameters, MLP, gpt() for one position, the loss
    "optim",       # Adam with linear decay
    "generate",    # sampling
    "checkpoint",  # a run's whole state, saved and loaded
    "cli",         # what the commands share
    "svg",         # pictures
    "train",       # python -m microgpt.train
    "sample",      # python -m microgpt.sample
    "trace",       # what every head computed, as plain numbers
    "inspect",     # python -m microgpt.inspect: attention heatmaps
    "gradcheck",   # python -m microgpt.gradcheck
    "graph",       # a small expression's graph as text or DOT
    "bench",       # python -m microgpt.bench
)
