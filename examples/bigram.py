"""
A counting bigram model beside the GPT, on the same data.

The simplest language model: count how often each character follows each
other character (with BOS at both ends of a name), add one to every count so
nothing has probability 0, and predict the next character from the previous
one alone. No training, no gradients. The GPT sees the whole prefix; does that
help? Both are scored by mean negative log-likelihood per character on the
same held-out names.

    python examples/bigram.py [PATH] [--steps N]
"""
import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone

from microgpt.config import Config
from microgpt.plumbing.corpus import DataError, load_docs
from microgpt.model import document_loss
from microgpt.training import start, train_step

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("path", nargs="?", default=None, help="data (default: bundled names.txt)")
parser.add_argument("--steps", type=int, default=1000, help="GPT training steps")
parser.add_argument("--held-out", type=int, default=200, help="names kept for scoring")
args = parser.parse_args()

try:
    docs = load_docs(args.path or "names.txt")
except DataError as e:  # a missing file, a folder, ...: one line, as the commands say it
    parser.exit(2, f"{parser.prog}: error: {e}\n")
random.Random(0).shuffle(docs)
train_docs, test_docs = docs[:-args.held_out], docs[-args.held_out:]

# --- the bigram model: counts[a][b] = how often b follows a (+1 smoothing)
chars = sorted(set("".join(docs)))
tokens = ["<BOS>"] + chars
counts = {a: {b: 1 for b in tokens} for a in tokens}
for doc in train_docs:
    seq = ["<BOS>"] + list(doc) + ["<BOS>"]
    for a, b in zip(seq, seq[1:]):
        counts[a][b] += 1


def bigram_nll(doc):
    seq = ["<BOS>"] + list(doc) + ["<BOS>"]
    nll = [-math.log(counts[a][b] / sum(counts[a].values())) for a, b in zip(seq, seq[1:])]
    return sum(nll) / len(nll)


# --- the GPT, trained on the same training names
examples, state = start(train_docs, Config(steps=args.steps))
while state.step < args.steps:
    train_step(state, examples)
tok = state.tokenizer


def gpt_nll(doc):
    return document_loss(tok.encode_document(doc), state.params, state.config).data


usable = [d for d in test_docs if not tok.unknown(d) and len(d) < state.config.block_size]
bigram = sum(map(bigram_nll, usable)) / len(usable)
gpt = sum(map(gpt_nll, usable)) / len(usable)
print(f"held-out names: {len(usable)}  (mean loss per character, lower is better)")
print(f"bigram (counting)      {bigram:.4f}")
print(f"GPT ({args.steps} steps)      {gpt:.4f}")
