"""
microgpt: the whole GPT algorithm in small, dependency-free modules.

Read them in this order; each builds only on the ones before it (a test
checks): first the algorithm, value to generate; then the tools around it;
then the commands, each `python -m microgpt.NAME`.
"""

READING_ORDER = (
    # the algorithm
    "value",       # scalar autograd: Value, its ops, backward, recording()
    "fused",       # one node for a whole dot product, sum, softmax or loss
    "data",        # documents from a text file; the bundled datasets
    "tokenizer",   # characters <-> ids, BOS
    "bpe",         # byte-pair encoding: subword tokens learned from the data
    "config",      # every setting, one dataclass
    "layers",      # linear, the norms, the activations
    "positions",   # a token's embedding plus where it stands
    "attention",   # causal multi-head attention over a key/value cache
    "model",       # parameters, MLP, gpt() for one position, the loss
    "size",        # a model's memory and time, before it is built
    "optim",       # Adam, and the learning-rate schedules
    "training",    # a run's state, and one training step
    "generate",    # sampling
    # the tools around it
    "files",       # output files: checked before work, written atomically
    "checkpoint",  # a run's whole state, saved and loaded
    "cli",         # what the commands share
    "svg",         # pictures
    "trace",       # what every head computed, as plain numbers
    "graph",       # a small expression's graph as text or DOT
    # the commands: python -m microgpt.X
    "train",       # train a model, print samples
    "sample",      # new documents from a checkpoint
    "inspect",     # attention heatmaps
    "gradcheck",   # backprop against finite differences
    "bench",       # speed and memory
    "tokenize",    # what BPE learns from a file
    "compare",     # textbook variants trained side by side
)
