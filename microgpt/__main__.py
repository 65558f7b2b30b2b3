"""
__main__.py: `python -m microgpt`: what the commands are, one line each.

microgpt is a package of commands, each `python -m microgpt.NAME`; this
lists them, so the package name alone answers a learner instead of Python's
"No module named microgpt.__main__". Builds on nothing: it imports no
command, so it answers at once.
"""
import sys

COMMANDS = (  # in READING_ORDER's order
    ("train", "train a tiny GPT on a text file and print samples (start here)"),
    ("sample", "new documents from a checkpoint that train --out saved"),
    ("inspect", "what each attention head looks at while the model reads a text"),
    ("gradcheck", "backpropagated gradients against finite differences, for a tiny model"),
    ("bench", "speed and memory of a training step, and where its time goes"),
    ("tokenize", "what byte-pair encoding learns from a file"),
    ("compare", "the reference recipe and textbook variants trained side by side"),
    ("size", "a model's parameters, matrix by matrix, without building it (GPT-2's too)"),
    ("scale", "why attention divides by sqrt(d_k): random dot products, measured"),
    ("classify", "an encoder-only classifier: which file did this line come from?"),
    ("longrange", "why attention won: GPT, LSTM, GRU and RNN on a recall task"),
    ("explore", "a web page that runs your checkpoint as you type: every head's attention"),
    ("book", "the source as a book: every module, its comments beside its code"),
    ("seq2seq", "the original Transformer, encoder and decoder: reverse, sort or copy words"),
)


def main():
    print("microgpt: a tiny GPT in pure Python. The commands (each has --help):")
    for name, what in COMMANDS:
        print(f"  python -m microgpt.{name:<10} {what}")
    print("Then read the source in the order of microgpt.READING_ORDER, starting with data.py.")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # | head
        sys.stderr.close()
