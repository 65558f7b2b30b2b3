"""
The whole algorithm in one file, the naive way: every arithmetic op is its own
graph node and backward() sorts the graph recursively, exactly like the
famous single-file GPT it follows, operation for operation.

Read it to see what microgpt's engine saves: here a dot product of 16 pairs is
32 nodes (16 multiplies, 16 adds), in microgpt's engine it is one, and the
whole run is many times slower (python -m microgpt bench --full --reference
measures both). The test suite runs it as an independent oracle: for any
flags, microgpt.train must print the same numbers as this file.

    python examples/naive_gpt.py PATH [--steps N] [--seed N] [--n-layer N]
        [--n-embd N] [--n-head N] [--block-size N] [--lr F]
        [--temperature F] [--num-samples N]

Standard library only; no validation of its input (microgpt.train does that).
"""
import argparse
import math
import random
import sys


class Value:
    """A scalar node: every +, *, ** ... makes a new one."""
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data, self.grad = data, 0
        self._children, self._local_grads = children, local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k):
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),))

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        return Value(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self):
        return Value(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other ** -1
    def __rtruediv__(self, other): return other * self ** -1

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):  # recursive, as the reference sorts (the limit: see the end of the file)
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local in zip(v._children, v._local_grads):
                child.grad += local * v.grad


def run(path, steps=1000, seed=42, n_layer=1, n_embd=16, n_head=4, block_size=16,
        lr=0.01, temperature=0.5, num_samples=20, out=print):
    random.seed(seed)
    docs = [l.strip() for l in open(path, encoding="utf-8").read().strip().split("\n") if l.strip()]
    random.shuffle(docs)
    out(f"num docs: {len(docs)}")
    uchars = sorted(set("".join(docs)))
    BOS, vocab_size = len(uchars), len(uchars) + 1
    out(f"vocab size: {vocab_size}")
    head_dim = n_embd // n_head

    def matrix(nout, nin, std=0.08):
        return [[Value(random.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]
    sd = {"wte": matrix(vocab_size, n_embd), "wpe": matrix(block_size, n_embd),
          "lm_head": matrix(vocab_size, n_embd)}
    for i in range(n_layer):
        for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
            sd[f"layer{i}.{name}"] = matrix(n_embd, n_embd)
        sd[f"layer{i}.mlp_fc1"] = matrix(4 * n_embd, n_embd)
        sd[f"layer{i}.mlp_fc2"] = matrix(n_embd, 4 * n_embd)
    params = [p for mat in sd.values() for row in mat for p in row]
    out(f"num params: {len(params)}")

    def linear(x, w):
        return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]

    def softmax(logits):
        max_val = max(val.data for val in logits)
        exps = [(val - max_val).exp() for val in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def rmsnorm(x):
        ms = sum(xi * xi for xi in x) / len(x)
        scale = (ms + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def gpt(token_id, pos_id, keys, values):
        x = [t + p for t, p in zip(sd["wte"][token_id], sd["wpe"][pos_id])]
        x = rmsnorm(x)
        for li in range(n_layer):
            x_residual = x
            x = rmsnorm(x)
            q = linear(x, sd[f"layer{li}.attn_wq"])
            k = linear(x, sd[f"layer{li}.attn_wk"])
            v = linear(x, sd[f"layer{li}.attn_wv"])
            keys[li].append(k)
            values[li].append(v)
            x_attn = []
            for h in range(n_head):
                hs = h * head_dim
                q_h = q[hs:hs + head_dim]
                k_h = [ki[hs:hs + head_dim] for ki in keys[li]]
                v_h = [vi[hs:hs + head_dim] for vi in values[li]]
                attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim ** 0.5
                               for t in range(len(k_h))]
                attn_weights = softmax(attn_logits)
                head_out = [sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                            for j in range(head_dim)]
                x_attn.extend(head_out)
            x = linear(x_attn, sd[f"layer{li}.attn_wo"])
            x = [a + b for a, b in zip(x, x_residual)]
            x_residual = x
            x = rmsnorm(x)
            x = linear(x, sd[f"layer{li}.mlp_fc1"])
            x = [xi.relu() for xi in x]
            x = linear(x, sd[f"layer{li}.mlp_fc2"])
            x = [a + b for a, b in zip(x, x_residual)]
        return linear(x, sd["lm_head"])

    beta1, beta2, eps = 0.85, 0.99, 1e-8
    m, v = [0.0] * len(params), [0.0] * len(params)
    for step in range(steps):
        doc = docs[step % len(docs)]
        tokens = [BOS] + [uchars.index(ch) for ch in doc] + [BOS]
        n = min(block_size, len(tokens) - 1)
        keys, values = [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
        losses = []
        for pos_id in range(n):
            logits = gpt(tokens[pos_id], pos_id, keys, values)
            probs = softmax(logits)
            losses.append(-probs[tokens[pos_id + 1]].log())
        loss = (1 / n) * sum(losses)
        loss.backward()
        lr_t = lr * (1 - step / steps)
        for i, p in enumerate(params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad ** 2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat ** 0.5 + eps)
            p.grad = 0
        out(f"step {step + 1:4d} / {steps:4d} | loss {loss.data:.4f}")

    out("\n--- inference (new, hallucinated names) ---")
    for sample_idx in range(num_samples):
        keys, values = [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
        token_id, sample = BOS, []
        for pos_id in range(block_size):
            logits = gpt(token_id, pos_id, keys, values)
            probs = softmax([l / temperature for l in logits])
            token_id = random.choices(range(vocab_size), weights=[p.data for p in probs])[0]
            if token_id == BOS:
                break
            sample.append(uchars[token_id])
        out(f"sample {sample_idx + 1:2d}: {''.join(sample)}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path")
    for flag, kind, default in (("--steps", int, 1000), ("--seed", int, 42), ("--n-layer", int, 1),
                                ("--n-embd", int, 16), ("--n-head", int, 4), ("--block-size", int, 16),
                                ("--lr", float, 0.01), ("--temperature", float, 0.5),
                                ("--num-samples", int, 20)):
        ap.add_argument(flag, type=kind, default=default)
    args = ap.parse_args()
    try:  # a missing file, a folder: one line, as microgpt's commands say it
        open(args.path, encoding="utf-8").close()
    except OSError as e:
        ap.exit(2, f"{ap.prog}: error: {args.path}: {e.strerror}\n")
    # backward()'s recursive sort goes as deep as the graph: the default model's fits
    # Python's limit of 1000 calls, a wider or deeper one's (--n-layer 2 --n-embd 64) does not
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1_000_000))
    run(**vars(args))
