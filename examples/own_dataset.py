"""
Train on a dataset of your own.

Any UTF-8 text file with one document per line works: names of places, of
chemical elements, words of another language, short usernames. Capitals,
digits and punctuation are fine; the vocabulary is whatever characters occur.
This example writes a small file (the first 40 chemical elements) and trains
on it from Python; the command line does the same:

    python -m microgpt.train my_file.txt --steps 500

    python examples/own_dataset.py [PATH] [--steps N]
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone

from microgpt.config import Config
from microgpt.plumbing.corpus import DataError, load_docs
from microgpt.generate import sample
from microgpt.training import start, train_step

ELEMENTS = """Hydrogen Helium Lithium Beryllium Boron Carbon Nitrogen Oxygen Fluorine Neon
Sodium Magnesium Aluminium Silicon Phosphorus Sulfur Chlorine Argon Potassium Calcium
Scandium Titanium Vanadium Chromium Manganese Iron Cobalt Nickel Copper Zinc Gallium
Germanium Arsenic Selenium Bromine Krypton Rubidium Strontium Yttrium Zirconium""".split()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("path", nargs="?", help="your file (default: a small file of element names)")
parser.add_argument("--steps", type=int, default=500)
parser.add_argument("--samples", type=int, default=8)
args = parser.parse_args()

path = args.path
if path is None:
    path = Path(tempfile.mkdtemp()) / "elements.txt"
    path.write_text("\n".join(ELEMENTS) + "\n", encoding="utf-8")
    print(f"wrote {len(ELEMENTS)} element names to {path}")

try:
    docs = load_docs(path)
except DataError as e:  # a missing file, a folder, ...: one line, as the commands say it
    parser.exit(2, f"{parser.prog}: error: {e}\n")
examples, state = start(docs, Config(steps=args.steps, n_embd=16, block_size=16))
print(f"{len(examples)} documents, vocabulary of {state.config.vocab_size} tokens: "
      f"{''.join(state.tokenizer.chars)}")
while state.step < args.steps:
    loss = train_step(state, examples)
    if state.step % 100 == 0 or state.step == args.steps:
        print(f"step {state.step:4d} | loss {loss:.4f}")
for i in range(args.samples):
    print("new:", sample(state.params, state.config, state.tokenizer, state.rng, temperature=0.6))
