"""The recurrent models checked two independent ways: against PyTorch's own
RNNCell, GRUCell and LSTMCell (float64, the same weights), and against
finite differences; tanh and sigmoid against the definition of a derivative."""
import math
import random
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.config import Config, ConfigError
from microgpt.instruments.finite_differences import DOCS, check, relative_error
from microgpt.generate import sample
from microgpt.params import flatten, init_params, param_count, param_shapes
from microgpt.plumbing import checkpoint
from microgpt.architectures.recurrent import CELLS, document_loss, initial_state, reader
from microgpt.architectures import catalog
from microgpt.architectures.catalog import start
from microgpt.training import train_step
from microgpt.value import Value
from tests.support import (BUNDLED_NAMES, assert_one_line_error, assert_same_run, resumed_and_whole,
                           run, train)

try:
    import torch
except ImportError:  # optional: the parity tests are skipped without it
    torch = None

MODELS = ("rnn", "gru", "lstm")


def tiny(model, **kw):
    return Config(**{"model": model, "n_embd": 5, "block_size": 8, "vocab_size": 27, **kw})


def nudged(params, rng):
    """params with every number moved a little, so that the zero biases are not zero."""
    for p in flatten(params):
        p.data += rng.uniform(-0.3, 0.3)
    return params


class EngineOpsTest(unittest.TestCase):
    def test_tanh_and_sigmoid_against_finite_differences(self):
        h = 1e-6
        for x in (-30.0, -2.5, -0.3, 0.0, 0.7, 3.0, 40.0):
            for op, f in (("tanh", math.tanh), ("sigmoid", lambda t: 1 / (1 + math.exp(-t)))):
                with self.subTest(op=op, x=x):
                    v = Value(x)
                    y = getattr(v, op)()
                    y.backward()
                    self.assertAlmostEqual(y.data, f(x), delta=1e-15)
                    numeric = (f(x + h) - f(x - h)) / (2 * h)
                    self.assertLess(relative_error(v.grad, numeric), 1e-8)

    def test_sigmoid_does_not_overflow(self):
        self.assertEqual(Value(-1000.0).sigmoid().data, 0.0)
        self.assertEqual(Value(1000.0).sigmoid().data, 1.0)


class ShapesTest(unittest.TestCase):
    def test_pytorch_layout_and_draw_order(self):
        config = tiny("lstm")
        self.assertEqual(param_shapes(config), [
            ("wte", 27, 5), ("weight_ih", 20, 5), ("weight_hh", 20, 5),
            ("bias_ih", 1, 20), ("bias_hh", 1, 20), ("lm_head", 27, 5)])
        params = init_params(config, random.Random(3))
        rng = random.Random(3)  # the draws: wte, weight_ih, weight_hh, lm_head, row by row
        for name in ("wte", "weight_ih", "weight_hh", "lm_head"):
            drawn = [rng.gauss(0, 0.08) for _ in range(len(params[name]) * 5)]
            self.assertEqual([p.data for row in params[name] for p in row], drawn, name)
        self.assertEqual({p.data for p in params["bias_ih"][0] + params["bias_hh"][0]}, {0.0})

    def test_counts_include_the_biases(self):
        for model, gates in (("rnn", 1), ("gru", 3), ("lstm", 4)):
            e = 5
            self.assertEqual(param_count(tiny(model)), 2 * 27 * e + 2 * gates * e * e + 2 * gates * e)
        result = train(BUNDLED_NAMES, "--model", "gru", "--steps", "1", "--num-samples", "1")
        self.assertIn("num params: 2496", result.stdout)  # 2*27*16 + 2*48*16 + 2*48

    def test_gpt_flags_that_do_not_apply_are_refused(self):
        for field, value in (("n_head", 2), ("n_layer", 2), ("norm", "layernorm"),
                             ("position", "none"), ("tie_weights", True), ("residual", False)):
            with self.subTest(field=field), self.assertRaisesRegex(ConfigError, "does not apply"):
                catalog.check(tiny("rnn", **{field: value}))
        catalog.check(tiny("gru", n_embd=7))  # no heads: any width


class FiniteDifferencesTest(unittest.TestCase):
    def test_every_parameter_of_each_model(self):
        for model in MODELS:
            with self.subTest(model=model):
                worst = check(Config(model=model, n_embd=4, block_size=6), doc_index=1)
                self.assertEqual(set(worst), {n for n, _, _ in param_shapes(tiny(model))})
                self.assertLess(max(worst.values()), 1e-6)


def tensor(xs, **kw):
    return torch.tensor(xs, dtype=torch.float64, **kw)


