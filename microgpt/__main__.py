"""
__main__.py: `python -m microgpt [COMMAND ...]`: every command by its name.

Alone, it lists the commands, one line each; with a name, it runs that
command with the rest of the line (`python -m microgpt inspect model.json
emma`); an unknown name is one line and exit status 2. The reference's two
commands also run as `python -m microgpt.train` and `python -m
microgpt.sample`; `pip install .` adds the console command `microgpt`, which
is this module. A command's module is imported only when it is asked for,
so the list answers at once.
"""
import importlib
import sys

COMMANDS = (  # (name, module, what it does), in READING_ORDER's order
    ("train", "microgpt.train", "train a tiny GPT on a text file and print samples (start here)"),
    ("sample", "microgpt.sample", "new documents from a checkpoint that train --out saved"),
    ("inspect", "microgpt.commands.inspector",
     "what each attention head looks at while the model reads a text"),
    ("gradcheck", "microgpt.commands.gradcheck",
     "backpropagated gradients against finite differences, for a tiny model"),
    ("bench", "microgpt.commands.bench", "speed and memory of a training step, and where its time goes"),
    ("tokenize", "microgpt.commands.merges", "what byte-pair encoding learns from a file"),
    ("compare", "microgpt.commands.compare",
     "the reference recipe and textbook variants trained side by side"),
    ("size", "microgpt.commands.size",
     "a model's parameters, matrix by matrix, without building it (GPT-2's too)"),
    ("scale", "microgpt.commands.scale", "why attention divides by sqrt(d_k): random dot products, measured"),
    ("classify", "microgpt.commands.classify",
     "an encoder-only classifier: which file did this line come from?"),
    ("mlm", "microgpt.commands.pretrain",
     "BERT's pretraining: an encoder that fills in masked characters (then classify --init)"),
    ("longrange", "microgpt.commands.longrange", "why attention won: GPT, LSTM, GRU and RNN on a recall task"),
    ("explore", "microgpt.commands.explore",
     "a web page that runs your checkpoint as you type: every head's attention"),
    ("book", "microgpt.commands.book", "the source as a book: every module, its comments beside its code"),
    ("seq2seq", "microgpt.commands.seq2seq",
     "the original Transformer, encoder and decoder (or the RNN ones before it): reverse, "
     "sort or copy words"),
    ("progression", "microgpt.commands.progression",
     "from counting bigrams to the GPT, one ingredient at a time: each stage's held-out loss"),
    ("export", "microgpt.commands.export",
     "your model as a folder Hugging Face's GPT2LMHeadModel (or plain PyTorch) reads"),
    ("vit", "microgpt.commands.vit",
     "a Vision Transformer on handwritten digits: an image's patches are its tokens"),
)
PROG = "python -m microgpt"
MISTAKE = 2  # the exit status of every user mistake (plumbing/cli.py)


def listing():
    """The commands, one line each, and where to start."""
    width = max(len(name) for name, _, _ in COMMANDS)
    lines = ["microgpt: a tiny GPT in pure Python. The commands (each has --help):"]
    lines += [f"  {PROG} {name:<{width}}  {what}" for name, _, what in COMMANDS]
    lines.append("Then read the source in the order of microgpt.READING_ORDER, starting with data.py.")
    return "\n".join(lines)


def main(argv=None):
    """Run the command argv names (default: sys.argv), or list them all."""
    argv = sys.argv[1:] if argv is None else list(argv)
    modules = {name: module for name, module, _ in COMMANDS}
    if not argv or argv[0] in ("-h", "--help"):
        try:
            print(listing())
        except BrokenPipeError:  # | head
            sys.stderr.close()
        return
    name = argv[0]
    if name not in modules:
        print(f"{PROG}: error: no command {name!r}; the commands: {', '.join(modules)} "
              f"({PROG} lists them)", file=sys.stderr)
        sys.exit(MISTAKE)
    from .plumbing.stopping import stop_at_once_while_loading
    stop_at_once_while_loading()  # the command's modules load next
    command = importlib.import_module(modules[name])
    from .plumbing import cli
    cli.run(lambda: command.main(argv[1:]))


if __name__ == "__main__":
    main()
