"""How often does a reverser's cross-attention read the source backwards?

    python examples/cross_attention_diagonal.py rev.json

rev.json: a checkpoint of `python -m microgpt seq2seq --task reverse --out
rev.json`. For the first 300 held-out names (those the command scored), the
i-th character written should read source position len - i (position 0 is
BOS): the anti-diagonal. Counts the output characters whose cross-attention
(last decoder layer, heads averaged, as --text draws it) weighs that
position most, and the mean weight it gets.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import pairs                      # noqa: E402
from microgpt.instruments.three_kinds import trace_seq2seq    # noqa: E402
from microgpt.plumbing import checkpoint, corpus              # noqa: E402

state = checkpoint.load(sys.argv[1])
c = state.config
words = corpus.load_docs(corpus.locate_saved(state.data_name))
_, held = pairs.replay(pairs.task_pairs(c.task, words), c)
hits = total = mass = 0
for source, _ in held[:300]:
    _, _, written, maps = trace_seq2seq(state.params, c, state.tokenizer, source)
    heads = maps["cross"][-1]
    for i in range(min(len(source), len(written))):        # the i-th character written
        row = [sum(h[i][j] for h in heads) / c.n_head for j in range(len(source) + 1)]
        hits += max(range(len(row)), key=row.__getitem__) == len(source) - i
        mass += row[len(source) - i]
        total += 1
if not total:
    sys.exit("the model wrote no characters: nothing to count")
print(f"{hits} of {total} output characters ({100 * hits / total:.1f}%) weigh source position "
      f"len - i most; its mean weight {mass / total:.2f}")