@unittest.skipUnless(torch, "needs PyTorch")
class PyTorchTest(unittest.TestCase):
    def torch_model(self, model, params, e):
        cell = {"rnn": torch.nn.RNNCell, "gru": torch.nn.GRUCell, "lstm": torch.nn.LSTMCell}[model]
        cell = cell(e, e, dtype=torch.float64)
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh"):
                getattr(cell, name).copy_(tensor([[p.data for p in row] for row in params[name]]))
            for name in ("bias_ih", "bias_hh"):
                getattr(cell, name).copy_(tensor([p.data for p in params[name][0]]))
        return cell

    def test_one_cell_step(self):
        rng = random.Random(0)
        for model in MODELS:
            with self.subTest(model=model):
                config = tiny(model)
                params = nudged(init_params(config, rng), rng)
                x = [Value(rng.gauss(0, 1)) for _ in range(5)]
                state = tuple([Value(rng.gauss(0, 1)) for _ in range(5)] for _ in initial_state(config))
                ours = CELLS[model](x, state, params)
                cell = self.torch_model(model, params, 5)
                tx = tensor([[v.data for v in x]])
                ts = tuple(tensor([[v.data for v in s]]) for s in state)
                theirs = cell(tx, ts if model == "lstm" else ts[0])
                theirs = theirs if model == "lstm" else (theirs,)
                for a, b in zip(ours, theirs):
                    for u, w in zip(a, b[0].tolist()):
                        self.assertAlmostEqual(u.data, w, delta=1e-12)

    def test_whole_model_loss_and_every_gradient(self):
        rng = random.Random(1)
        for model in MODELS:
            for smoothing in (0.0, 0.1):
                with self.subTest(model=model, label_smoothing=smoothing):
                    config = tiny(model, block_size=6, label_smoothing=smoothing)
                    params = nudged(init_params(config, rng), rng)
                    ids = [26, 4, 12, 12, 0, 26, 3, 1]  # longer than the block: truncated
                    loss = document_loss(ids, params, config)
                    loss.backward()
                    cell = self.torch_model(model, params, 5)
                    wte = tensor([[p.data for p in r] for r in params["wte"]], requires_grad=True)
                    head = tensor([[p.data for p in r] for r in params["lm_head"]], requires_grad=True)
                    h = torch.zeros(1, 5, dtype=torch.float64)
                    c = torch.zeros(1, 5, dtype=torch.float64)
                    logits = []
                    for t in range(6):
                        x = wte[ids[t]].unsqueeze(0)
                        if model == "lstm":
                            h, c = cell(x, (h, c))
                        else:
                            h = cell(x, h)
                        logits.append(h[0] @ head.T)
                    target = torch.tensor(ids[1:7])
                    theirs = torch.nn.functional.cross_entropy(
                        torch.stack(logits), target, label_smoothing=smoothing)
                    theirs.backward()
                    self.assertAlmostEqual(loss.data, theirs.item(), delta=1e-9)
                    grads = {"wte": wte.grad, "lm_head": head.grad,
                             "weight_ih": cell.weight_ih.grad, "weight_hh": cell.weight_hh.grad,
                             "bias_ih": cell.bias_ih.grad.unsqueeze(0),
                             "bias_hh": cell.bias_hh.grad.unsqueeze(0)}
                    for name, grad in grads.items():
                        ours = [p.grad for row in params[name] for p in row]
                        for a, b in zip(ours, grad.flatten().tolist()):
                            self.assertAlmostEqual(a, b, delta=1e-9, msg=name)


class RunTest(unittest.TestCase):
    def test_saves_resumes_bit_identically_and_samples(self):
        folder = Path(tempfile.mkdtemp())
        for model in MODELS:
            with self.subTest(model=model):
                config = Config(model=model, n_embd=6, block_size=6, steps=6)
                state, whole = resumed_and_whole(DOCS, config, folder)
                assert_same_run(self, state, whole)
                text = sample(state.params, state.config, state.tokenizer, random.Random(0),
                              prefix="em", max_tokens=30, reader=reader)
                self.assertTrue(text.startswith("em") and len(text) <= 30)

    def test_an_old_checkpoint_without_the_field_loads_as_the_gpt(self):
        examples, state = start(DOCS, Config(n_embd=8, n_head=2, steps=2))
        obj = checkpoint.to_json(state)
        del obj["config"]["model"]
        self.assertEqual(checkpoint.from_json(obj).config.model, "gpt")

    def test_commands(self):
        with tempfile.TemporaryDirectory() as folder:
            trained = train(BUNDLED_NAMES, "--model", "lstm", "--n-embd", "8", "--steps", "3",
                            "--num-samples", "2", "--out", "m.json", cwd=folder)
            self.assertEqual(trained.returncode, 0, trained.stderr)
            self.assertEqual(trained.stdout.count("sample "), 2)
            sampled = run("-m", "microgpt.sample", "m.json", "--num-samples", "2", cwd=folder)
            self.assertEqual(sampled.returncode, 0, sampled.stderr)
            assert_one_line_error(self, run("-m", "microgpt", "inspect", "m.json", "emma", cwd=folder),
                                  "lstm model: it has no attention")
            assert_one_line_error(self, train(BUNDLED_NAMES, "--resume", "m.json", "--steps", "5",
                                              "--model", "gru", cwd=folder),
                                  "--model gru differs from the checkpoint's --model lstm")
        assert_one_line_error(self, train(BUNDLED_NAMES, "--model", "rnn", "--n-head", "2"),
                              "--n-head 2 does not apply to the rnn model")
        assert_one_line_error(self, train(BUNDLED_NAMES, "--model", "transformer"), "invalid choice")
        checked = run("-m", "microgpt", "gradcheck", "--model", "rnn", "--n-embd", "4")
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertIn("weight_hh", checked.stdout)


if __name__ == "__main__":
    unittest.main()
