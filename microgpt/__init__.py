"""
microgpt: the whole GPT algorithm in small, dependency-free modules.

Read them in this order; each builds only on the ones before it (a test
checks): first the algorithm, value to generate; then the tools around it;
then the commands, each `python -m microgpt.NAME`.

Started as a command, microgpt ends at once on Ctrl-C or SIGTERM while its
modules still load (status 130, one line, nothing to save yet), until the
command's cli.run takes over; imported as a library, it leaves signals alone.
"""
import os
import signal
import sys


def _stop_at_once(signum, frame):
    os.write(2, b"\ninterrupted\n")
    os._exit(130)


if sys.argv[:1] == ["-m"]:  # python -m microgpt.X, still importing microgpt
    for _sig, _default in ((signal.SIGINT, signal.default_int_handler),
                           (signal.SIGTERM, signal.SIG_DFL)):
        if signal.getsignal(_sig) is _default:  # not when the shell ignores it (a job run with &)
            signal.signal(_sig, _stop_at_once)

READING_ORDER = (
    # the algorithm
    "value",       # scalar autograd: Value, its ops, backward, recording()
    "fused",       # one node for a whole dot product, sum, softmax or loss
    "data",        # documents from a text file; the bundled datasets
    "tokenizer",   # characters <-> ids, BOS
    "bpe",         # byte-pair encoding: subword tokens learned from the data
    "config",      # every setting, one dataclass
    "dataset",     # documents -> examples: tokenizer, held-out split, windows
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
    "schema",      # what a checkpoint holds, field by field, checked when read
    "checkpoint",  # a run's whole state, saved and loaded
    "streams",     # stdout and stderr that never crash a command
    "cli",         # what the commands share
    "flags",       # the flags that set a run: train, gradcheck and compare share them
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
