"""GPT-2's architecture as switches (--bias, --final-norm, --no-embedding-norm,
--arch gpt2): each alone against PyTorch written from its definition (the
losses of a short run, Adam included), against finite differences, through
checkpoints and compare; and the same gpt() on plain floats, bit for bit."""
import json
import random
import struct
import tempfile
import sys
import unittest
from array import array
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures.catalog import start
from microgpt.config import ARCHITECTURES, Config
from microgpt.instruments.finite_differences import DOCS, check
from microgpt.model import document_loss, gpt
from microgpt.params import init_params, param_shapes
from microgpt.plumbing import checkpoint
from microgpt.training import train_step
from microgpt.value import Value
from tests.support import BUNDLED_NAMES, assert_one_line_error, resumed_and_whole, run

try:
    import torch
except ImportError:  # optional: the PyTorch comparisons are skipped without it
    torch = None

SWITCHES = [{"bias": True}, {"final_norm": True}, {"embedding_norm": False},
            {"bias": True, "norm": "layernorm"}, {"final_norm": True, "norm": "layernorm"},
            {"embedding_norm": False, "norm": "layernorm"}, dict(ARCHITECTURES["gpt2"])]
SMALL = dict(n_layer=2, n_embd=8, n_head=2, block_size=8, steps=5, lr=0.05)


def torch_losses(state, examples, steps):
    """The run's first `steps` losses, in PyTorch (float64) from the run's first
    weights, the model written from the switches' definitions, Adam by hand."""
    F, c = torch.nn.functional, state.config
    W = {name: torch.tensor([[p.data for p in row] for row in m], dtype=torch.float64,
                            requires_grad=True) for name, m in state.params.items()}
    E, hd = c.n_embd, c.n_embd // c.n_head

    def norm(x, name):  # the reference's RMSNorm, or LayerNorm with its gain and bias
        if c.norm == "layernorm":
            return F.layer_norm(x, (E,), W[name + ".g"][0], W[name + ".b"][0], eps=1e-5)
        return x / torch.sqrt((x * x).mean(-1, keepdim=True) + 1e-5)

    def linear(x, name, bias):  # --bias: every linear layer in the blocks adds one
        return F.linear(x, W[name], W[bias][0] if c.bias else None)

    def loss_of(ids):
        T = min(c.block_size, len(ids) - 1)
        x = W["wte"][ids[:T]] + W["wpe"][:T]                              # (T, E)
        if c.embedding_norm:                                              # GPT-2 has none here
            x = norm(x, "ln_emb")
        causal = torch.ones(T, T, dtype=torch.bool).triu(1)
        for i in range(c.n_layer):
            L = f"layer{i}."
            h = norm(x, L + "ln_attn")
            q, k, v = (linear(h, L + f"attn_w{m}", L + f"attn_b{m}").view(T, c.n_head, hd)
                       .transpose(0, 1) for m in "qkv")                   # (nh, T, hd)
            att = (q @ k.transpose(1, 2) / hd ** 0.5).masked_fill(causal, float("-inf"))
            y = (att.softmax(-1) @ v).transpose(0, 1).reshape(T, E)
            x = x + linear(y, L + "attn_wo", L + "attn_bo")
            h = linear(norm(x, L + "ln_mlp"), L + "mlp_fc1", L + "mlp_b1")
            h = F.relu(h) if c.activation == "relu" else F.gelu(h, approximate="tanh")
            x = x + linear(h, L + "mlp_fc2", L + "mlp_b2")
        if c.final_norm:                                                  # GPT-2's ln_f
            x = norm(x, "ln_f")
        logits = x @ (W["wte"] if c.tie_weights else W["lm_head"]).T
        return F.cross_entropy(logits, torch.tensor(ids[1:T + 1]))

    m = {n: torch.zeros_like(w) for n, w in W.items()}
    v = {n: torch.zeros_like(w) for n, w in W.items()}
    losses = []
    for s in range(steps):
        loss = loss_of(examples[s % len(examples)])
        loss.backward()
        lr = c.lr * (1 - s / c.steps)  # the reference's linear decay
        with torch.no_grad():
            for n, w in W.items():
                m[n] = c.beta1 * m[n] + (1 - c.beta1) * w.grad
                v[n] = c.beta2 * v[n] + (1 - c.beta2) * w.grad ** 2
                w -= lr * (m[n] / (1 - c.beta1 ** (s + 1))) / (
                    (v[n] / (1 - c.beta2 ** (s + 1))) ** 0.5 + c.eps)
                w.grad = None
        losses.append(loss.item())
    return losses


