"""train's instruments: --plot-lr against learning rates worked out by hand,
--log-grad-norms against gradients from finite differences, and Head's repr
naming where it was and which token each weight belongs to."""
import contextlib
import io
import math
import re
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt import train as train_command
from microgpt.config import Config
from microgpt.instruments.readout import trace, trace_whole
from microgpt.instruments.grad_norms import grad_norms
from microgpt.architectures.catalog import start
from microgpt.training import batch_loss, train_step
from tests.support import assert_one_line_error, interrupted, numbers, train

DOCS = ["emma", "olivia", "ava", "isabella", "sophia", "mia"]


def plotted(svg_text):
    """(the learning rates drawn, the chart's title) of train --plot-lr's
    SVG: the polyline's heights read against the x axis (y = 0, the chart
    starts at 0) and the top of the line (the highest rate, in the title)."""
    title = re.search(r'<text[^>]*font-size="14">([^<]*)</text>', svg_text).group(1)
    highest = float(re.search(r"highest ([0-9.e+-]+)", title).group(1))
    axis = float(re.search(r'<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="\1"', svg_text).group(1))
    points = [tuple(map(float, p.split(","))) for p in
              re.search(r'<polyline points="([^"]*)"', svg_text).group(1).split()]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    gaps = [b - a for a, b in zip(xs, xs[1:])] or [1.0]
    assert min(gaps) > 0 and max(gaps) - min(gaps) < 0.15, xs  # one point a step, evenly spaced
    top = min(ys)
    return [highest * (axis - y) / (axis - top) for y in ys], title


