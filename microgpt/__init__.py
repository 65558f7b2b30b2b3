"""
microgpt: the whole GPT algorithm in small, dependency-free modules.

Read the modules in READING_ORDER; each builds only on the ones before it
(a test checks). First the algorithm, in the order the reference file runs
it: the data, the tokenizer, autograd, the parameters, the model, Adam, the
training step, sampling. Then the tools a learner steps through it with;
then the plumbing (microgpt/plumbing/: files, flags, checkpoints, memory
checks), which only the commands use; then the commands, each
`python -m microgpt.NAME`. Start with `python -m microgpt.train`, then read
data.py.

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


def _pictures_in_ipython():
    """Inside IPython or Jupyter: draw traces, runs and parameter tables as
    pictures (plumbing/notebook.py; it is imported only if IPython runs)."""
    ipython = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if ipython is not None and hasattr(ipython, "display_formatter"):
        from .plumbing import notebook
        notebook.register(ipython)


if sys.argv[:1] == ["-m"]:  # python -m microgpt.X, still importing microgpt
    for _sig, _default in ((signal.SIGINT, signal.default_int_handler),
                           (signal.SIGTERM, signal.SIG_DFL)):
        if signal.getsignal(_sig) is _default:  # not when the shell ignores it (a job run with &)
            signal.signal(_sig, _stop_at_once)

_pictures_in_ipython()

READING_ORDER = (
    # the algorithm, in the reference file's own order
    "data",        # the documents: one per line of a text
    "tokenizer",   # characters <-> ids, BOS
    "bpe",         # byte-pair encoding: subword tokens learned from the data
    "value",       # autograd: a scalar Value, each op's value beside its local derivative
    "fused",       # the engine's composite ops (a whole dot, sum, softmax, loss): faster, same numbers
    "fused_variants",  # the same for the textbook variants: LayerNorm's and GELU's nodes
    "config",      # every setting, one dataclass
    "params",      # the parameters: named matrices, drawn in the reference's order
    "positions",   # where a token stands: learned, sinusoidal or none
    "attention",   # causal multi-head attention over a key/value cache
    "model",       # linear, the norms, gpt() for one position, the loss
    "encoder",     # the block over a whole sequence under a mask: no causal mask, padding, a classifier
    "recurrent",   # beside the GPT: the RNN, GRU and LSTM it replaced, on the same engine
    "seq2seq_model",  # the original Transformer: encoder, decoder, cross-attention
    "optim",       # Adam, and the learning-rate schedules
    "dataset",     # documents -> examples: the run's order, a held-out split, windows
    "training",    # a run's state, and one training step
    "generate",    # sampling
    "classification",  # a classifier's run: (document, class) pairs, their order, accuracy
    "pairs",       # an encoder-decoder's run: (source, target) pairs, the tasks, greedy decoding scored
    # tools for a learner
    "stream",              # the whole forward pass, stage by stage, as plain numbers
    "trace",               # what every head computed, as plain numbers
    "trace_seq2seq",       # the encoder-decoder's three kinds of attention, as plain numbers
    "heads",               # what each head does over many documents, and ablating one
    "graph",               # a small expression's graph as text or DOT
    "finite_differences",  # backpropagation checked against the definition of a derivative
    "grad_norms",          # how big each layer's gradient is: the vanishing gradient, measured
    "attention_scale",     # why attention divides by sqrt(d_k): random dot products, measured
    "recall",              # the recall task: a key letter, a gap of digits, "=", the key again
    "reach",               # how far back a model reaches: accuracy, gradient fall-off, graph depth
    # the plumbing: files, streams, flags, checkpoints, memory; none of it is the algorithm
    "plumbing.size",        # a model's memory and time, before it is built
    "plumbing.lock",        # who may write a file: a run's lock, a save's temporaries
    "plumbing.files",       # files read and written: checked before work, written atomically
    "plumbing.datasets",    # data files read once and checked; the bundled datasets
    "plumbing.schema",      # what a checkpoint holds, field by field, checked when read
    "plumbing.checkpoint",  # a run's whole state, saved and loaded; what a resume may change
    "plumbing.streams",     # stdout and stderr that never crash a command
    "plumbing.stopping",    # Ctrl-C between two steps: the first asks, the second stops
    "plumbing.cli",         # what the commands share: one-line errors, signals, exit statuses
    "plumbing.flags",       # the flags that set a run, written once
    "plumbing.runs",        # a training run opened from the command line, checked before work
    "plumbing.progress",    # a progress line with the time left
    "plumbing.children",    # runs in child processes: their CPU time and peak memory
    "plumbing.drawing",     # what pictures are made of: text that fits, round ticks, a colour scale
    "plumbing.labels",      # a token as a picture shows it: ␣ for a space, labels cut to a width
    "plumbing.heatmaps",    # matrices as heatmaps, in a grid that fits a page: a row per layer
    "plumbing.svg",         # pictures
    "plumbing.terminal",    # pictures made of characters: heatmaps in the terminal
    "plumbing.views",       # what inspect shows of a text: every head's heatmap, titled, the guesses
    "plumbing.notebook",    # the same pictures in Jupyter: traces, runs, parameter tables
    "plumbing.highlight",   # Python source as HTML, coloured by token kind: the book's code
    # the commands: python -m microgpt.X
    "train",       # train a model, print samples
    "sample",      # new documents from a checkpoint
    "inspect",     # attention heatmaps
    "gradcheck",   # backprop against finite differences
    "bench",       # speed and memory
    "tokenize",    # what BPE learns from a file
    "compare",     # textbook variants trained side by side
    "size",        # a model's parameters, matrix by matrix, without building it
    "scale",       # the spread of q.k and the softmax's entropy at several head widths
    "classify",    # an encoder-only classifier: which file did this line come from?
    "longrange",   # why attention won: GPT, LSTM, GRU and RNN on the recall task
    "explore",     # a web page that runs your model as you type: every head's attention
    "book",        # the source as a book: every module, its comments beside its code
    "seq2seq",     # an encoder-decoder: reverse, sort or copy words, or any source<TAB>target pairs
)
