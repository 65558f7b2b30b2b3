"""
microgpt: the whole GPT algorithm in small, dependency-free modules.

This file is the table of contents. Read the modules in READING_ORDER; each
builds only on the ones before it (a test checks). The top of the package is
the algorithm, in the order the reference file runs it: the documents, the
tokenizer, autograd, the settings, the parameters, attention, the model,
Adam, the training step, sampling. Then the folders, each named for its
role: variants/ (the textbook variants too large to be one line),
architectures/ (the models beside the GPT), instruments/ (what a learner
steps through the model with) and plumbing/ (files, flags, checkpoints,
signals, memory: what the commands need and the algorithm does not). Last
the commands: the reference's two, train.py and sample.py, at the top
beside the algorithm, then commands/ with every other one. Each runs as
`python -m microgpt NAME` (`python -m microgpt` lists them). Start with
`python -m microgpt.train`, then read data.py.
"""
READING_ORDER = (
    # the algorithm, in the reference file's own order
    "data",        # the documents: one per line of a text, their order, a held-out split
    "tokenizer",   # characters <-> ids, BOS
    "value",       # autograd: a scalar Value, each op's value beside its local derivative
    "fused",       # the engine's composite ops (a whole dot, sum, softmax, loss): faster, same numbers
    "config",      # every setting, one dataclass
    "params",      # the parameters: named matrices, drawn in the reference's order
    "positions",   # where a token stands: learned, sinusoidal or none
    "attention",   # causal multi-head attention over a key/value cache
    "model",       # linear, the norms, gpt() for one position, the loss
    "optim",       # Adam, and the learning-rate schedules
    "training",    # a run's state, and one training step
    "generate",    # sampling
    # the textbook variants too large to be one line
    "variants.subwords",            # how BPE learns its merges: pairs counted, the most frequent merged
    "variants.bpe",                 # byte-pair encoding: subword tokens learned from the data
    "variants.bytelevel",           # GPT-2's tokenizer: byte-level BPE, its pre-split, merges by rank
    "variants.finetuning",          # a run started from another run's weights; new tokens' rows drawn
    "variants.sft",                 # SFT: lines prompt<TAB>response, trained on the response only
    # the models beside the GPT
    "architectures.encoder",        # the block over a whole sequence under a mask
    "architectures.bert",           # an encoder-only classifier: which file did this line come from?
    "architectures.mlm",            # BERT's masked language model: pretrain the encoder, then classify
    "architectures.recurrent",      # the RNN, GRU and LSTM attention replaced, on the same engine
    "architectures.transformer",    # the original Transformer: encoder, decoder, cross-attention
    "architectures.bottleneck",     # before it, the RNN encoder-decoder: the source in one vector
    "architectures.bahdanau",       # and the attention invented to fix that: a look at every h_j
    "architectures.patches",        # the Vision Transformer: an image's patches are its tokens, CLS reads them
    "architectures.images",         # its data: labelled square images from CSV, their split, where CLS looks
    "architectures.catalog",        # every model by config.model: its loss, how it samples
    "architectures.pairs",          # the encoder-decoders' data: pairs, the tasks, decoding scored
    "architectures.bigrams",        # the progression's first rooms: counting which token follows which
    "architectures.backprop",       # an MLP language model, its backward pass written out by hand
    "architectures.neural_lm",      # the same MLP on the Value engine: backward() does the calculus
    # the instruments: what a learner steps through the model with
    "instruments.stages",           # the whole forward pass, stage by stage, as plain numbers
    "instruments.snapshots",        # what a trace holds: each head's numbers at each position
    "instruments.readout",          # what every head computed, as plain numbers
    "instruments.three_kinds",      # the encoder-decoder's three kinds of attention, as plain numbers
    "instruments.held_out",         # the loss on the documents a split never trains on
    "instruments.heads",            # what each head does over many documents, and ablating one
    "instruments.graph",            # a small expression's graph as text or DOT
    "instruments.finite_differences",  # backpropagation checked against the definition of a derivative
    "instruments.grad_norms",       # how big each layer's gradient is: the vanishing gradient, measured
    "instruments.dot_products",     # why attention divides by sqrt(d_k): random dot products, measured
    "instruments.recall",           # the recall task: a key letter, a gap of digits, "=", the key again
    "instruments.reach",            # how far back a model reaches: accuracy, gradient fall-off, depth
    "instruments.confusion",        # how a classifier did, class by class: the confusion matrix
    "instruments.ingredients",      # what each piece of the GPT buys: bigrams to Adam, on the same split
    "instruments.responses",        # a fine-tuned model's answers to prompts, and their scores
    "instruments.matrices",         # the weight matrices as a table: names, shapes, counts
    # the plumbing: files, streams, flags, checkpoints, memory; none of it is the algorithm
    "plumbing.memory",      # a model's memory and time, before it is built
    "plumbing.lock",        # who may write a file: a run's lock, a save's temporaries
    "plumbing.owned",       # the files microgpt wrote, recognised: what an output may replace
    "plumbing.inputs",      # files read: once, checked, up to a limit; a pipe copied to read again
    "plumbing.files",       # files read and written: checked before work, written atomically
    "plumbing.tensorfile",  # safetensors files, read and written: Hugging Face's weights
    "plumbing.shipped",     # the datasets that ship with microgpt, found by a bare name
    "plumbing.corpus",      # data files read once and checked; the bundled datasets
    "plumbing.field_checks", # a checkpoint's fields checked one by one: numbers, config, rng, merges
    "plumbing.schema",      # what a checkpoint holds, field by field, checked when read
    "plumbing.checkpoint",  # a run's whole state, saved and loaded; what a resume may change
    "plumbing.vocab_files", # a Hugging Face folder's tokenizer.json, or vocab.json + merges.txt
    "plumbing.console",     # stdout and stderr that never crash a command
    "plumbing.sources",     # which file a line came from: files as classes, named by their files
    "plumbing.stopping",    # Ctrl-C between two steps: the first asks, the second stops
    "plumbing.options",     # the options a command line gave, each used once
    "plumbing.argtypes",    # the flag types: a whole number, a fraction, ..., each saying what it expected
    "plumbing.wording",     # how the commands word things: the library's messages in flags, plurals
    "plumbing.cli",         # what the commands share: one-line errors, signals, exit statuses
    "plumbing.rooms",       # the other rooms' flags (--init, --patch, --score); which command trains what
    "plumbing.flags",       # the flags that set a run, written once
    "plumbing.recipes",     # compare's --variant "NAME: FLAGS": a run named and written as flags
    "plumbing.progress",    # a progress line with the time left
    "plumbing.sessions",    # what a training loop runs inside: stops between steps, the save, divergence
    "plumbing.exam",        # sample --prompt and --eval: a fine-tuned model asked, and scored
    "plumbing.runs",        # a training run opened from the command line, checked before work
    "plumbing.children",    # runs in child processes: their CPU time and peak memory
    "plumbing.step_costs",  # where a training step's time goes: forward, chain rule, Adam, freeing
    "plumbing.hf_gpt2",     # GPT-2 as Hugging Face stores it: config.json, the weights' names and layout
    "plumbing.hf_vocab",    # a vocabulary as Hugging Face's tokenizer files, both ways
    "plumbing.model_folder",  # a model folder opened where a checkpoint is; export's folder written
    "plumbing.drawing",     # what pictures are made of: text that fits, round ticks, a colour scale
    "plumbing.labels",      # a token as a picture shows it: a visible space, labels cut to a width
    "plumbing.heatmaps",    # matrices as heatmaps, in a grid that fits a page: a row per layer
    "plumbing.svg",         # pictures
    "plumbing.gap_charts",  # longrange's measurements as charts: accuracy, gradient, depth
    "plumbing.scoreboard",  # runs side by side: each run's result, the table, the loss curves
    "plumbing.terminal",    # pictures made of characters: heatmaps in the terminal
    "plumbing.pixels",      # an image and a heatmap laid on its pixels: in the terminal, as SVG
    "plumbing.verdicts",    # what an image classifier makes of images: accuracy, confusion, where CLS looks
    "plumbing.views",       # what inspect shows of a text: every head's heatmap, titled, the guesses
    "plumbing.page_traces", # an explorer page's traces: a model read by the library, text by text
    "plumbing.notebook",    # the same pictures in Jupyter: traces, runs, parameter tables
    "plumbing.highlight",   # Python source as HTML, coloured by token kind: the book's code
    # the commands: the reference's two, then the others (python -m microgpt NAME)
    "train",       # python -m microgpt.train: the training loop, then samples
    "sample",      # python -m microgpt.sample: new documents from a checkpoint
    "commands.head_survey", # inspect --heads, --ablate: each head over many documents, one silenced
    "commands.side_by_side",  # inspect A.json B.json TEXT: two models reading one text
    "commands.inspector",   # inspect: attention heatmaps
    "commands.gradcheck",   # backprop against finite differences
    "commands.bench",       # speed and memory
    "commands.merges",      # tokenize: what BPE learns from a file
    "commands.compare",     # textbook variants trained side by side
    "commands.size",        # a model's parameters, matrix by matrix, without building it
    "commands.scale",       # the spread of q.k and the softmax's entropy at several head widths
    "commands.classify",    # an encoder-only classifier: which file did this line come from?
    "commands.pretrain",    # mlm: an encoder pretrained by filling in masked characters
    "commands.longrange",   # why attention won: GPT, LSTM, GRU and RNN on the recall task
    "commands.explore",     # a web page that runs your model as you type: every head's attention
    "commands.book",        # the source as a book: every module, its comments beside its code
    "commands.seq2seq",     # an encoder-decoder: reverse, sort or copy words, or source<TAB>target pairs
    "commands.progression", # from counting bigrams to the GPT, one ingredient at a time
    "commands.export",      # your model out of microgpt: a folder Hugging Face (or PyTorch) reads
    "commands.vit",         # a Vision Transformer on handwritten digits: patches are the tokens
)


def _check_size(config, examples):
    """training.check_size: the one wire between the library and this
    machine. How big a run is, is arithmetic (architectures/catalog.py); how
    much memory this machine has, the operating system says, and only the
    plumbing asks it (plumbing/memory.py), never the algorithm. Imported
    when a run is planned, so the list of commands answers at once."""
    from .plumbing.memory import check_run_fits
    check_run_fits(config, examples)


def _room_shapes(config):
    """params.param_shapes of the models whose weights are listed in their
    rooms (the encoder-decoders, the Vision Transformer), which the book
    reaches after params.py: architectures/catalog.py looks the room up."""
    from .architectures.catalog import shapes_of
    return shapes_of(config)


from . import data, params, training  # noqa: E402 (the table of contents comes first)
from .variants import sft  # noqa: E402
training.check_size = _check_size
params.room_shapes = _room_shapes
data.sft = sft
