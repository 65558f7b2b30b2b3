"""The encoder-decoder trained in PyTorch, for scale: the same weights, data
order, Adam and linear decay as `python -m microgpt seq2seq`, in float64
tensors (tests/torch_seq2seq.py, written from the paper's equations), one
pair per step; then the first 300 held-out pairs decoded greedily.

    python examples/seq2seq_in_pytorch.py --task sort --n-embd 32 --n-layer 2 --steps 6000 --lr 0.005

Needs torch. Seconds where microgpt's engine takes minutes, so a learner can
try settings before a long run; the accuracy is close to the engine's, not
the same (float sums in another order drift apart over thousands of steps).
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch                                                 # noqa: E402

from microgpt.architectures import pairs                     # noqa: E402
from microgpt.config import Config                           # noqa: E402
from microgpt.plumbing.corpus import load_docs               # noqa: E402
from microgpt.training import start_planned                  # noqa: E402
from tests import torch_seq2seq as T                         # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--task", default="reverse", choices=sorted(pairs.TASKS))
p.add_argument("--words", default="names.txt")
p.add_argument("--n-embd", type=int, default=16)
p.add_argument("--n-layer", type=int, default=1)
p.add_argument("--n-head", type=int, default=4)
p.add_argument("--steps", type=int, default=5000)
p.add_argument("--lr", type=float, default=0.01)
args = p.parse_args()
torch.set_num_threads(1)
all_pairs = pairs.task_pairs(args.task, load_docs(args.words))
config = Config(n_embd=args.n_embd, n_layer=args.n_layer, n_head=args.n_head, steps=args.steps,
                lr=args.lr, val_fraction=0.1, block_size=pairs.longest(all_pairs) + 1)
examples, state = start_planned(pairs.plan(all_pairs, config))
c = state.config
W = T.weights(state.params)
m = {k: torch.zeros_like(w) for k, w in W.items()}
v = {k: torch.zeros_like(w) for k, w in W.items()}
start = time.time()
for s in range(c.steps):
    T.loss(W, examples[s % len(examples)], c.n_layer, c.n_head).backward()
    lr_t = c.lr * (1 - s / c.steps)
    with torch.no_grad():
        for k, w in W.items():
            m[k] = c.beta1 * m[k] + (1 - c.beta1) * w.grad
            v[k] = c.beta2 * v[k] + (1 - c.beta2) * w.grad ** 2
            m_hat, v_hat = m[k] / (1 - c.beta1 ** (s + 1)), v[k] / (1 - c.beta2 ** (s + 1))
            w -= lr_t * m_hat / (v_hat ** 0.5 + c.eps)
            w.grad = None
tok, right = state.tokenizer, 0
_, held = pairs.replay(all_pairs, c)
with torch.no_grad():
    for source, target in held[:300]:
        src, out = torch.tensor([tok.bos] + tok.encode(source)), [tok.bos]
        while len(out) < c.block_size:
            logits, _ = T.forward(W, src, torch.tensor(out), c.n_layer, c.n_head)
            best = int(logits[-1].argmax())
            if best == tok.bos:
                break
            out.append(best)
        right += tok.decode(out[1:]) == target
print(f"{args.task}: exact match {100 * right / len(held[:300]):.1f}% of the first "
      f"{len(held[:300])} held out, after {c.steps} steps ({time.time() - start:.0f} s)")