@unittest.skipIf(torch is None, "PyTorch not installed (pip install torch==2.13.0)")
class EachSwitchAgainstPyTorchTest(unittest.TestCase):
    def test_a_short_run_of_each_switch_alone(self):
        for switch in SWITCHES:
            with self.subTest(**switch):
                examples, state = start(DOCS, Config(**SMALL, **switch))
                theirs = torch_losses(state, examples, 5)
                ours = [train_step(state, examples) for _ in range(5)]
                for a, b in zip(ours, theirs):
                    self.assertAlmostEqual(a, b, delta=1e-10)

    def test_each_switch_changes_the_run(self):
        """So the comparison above is not vacuous: without the switch, other losses."""
        examples, plain = start(DOCS, Config(**SMALL))
        without = [train_step(plain, examples) for _ in range(3)]
        for switch in SWITCHES[:3]:
            with self.subTest(**switch):
                examples, state = start(DOCS, Config(**SMALL, **switch))
                switched = [train_step(state, examples) for _ in range(3)]
                self.assertGreater(abs(switched[-1] - without[-1]), 1e-6)


class ParametersTest(unittest.TestCase):
    def test_new_parameters_draw_nothing_and_come_where_documented(self):
        plain = init_params(Config(), random.Random(1))
        gpt2 = init_params(Config(**ARCHITECTURES["gpt2"], n_layer=2), random.Random(1))
        names = list(gpt2)
        self.assertEqual(names[:2], ["wte", "wpe"])   # no lm_head (tied), no ln_emb
        self.assertEqual(names[2:16], [f"layer0.{n}" for n in (
            "ln_attn.g", "ln_attn.b", "attn_wq", "attn_wk", "attn_wv", "attn_wo", "attn_bq",
            "attn_bk", "attn_bv", "attn_bo", "ln_mlp.g", "ln_mlp.b", "mlp_fc1", "mlp_fc2")])
        self.assertEqual(names[16:18], ["layer0.mlp_b1", "layer0.mlp_b2"])
        self.assertEqual(names[-2:], ["ln_f.g", "ln_f.b"])
        for name in names:
            if "_b" in name.split(".")[-1] or name.endswith(".b"):
                self.assertTrue(all(p.data == 0.0 for row in gpt2[name] for p in row), name)
        # the weights drawn are the unbiased model's: the same stream, the same values
        biased = init_params(Config(bias=True), random.Random(1))
        for name in plain:
            self.assertEqual([[p.data for p in r] for r in biased[name]],
                             [[p.data for p in r] for r in plain[name]], name)
        shapes = {n: (r, c) for n, r, c in param_shapes(Config(bias=True))}
        self.assertEqual(shapes["layer0.mlp_b1"], (1, 64))

    def test_the_default_is_untouched(self):
        self.assertEqual([n for n, _, _ in param_shapes(Config())],
                         ["wte", "wpe", "lm_head"] + [f"layer0.{n}" for n in (
                             "attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")])


class FiniteDifferencesTest(unittest.TestCase):
    def test_every_parameter_of_each_switch(self):
        for switch in SWITCHES[:3] + SWITCHES[-1:]:
            with self.subTest(**switch):
                worst = check(Config(n_layer=2, n_embd=8, n_head=2, block_size=8, **switch))
                self.assertLess(max(worst.values()), 1e-6)

    def test_gradcheck_takes_the_flags(self):
        result = run("-m", "microgpt", "gradcheck", "--arch", "gpt2", "--n-embd", "4")
        self.assertEqual(result.returncode, 0, result.stderr)
        for name in ("layer0.attn_bq", "layer0.mlp_b2", "ln_f.g"):
            self.assertIn(name, result.stdout)
        self.assertNotIn("ln_emb", result.stdout)


def f32(x):
    """x rounded to float32, as a weight file holds it."""
    return struct.unpack("f", struct.pack("f", x))[0]


