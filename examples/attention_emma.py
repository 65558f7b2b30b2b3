"""
Step through attention while the model reads "emma".

    python examples/attention_emma.py              # trains a fresh model (300 steps) first
    python examples/attention_emma.py model.json   # or loads a checkpoint

Prints, for the last position (reading the final "a"), head 0's query, its
attention logits over the five positions, the softmax weights, and the head's
output, then checks that every row of every head's attention sums to 1.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone

from microgpt.plumbing import checkpoint
from microgpt.config import Config
from microgpt.plumbing.corpus import load_docs
from microgpt.instruments.readout import trace
from microgpt.training import start, train_step

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("checkpoint", nargs="?")
parser.add_argument("--steps", type=int, default=300, help="training steps without a checkpoint")
args = parser.parse_args()

if args.checkpoint:
    try:
        state = checkpoint.load(args.checkpoint)
    except checkpoint.CheckpointError as e:  # a missing file, not a checkpoint: one line
        parser.exit(2, f"{parser.prog}: error: {e}\n")
else:
    examples, state = start(load_docs("names.txt"), Config(steps=args.steps))
    while state.step < args.steps:
        train_step(state, examples)

positions = trace(state.params, state.config, state.tokenizer, "emma")
last = positions[-1]
head = last.layers[0][0]                       # layer 0, head 0, at the last position
print(f"position {last.pos} reads {last.token!r}; it can see: {[p.token for p in positions]}")
print("q_h          ", [round(x, 3) for x in head.q_h])
print("attn_logits  ", [round(x, 3) for x in head.attn_logits])
print("attn_weights ", [round(x, 3) for x in head.attn_weights])
print("head_out     ", [round(x, 3) for x in head.head_out])

for p in positions:
    for layer in p.layers:
        for h in layer:
            assert abs(sum(h.attn_weights) - 1) < 1e-12
print("every row of every head's attention sums to 1")
print("most likely after 'emma':", ", ".join(f"{c} {p:.2f}" for c, p in last.top(3)))
