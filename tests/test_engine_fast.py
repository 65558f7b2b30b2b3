"""The engine's node types against the plain one-op-per-node graph they stand
for: the same forward floats, the same gradients (up to the order in which
they add up), and backward passes that cost what the formula costs: a
softmax over T logits has O(T) edges, not T * T."""
import math
import random
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.instruments import graph
from microgpt.config import Config
from microgpt.fused import Dot, dot, dots, softmax
from microgpt.model import layernorm
from microgpt.model import document_loss
from microgpt.architectures.catalog import start
from microgpt.value import Value, recording, topological_order


def plain_softmax(zs):
    """The reference's softmax in one node per op."""
    max_z = max(z.data for z in zs)
    exps = [(z - max_z).exp() for z in zs]
    total = sum(exps)
    return [e / total for e in exps]


def plain_layernorm(xs, gs, bs):
    n = len(xs)
    mean = sum(xs) / n
    xc = [x - mean for x in xs]
    s = (sum(c * c for c in xc) / n + 1e-5) ** -0.5
    return [c * s * g + b for c, g, b in zip(xc, gs, bs)]


def weighted(ys, weights):
    """sum_i weights_i * y_i with plain ops: a loss that gives each y_i its own gradient."""
    return sum(w * y for w, y in zip(weights, ys))


def edges(root):
    return sum(len(n._children) for n in topological_order(root))


class SoftmaxTest(unittest.TestCase):
    def grads(self, build, zs, weights):
        vs = [Value(z) for z in zs]
        out = build(vs)
        weighted(out, weights).backward()
        return [p.data for p in out], [v.grad for v in vs]

    def test_same_floats_and_gradients_as_the_plain_graph(self):
        rng = random.Random(1)
        for n in (1, 2, 5, 17):
            zs = [rng.gauss(0, 2) for _ in range(n)]
            weights = [rng.gauss(0, 1) for _ in range(n)]
            data, grads = self.grads(softmax, zs, weights)
            plain_data, plain_grads = self.grads(plain_softmax, zs, weights)
            self.assertEqual(data, plain_data)
            for a, b in zip(grads, plain_grads):
                self.assertAlmostEqual(a, b, delta=1e-15)

    def test_the_gradient_is_p_times_g_minus_the_mean_of_g(self):
        zs = [Value(0.3), Value(-1.0), Value(2.0)]
        ps = softmax(zs)
        weights = [1.0, -2.0, 0.5]
        weighted(ps, weights).backward()
        mean_g = sum(w * p.data for w, p in zip(weights, ps))
        for z, p, w in zip(zs, ps, weights):
            self.assertAlmostEqual(z.grad, p.data * (w - mean_g), delta=1e-15)

    def test_edges_grow_linearly_with_the_row(self):
        for n in (4, 64):
            ps = softmax([Value(0.01 * i) for i in range(n)])
            row_edges = edges(weighted(ps, [1.0] * n)) - edges(weighted([Value(0.0)] * n, [1.0] * n))
            self.assertEqual(row_edges, 3 * n)  # logsumexp: n; each p_i: 2


class LayerNormTest(unittest.TestCase):
    def test_same_floats_and_gradients_as_the_plain_graph(self):
        rng = random.Random(2)
        for n in (2, 3, 16):
            xs, gs, bs = ([rng.gauss(0, 1) for _ in range(n)] for _ in range(3))
            weights = [rng.gauss(0, 1) for _ in range(n)]
            results = []
            for build in (layernorm, plain_layernorm):
                vals = [[Value(v) for v in vs] for vs in (xs, gs, bs)]
                out = build(*vals)
                weighted(out, weights).backward()
                results.append(([y.data for y in out], [v.grad for vs in vals for v in vs]))
            (data, grads), (plain_data, plain_grads) = results
            self.assertEqual(data, plain_data)
            for a, b in zip(grads, plain_grads):
                self.assertAlmostEqual(a, b, delta=1e-12)

    def test_edges_grow_linearly_with_the_width(self):
        def norm_edges(n):  # the norm's own edges: the weighted sum's taken away
            ys = layernorm([Value(0.1 * i) for i in range(n)], [Value(1.0)] * n, [Value(0.0)] * n)
            return edges(weighted(ys, [1.0] * n)) - edges(weighted([Value(0.0)] * n, [1.0] * n))
        self.assertEqual(norm_edges(64) - norm_edges(32), 2 * (norm_edges(32) - norm_edges(16)))


class DotTest(unittest.TestCase):
    def test_gradients_match_the_plain_graph_even_with_shared_inputs(self):
        x = [Value(0.5), Value(-1.5), Value(2.0)]
        w = [Value(1.0), x[0], Value(3.0)]  # x[0] on both sides
        d = dot(w, x) * dot(x, x)
        d.backward()
        fused = [v.grad for v in x + w]
        for v in x + w:
            v.grad = 0.0
        plain = sum(a * b for a, b in zip(w, x)) * sum(a * a for a in x)
        plain.backward()
        self.assertEqual(d.data, plain.data)
        for a, v in zip(fused, x + w):
            self.assertAlmostEqual(a, v.grad, delta=1e-15)

    def test_children_and_local_grads_read_like_any_node(self):
        ws, xs = [Value(2.0), Value(3.0)], [Value(5.0), Value(7.0)]
        (y,) = dots([ws], xs)
        self.assertIsInstance(y, Dot)
        self.assertEqual(y._children, ws + xs)
        self.assertEqual(y._local_grads, [5.0, 7.0, 2.0, 3.0])  # d/dw = x, d/dx = w
        self.assertEqual(topological_order(y * 2.0)[0], y)
        self.assertIn("dot", graph.tree(y))
        self.assertEqual(graph.to_dot(y).count(" -> v0_op;"), 4)

    def test_a_dot_joins_the_tape_once(self):
        with recording() as tape:
            y = dot([Value(1.0)], [Value(2.0)])
        self.assertEqual(tape, [y])


class AttentionCostTest(unittest.TestCase):
    def test_a_documents_graph_grows_as_t_squared(self):
        """Doubling the context of one long document: the edges of its graph
        grow by 2.3x (attention's T^2 terms on top of the per-position linear
        layers); one stored derivative per (weight, logit) pair made it 3.05x."""
        docs = ["".join(chr(97 + (i * 7 + j) % 26) for j in range(200)) for i in range(3)]
        counts = []
        for T in (32, 64):
            examples, state = start(docs, Config(block_size=T, n_layer=1))
            with recording() as tape:
                document_loss(examples[0], state.params, state.config)
            counts.append(sum(len(n._children) for n in tape))
        self.assertLess(counts[1] / counts[0], 2.6)


class FiniteDifferenceTest(unittest.TestCase):
    def test_softmax_and_layernorm_nodes(self):
        xs = [0.3, -1.2, 0.7, 2.0]
        weights = [1.0, -0.5, 2.0, 0.25]
        cases = {
            "softmax": lambda v: weighted(softmax(v), weights),
            "layernorm": lambda v: weighted(layernorm(v, [Value(1.5)] * 4, [Value(0.2)] * 4), weights),
        }
        h = 1e-6
        for name, f in cases.items():
            with self.subTest(node=name):
                vals = [Value(x) for x in xs]
                f(vals).backward()
                for i, v in enumerate(vals):
                    up = [Value(x + h * (j == i)) for j, x in enumerate(xs)]
                    down = [Value(x - h * (j == i)) for j, x in enumerate(xs)]
                    numeric = (f(up).data - f(down).data) / (2 * h)
                    self.assertAlmostEqual(v.grad, numeric, delta=1e-7)


if __name__ == "__main__":
    unittest.main()