class FloatPathTest(unittest.TestCase):
    """gpt() on rows of floats (array('f')) gives the Value path's logits, bit for bit."""

    def test_bit_for_bit_on_every_switch(self):
        for settings in [{}, dict(ARCHITECTURES["gpt2"]),
                         dict(norm="layernorm", norm_placement="post", position="sinusoidal",
                              bias=True, activation="gelu", attention_scale=False)]:
            config = Config(n_layer=2, **settings)
            rng = random.Random(3)
            params = init_params(config, rng)
            for m in params.values():
                for row in m:
                    for p in row:
                        p.data = f32(p.data + rng.gauss(0, 0.3))
            floats = {n: [array("f", [p.data for p in row]) for row in m] for n, m in params.items()}
            caches = [([[] for _ in range(2)], [[] for _ in range(2)]) for _ in range(2)]
            with self.subTest(**settings):
                for pos, token in enumerate([26, 4, 12, 12, 0, 3]):
                    ours = gpt(token, pos, *caches[0], params, config)
                    plain = gpt(token, pos, *caches[1], floats, config)
                    self.assertTrue(all(isinstance(y, Value) for y in ours))
                    self.assertFalse(any(isinstance(y, Value) for y in plain))
                    self.assertEqual([y.data for y in ours], [y.data for y in plain])

    def test_a_relu_model_reads_floats_too(self):
        config = Config()
        params = init_params(config, random.Random(0))
        floats = {n: [[p.data for p in row] for row in m] for n, m in params.items()}
        logits = gpt(26, 0, [[]], [[]], floats, config)
        self.assertEqual(len(logits), 27)
        self.assertEqual([y.data for y in logits],
                         [y.data for y in gpt(26, 0, [[]], [[]], params, config)])


class RunsTest(unittest.TestCase):
    def test_save_load_resume_changes_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            state, whole = resumed_and_whole(DOCS, Config(**SMALL, **ARCHITECTURES["gpt2"]), Path(d),
                                             steps=4)
            self.assertEqual(state.losses, whole.losses)
            self.assertTrue(state.config.bias and state.config.final_norm)
            self.assertFalse(state.config.embedding_norm)

    def test_an_old_checkpoint_without_the_fields_loads_as_the_reference(self):
        with tempfile.TemporaryDirectory() as d:
            examples, state = start(DOCS, Config(steps=2))
            train_step(state, examples)
            checkpoint.save(state, Path(d) / "m.json")
            obj = json.loads((Path(d) / "m.json").read_text())
            for name in ("bias", "final_norm", "embedding_norm"):
                del obj["config"][name]
            (Path(d) / "m.json").write_text(json.dumps(obj))
            loaded = checkpoint.load(Path(d) / "m.json")
            self.assertEqual((loaded.config.bias, loaded.config.final_norm,
                              loaded.config.embedding_norm), (False, False, True))
            self.assertEqual(document_loss(examples[0], loaded.params, loaded.config).data,
                             document_loss(examples[0], state.params, state.config).data)

    def test_train_resume_and_compare_take_the_switches(self):
        with tempfile.TemporaryDirectory() as d:
            model = Path(d) / "m.json"
            first = run("-m", "microgpt.train", BUNDLED_NAMES, "--arch", "gpt2", "--steps", "4",
                         "--num-samples", "1", "--out", model, "--n-embd", "8", cwd=d)
            self.assertEqual(first.returncode, 0, first.stderr)
            same = run("-m", "microgpt.train", "--resume", model, "--steps", "6", "--bias", cwd=d)
            self.assertEqual(same.returncode, 0, same.stderr)  # --bias: as it was
            refused = run("-m", "microgpt.train", "--resume", model, "--steps", "8", "--norm",
                          "rmsnorm", cwd=d)
            assert_one_line_error(self, refused, "--norm rmsnorm differs")
            compared = run("-m", "microgpt", "compare", BUNDLED_NAMES, "--steps", "3",
                           "--num-samples", "1", "--variant", "gpt2: --arch gpt2",
                           "--variant", "bias: --bias", cwd=d)
            self.assertEqual(compared.returncode, 0, compared.stderr)
            rows = [line.split()[0] for line in compared.stdout.splitlines()[1:4]]
            self.assertEqual(rows, ["baseline", "gpt2", "bias"])

    def test_the_other_models_refuse_the_switches(self):
        assert_one_line_error(self, run("-m", "microgpt.train", "--model", "lstm", "--bias"),
                              "--bias does not apply to the lstm model")
        assert_one_line_error(self, run("-m", "microgpt", "gradcheck", "--model", "seq2seq",
                                        "--final-norm"), "no --final-norm variant")


if __name__ == "__main__":
    unittest.main()
