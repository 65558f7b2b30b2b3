"""Every Value op and fused node against central finite differences, and the
fused nodes against the plain ops they replace."""
import math
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.fused import cross_entropy, dot, dots, softmax, softmax_data, vsum
from microgpt.value import Value, recording, topological_order


def finite_difference(f, xs, i, h=1e-6):
    """Central difference of f (floats -> float) in its i-th input."""
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


class FiniteDifferenceTest(unittest.TestCase):
    # each case: a function of a list of Values returning one Value
    CASES = {
        "add": lambda v: v[0] + v[1],
        "radd": lambda v: 2.5 + v[0],
        "sub": lambda v: v[0] - v[1],
        "rsub": lambda v: 1.5 - v[0],
        "mul": lambda v: v[0] * v[1],
        "rmul": lambda v: 3.0 * v[0],
        "neg": lambda v: -v[0],
        "truediv": lambda v: v[0] / v[1],
        "rtruediv": lambda v: 2.0 / v[1],
        "pow": lambda v: v[1] ** 3,
        "pow_neg_half": lambda v: (v[0] * v[0] + 1e-5) ** -0.5,
        "exp": lambda v: v[0].exp(),
        "log": lambda v: v[1].log(),
        "relu_pos": lambda v: v[1].relu(),
        "relu_neg": lambda v: v[2].relu(),
        "chain": lambda v: (v[0] * v[1] + v[2]) * v[0] - v[1] / v[3],
    }
    XS = [0.7, 1.3, -0.4, 2.1]

    def check(self, build, xs, tol=1e-7):
        vals = [Value(x) for x in xs]
        out = build(vals)
        out.backward()
        as_float = lambda ys: build([Value(y) for y in ys]).data
        for i, v in enumerate(vals):
            self.assertAlmostEqual(v.grad, finite_difference(as_float, xs, i), delta=tol)

    def test_every_op_matches_finite_differences(self):
        for name, f in self.CASES.items():
            with self.subTest(op=name):
                self.check(f, self.XS)

    def test_fused_nodes_match_finite_differences(self):
        xs = [0.3, -1.2, 0.7, 2.0, -0.5, 0.1]
        fused = {
            "dot": lambda v: dot(v[:3], v[3:]),
            "dots": lambda v: vsum([y * (i + 1) for i, y in enumerate(dots([v[:2], v[2:4]], v[4:]))]),
            "vsum": lambda v: vsum(v) * v[0],
            "softmax": lambda v: vsum([p * (i + 1) for i, p in enumerate(softmax(v))]),
            "cross_entropy": lambda v: cross_entropy(v, 2),
        }
        for name, f in fused.items():
            with self.subTest(node=name):
                self.check(f, xs)


class FusedEqualsPlainTest(unittest.TestCase):
    """A fused node gives the same float, to the last bit, as the plain ops."""

    def test_dot_is_a_left_fold_from_zero(self):
        ws = [Value(0.1 * i - 0.33) for i in range(16)]
        xs = [Value(0.7 ** i) for i in range(16)]
        self.assertEqual(dot(ws, xs).data, sum(w * x for w, x in zip(ws, xs)).data)

    def test_dots_is_a_linear_layer(self):
        rows = [[Value(0.3 * i - 0.2 * j) for j in range(5)] for i in range(4)]
        xs = [Value(1.5 - 0.6 * j) for j in range(5)]
        plain = [sum(w * x for w, x in zip(row, xs)).data for row in rows]
        self.assertEqual([y.data for y in dots(rows, xs)], plain)

    def test_softmax_matches_plain_ops(self):
        zs = [Value(z) for z in (0.1, -2.3, 1.7, 0.4)]
        max_z = max(z.data for z in zs)
        exps = [(z - max_z).exp() for z in zs]
        total = sum(exps)
        plain = [(e / total).data for e in exps]
        self.assertEqual([p.data for p in softmax(zs)], plain)
        self.assertEqual(softmax_data([z.data for z in zs]), plain)

    def test_cross_entropy_matches_plain_ops(self):
        zs = [Value(z) for z in (0.1, -2.3, 1.7, 0.4)]
        max_z = max(z.data for z in zs)
        exps = [(z - max_z).exp() for z in zs]
        total = sum(exps)
        plain = -(exps[1] / total).log()
        self.assertEqual(cross_entropy(zs, 1).data, plain.data)

    def test_cross_entropy_stays_finite_when_the_probability_underflows(self):
        # p_target = e^-800 / (1 + e^-800) is 0.0 as a float; -log p = 800 + log(1 + e^-800)
        zs = [Value(-400.0), Value(400.0), Value(399.0)]
        loss = cross_entropy(zs, 0)
        self.assertAlmostEqual(loss.data, 800.0 + math.log1p(math.exp(-1.0)), places=9)
        loss.backward()
        self.assertEqual(zs[0].grad, -1.0)  # p_0 - 1


class BackwardTest(unittest.TestCase):
    def test_shared_node_gradients_add_up(self):
        x = Value(3.0)
        y = x * x + x   # dy/dx = 2x + 1
        y.backward()
        self.assertEqual(x.grad, 7.0)

    def test_deep_graph_needs_no_recursion(self):
        x = Value(1.0)
        y = x
        for _ in range(50_000):  # far deeper than Python's recursion limit
            y = y * 1.0 + 0.0
        y.backward()
        self.assertEqual(x.grad, 1.0)

    def test_order_puts_children_first(self):
        a, b = Value(1.0), Value(2.0)
        c = a * b
        d = c + a
        e = d * c
        self.assertEqual(topological_order(e), [c, d, e])


class RecordingTest(unittest.TestCase):
    def graph(self):
        a, b = Value(1.5), Value(-2.0)
        c = a * b
        d = c + a
        e = d * c
        return a, b, c, d, e

    def test_the_tape_is_the_order_of_making(self):
        with recording() as tape:
            a, b, c, d, e = self.graph()
        self.assertEqual(tape, [c, d, e])  # no leaves
        self.assertEqual(tape, topological_order(e))

    def test_backward_along_the_tape_equals_sorting(self):
        with recording() as tape:
            a, b, c, d, e = self.graph()
        e.backward(tape)
        a2, b2, _, _, e2 = self.graph()
        e2.backward()
        self.assertEqual((a.grad, b.grad), (a2.grad, b2.grad))

    def test_nodes_made_after_the_root_are_left_alone(self):
        with recording() as tape:
            a, b, c, d, e = self.graph()
            f = e * 2.0
        f.grad = 5.0  # say, left over from an earlier f.backward(tape)
        e.backward(tape)  # f was made after e, so it cannot have fed e
        self.assertEqual(e.grad, 1.0)
        self.assertEqual(a.grad, 2 * a.data * b.data ** 2 + 2 * a.data * b.data)  # e = a^2 b^2 + a^2 b

    def test_a_value_made_outside_the_recording_is_refused(self):
        with recording() as tape:
            self.graph()
        *_, e = self.graph()
        with self.assertRaises(ValueError):
            e.backward(tape)

    def test_an_error_ends_the_recording(self):
        with self.assertRaises(ZeroDivisionError):
            with recording() as tape:
                x = Value(2.0) * 3.0
                Value(0.0) ** -1
        Value(1.0) + 1.0  # outside the recording: joins nothing
        self.assertEqual(tape, [x])

    def test_deep_tape(self):
        x = Value(1.0)
        with recording() as tape:
            y = x
            for _ in range(50_000):
                y = y * 1.0 + 0.0
        y.backward(tape)
        self.assertEqual(x.grad, 1.0)


if __name__ == "__main__":
    unittest.main()