class PlotLearningRateTest(unittest.TestCase):
    # step s (0-based) of N, lr, W, each worked out from the formulas by hand
    CASES = [
        ({"steps": 4, "lr": 0.01}, [0.01, 0.0075, 0.005, 0.0025]),           # lr * (1 - s / N)
        ({"steps": 5, "lr": 0.01, "warmup": 2},                                # up, then 1 - (s - 2) / 3
         [0.005, 0.01, 0.01, 0.01 * 2 / 3, 0.01 / 3]),
        ({"steps": 6, "lr": 0.01, "warmup": 2, "schedule": "cosine"},         # 0.5 * (1 + cos(pi * k / 4))
         [0.005, 0.01, 0.01, 0.0085355339, 0.005, 0.0014644661]),
        ({"steps": 5, "lr": 0.03, "warmup": 3, "schedule": "constant"}, [0.01, 0.02, 0.03, 0.03, 0.03]),
        ({"steps": 8, "lr": 1.0, "warmup": 4, "n_embd": 16, "schedule": "noam"},  # 0.25 * min(...)
         [0.03125, 0.0625, 0.09375, 0.125, 0.25 / 5 ** 0.5, 0.25 / 6 ** 0.5, 0.25 / 7 ** 0.5,
          0.25 / 8 ** 0.5]),
        ({"steps": 3, "lr": 0.01, "warmup": 10}, [0.001, 0.002, 0.003]),     # ends within its warmup
    ]

    def test_the_plotted_points_are_the_schedules_rates(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "lr.svg"
            for settings, want in self.CASES:
                with self.subTest(**settings):
                    with contextlib.redirect_stderr(io.StringIO()) as said:
                        train_command.plot_learning_rate(out, Config(**settings))
                    self.assertIn("wrote the learning rate over the run", said.getvalue())
                    got, title = plotted(out.read_text())
                    self.assertEqual(len(got), len(want))
                    for g, w in zip(got, want):
                        self.assertAlmostEqual(g, w, delta=1e-3 * max(want))
                    self.assertIn(f"highest {max(want):.3g}", title)
                    self.assertEqual("still in warmup" in title, settings.get("warmup", 0) > settings["steps"])

    def test_the_command_draws_it_first_and_trains_as_usual(self):
        with tempfile.TemporaryDirectory() as d:
            data, out = Path(d) / "d.txt", Path(d) / "lr.svg"
            data.write_text("\n".join(DOCS) + "\n")
            tiny = (data, "--steps", "6", "--n-embd", "8", "--n-head", "2", "--num-samples", "1")
            plain = train(*tiny)
            result = train(*tiny, "--warmup", "2", "--schedule", "cosine", "--plot-lr", out)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn(f"wrote the learning rate over the run to {out}", result.stderr)
            got, _ = plotted(out.read_text())
            for g, w in zip(got, self.CASES[2][1]):
                self.assertAlmostEqual(g, w, delta=1e-5)
            self.assertEqual(len([l for l in result.stdout.splitlines() if l.startswith("step")]), 6)
            out.unlink()  # drawn before the first step: a run stopped at its first has it
            _, err, status = interrupted("train", (*tiny[:2], "300", *tiny[3:], "--plot-lr", out),
                                         d, step=1)
            self.assertEqual(status, 130, err)
            self.assertEqual(len(plotted(out.read_text())[0]), 300)
            same = train(*tiny, "--plot-lr", out)  # and the run's numbers are the run's without it
            self.assertEqual(numbers(same.stdout), numbers(plain.stdout))
            # noam's peak factor 8 ** -0.5 * 20 ** -0.5 = 0.079: the note of dataset.notes, once
            noam = train(*tiny, "--schedule", "noam", "--warmup", "20", "--plot-lr", out)
            self.assertEqual(noam.stderr.count("under a tenth of --lr"), 1)
            assert_one_line_error(self, train(*tiny, "--plot-lr", out, "--plot", out), "--plot-lr")
            assert_one_line_error(self, train(*tiny, "--plot-lr", Path(d) / "no" / "x.svg"),
                                  "no such folder")


def finite_difference_norms(params, loss_of, h=1e-5):
    """{group: norm} of the loss's gradient, each entry (loss(p + h) - loss(p - h)) / 2h."""
    squares = {}
    for name, matrix in params.items():
        group = name.split(".")[0]
        for row in matrix:
            for p in row:
                old = p.data
                p.data = old + h
                up = loss_of()
                p.data = old - h
                down = loss_of()
                p.data = old
                squares[group] = squares.get(group, 0.0) + ((up - down) / (2 * h)) ** 2
    return {group: math.sqrt(s) for group, s in squares.items()}


class GradNormsTest(unittest.TestCase):
    CONFIGS = [Config(n_embd=4, n_head=2, n_layer=2, block_size=8, steps=3),
               Config(n_embd=4, n_head=2, n_layer=2, block_size=8, steps=3, norm="layernorm",
                      norm_placement="post", residual=False)]

    def test_norms_match_finite_differences(self):
        for config in self.CONFIGS:
            examples, state = start(DOCS, config)
            train_step(state, examples)  # away from the start, where every layer looks alike
            loss = batch_loss(examples, state.step, state.params, state.config, state.loss)
            loss.backward()
            got = grad_norms(state.params)
            want = finite_difference_norms(
                state.params, lambda: batch_loss(examples, state.step, state.params, state.config, state.loss).data)
            with self.subTest(config=config):
                self.assertEqual(sorted(got), sorted(want))
                self.assertEqual(list(got)[-1], "lm_head")  # the output layer last
                self.assertEqual(list(got)[:2], ["wte", "wpe"])
                for group in want:
                    self.assertAlmostEqual(got[group], want[group], delta=1e-6 + 1e-5 * want[group])
        self.assertIn("ln_emb", got)

    def test_train_step_hands_over_the_steps_gradients_and_changes_nothing(self):
        config = self.CONFIGS[0]
        examples, watched = start(DOCS, config)
        seen = []
        train_step(watched, examples, gradients=lambda params: seen.append(grad_norms(params)))
        examples, fresh = start(DOCS, config)  # the same step's gradients, from a backward of its own
        batch_loss(examples, 0, fresh.params, fresh.config, fresh.loss).backward()
        self.assertEqual(seen, [grad_norms(fresh.params)])
        examples, plain = start(DOCS, config)
        train_step(plain, examples)
        self.assertEqual([p.data for m in watched.params.values() for r in m for p in r],
                         [p.data for m in plain.params.values() for r in m for p in r])
        self.assertEqual(watched.m, plain.m)

    def test_the_command_prints_them_every_k_steps(self):
        config = Config(n_embd=8, n_head=2, steps=4)
        examples, state = start(DOCS, config)
        want = []
        for step in range(1, 5):
            train_step(state, examples, gradients=lambda params: want.append((step, grad_norms(params))))
        want = [(s, norms) for s, norms in want if s % 2 == 0]
        with tempfile.TemporaryDirectory() as d:
            data = Path(d) / "d.txt"
            data.write_text("\n".join(DOCS) + "\n")
            tiny = (data, "--steps", "4", "--n-embd", "8", "--n-head", "2", "--num-samples", "1")
            result = train(*tiny, "--log-grad-norms", "2")
            plain = train(*tiny)
        lines = result.stdout.splitlines()
        logged = [l for l in lines if l.startswith("grad norms")]
        self.assertEqual(logged, [f"grad norms of step {s:4d} | " + "  ".join(
            f"{g} {n:.2e}" for g, n in norms.items()) for s, norms in want])
        for s, _ in want:  # each right after its step's line
            self.assertTrue(lines[lines.index(logged[s // 2 - 1]) - 1].startswith(f"step {s:4d} /"))
        self.assertEqual([l for l in lines if not l.startswith("grad norms")], plain.stdout.splitlines())
        assert_one_line_error(self, train(*tiny, "--log-grad-norms", "0"), "--log-grad-norms")


class HeadReprTest(unittest.TestCase):
    def test_a_head_names_its_place_and_the_tokens_of_its_weights(self):
        examples, state = start(DOCS, Config(n_layer=2, steps=2))
        head = trace(state.params, state.config, state.tokenizer, "emm")[3].layers[1][2]
        self.assertEqual((head.layer, head.head, head.pos, head.token), (1, 2, 3, "m"))
        self.assertEqual(head.keys, ["<BOS>", "e", "m", "m"])
        w = head.attn_weights
        self.assertTrue(repr(head).startswith(
            f"Head(layer 1, head 2, at 3 'm': attn_weights {{'<BOS>': {w[0]:.4f}, 'e': {w[1]:.4f}, "
            f"'m': {w[2]:.4f}, 'm': {w[3]:.4f}}}, attn_logits=["))
        examples, state = start(DOCS, Config(steps=2, pad_to=6))
        head = trace_whole(state.params, state.config, state.tokenizer, "ava")[2].layers[0][1]
        self.assertEqual((head.layer, head.head, head.pos, head.token), (0, 1, 2, "v"))
        self.assertEqual(head.keys, ["<BOS>", "a", "v", "a", "PAD", "PAD"])
        self.assertIn("at 2 'v': attn_weights {'<BOS>': ", repr(head))


if __name__ == "__main__":
    unittest.main()
