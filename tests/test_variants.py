"""The textbook variants: each switch against its formula written out here,
the random stream and parameter counts, finite differences on every
variant, batches and the held-out split by their rules, the combination run
through train, resume, sample and inspect, and the compare command.
(PyTorch parity per variant: test_gradients.py.)"""
import copy
import math
import random
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt import fused
from microgpt.plumbing.recipes import parse_variant
from microgpt.config import Config, ConfigError
from microgpt.data import held_out_examples
from microgpt.training import split_run
from microgpt.instruments.finite_differences import DOCS, check
from microgpt.model import gelu, layernorm
from microgpt.model import document_loss
from microgpt.params import flatten, init_params, param_shapes
from microgpt.optim import learning_rate
from microgpt.positions import sinusoidal
from microgpt.instruments.readout import trace
from microgpt.architectures.catalog import start
from microgpt.instruments.held_out import held_out_loss
from microgpt.training import train_step
from microgpt.value import Value
from tests.support import (BUNDLED_NAMES, assert_one_line_error, assert_same_run, numbers,
                           resumed_and_whole, run, train)
from tests.test_checkpoint import interrupted_then_resumed, merged
from tests.test_gradients import COMBINATION, VARIANTS

COMBINATION_FLAGS = ("--norm", "layernorm", "--activation", "gelu", "--position", "sinusoidal",
                     "--tie-weights", "--norm-placement", "post", "--schedule", "cosine",
                     "--warmup", "5", "--label-smoothing", "0.1", "--batch-size", "4",
                     "--val-fraction", "0.02", "--eval-every", "10")


class FormulaTest(unittest.TestCase):
    """Each new piece against the issue's formula, written plainly with floats."""

    def test_layernorm(self):
        xs, gs, bs = [0.3, -1.2, 2.5, 0.05, -0.7], [1.0, 0.5, -2.0, 1.5, 0.9], [0.0, 0.1, -0.3, 2.0, 0.0]
        mean = sum(xs) / len(xs)
        var = sum((x - mean) ** 2 for x in xs) / len(xs)
        want = [(x - mean) / math.sqrt(var + 1e-5) * g + b for x, g, b in zip(xs, gs, bs)]
        got = [y.data for y in layernorm(*[[Value(v) for v in vs] for vs in (xs, gs, bs)])]
        for a, b in zip(got, want):
            self.assertAlmostEqual(a, b, delta=1e-12)

    def test_layernorm_node_is_the_plain_ops_to_the_bit(self):
        xs = [Value(0.1 * i - 0.37) for i in range(7)]
        gs, bs = [Value(1.0 + 0.1 * i) for i in range(7)], [Value(0.2 - 0.05 * i) for i in range(7)]
        mean = fused.vsum(xs) / len(xs)
        xc = [x - mean for x in xs]
        scale = (fused.dot(xc, xc) / len(xs) + 1e-5) ** -0.5
        plain = [c * scale * g + b for c, g, b in zip(xc, gs, bs)]
        self.assertEqual([y.data for y in layernorm(xs, gs, bs)], [y.data for y in plain])

    def test_gelu(self):
        for x in (-4.0, -1.3, -0.2, 0.0, 0.4, 1.7, 5.0):
            want = 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
            self.assertAlmostEqual(gelu([Value(x)])[0].data, want, delta=1e-15)

    def test_sinusoidal(self):
        for pos in (0, 1, 7, 15):
            want = []
            for i in range(8):  # PE[pos][2i] = sin(pos / 10000^(2i/d)), PE[pos][2i+1] = cos(...)
                want += [math.sin(pos / 10000 ** (2 * i / 16)), math.cos(pos / 10000 ** (2 * i / 16))]
            self.assertEqual(sinusoidal(pos, 16), want)

    def test_label_smoothing(self):
        zs, target, e = [0.5, -1.0, 2.0, 0.0], 2, 0.2
        log_total = math.log(sum(math.exp(z) for z in zs))
        nll = [log_total - z for z in zs]
        want = (1 - e) * nll[target] + e * sum(nll) / len(zs)
        got = fused.cross_entropy([Value(z) for z in zs], target, smoothing=e).data
        self.assertAlmostEqual(got, want, delta=1e-12)

    def test_label_smoothing_stays_finite_when_a_probability_underflows(self):
        loss = fused.cross_entropy([Value(0.0), Value(900.0), Value(-900.0)], 0, smoothing=0.3)
        self.assertAlmostEqual(loss.data, 0.7 * 900 + 0.3 * (900 + 0 + 1800) / 3, delta=1e-9)

    def test_schedules_against_values_worked_out_by_hand(self):
        # lr 0.02, 6 steps, warmup 2: warmup gives 0.01, 0.02; then the 4 steps left take
        # t = (s - 2) / 4 = 0, 1/4, 1/2, 3/4 of the decay
        half, quarter = math.sqrt(0.5), 0.25  # cos(pi/4) = sqrt(1/2)
        cases = {
            "linear": [0.01, 0.02, 0.02, 0.015, 0.01, 0.005],
            "cosine": [0.01, 0.02, 0.02, 0.01 * (1 + half), 0.01, 0.01 * (1 - half)],
            "constant": [0.01, 0.02, 0.02, 0.02, 0.02, 0.02],
            # noam, n_embd 16: 0.02 / 4 * min(1 / sqrt(s + 1), (s + 1) / 2 ** 1.5)
            "noam": [0.005 * quarter * 2 ** 0.5, 0.005 * 2 ** -0.5, 0.005 * 3 ** -0.5,
                     0.005 * 0.5, 0.005 * 5 ** -0.5, 0.005 * 6 ** -0.5],
        }
        for schedule, want in cases.items():
            config = Config(lr=0.02, steps=6, warmup=2, schedule=schedule, n_embd=16)
            got = [learning_rate(s, config) for s in range(6)]
            for s, (g, w) in enumerate(zip(got, want)):
                with self.subTest(schedule=schedule, step=s):
                    self.assertAlmostEqual(g, w, delta=1e-15)
        # warmup as long as the run: every step is warmup, up to lr at the last
        config = Config(lr=0.02, steps=4, warmup=4, schedule="cosine")
        self.assertEqual([learning_rate(s, config) for s in range(4)], [0.005, 0.01, 0.015, 0.02])

    def test_linear_without_warmup_is_the_reference_decay_to_the_bit(self):
        config = Config(lr=0.01, steps=1000)
        self.assertTrue(all(learning_rate(s, config) == 0.01 * (1 - s / 1000) for s in range(1000)))


class ParametersTest(unittest.TestCase):
    def draws(self, config, drawn):
        """The reference's stream: seed, shuffle, then one gauss per entry of
        the drawn matrices, in order."""
        rng = random.Random(config.seed)
        rng.shuffle(list(DOCS))
        e, v = config.n_embd, config.vocab_size
        shapes = {"wte": (v, e), "wpe": (config.block_size, e), "lm_head": (v, e),
                  "attn_wq": (e, e), "attn_wk": (e, e), "attn_wv": (e, e), "attn_wo": (e, e),
                  "mlp_fc1": (4 * e, e), "mlp_fc2": (e, 4 * e)}
        out = {}
        for name in drawn:
            rows, cols = shapes[name.split(".")[-1]]
            out[name] = [[rng.gauss(0, config.init_std) for _ in range(cols)] for _ in range(rows)]
        return out

    def test_drawn_parameters_keep_the_reference_order_and_added_ones_draw_nothing(self):
        layer = ["layer0.attn_wq", "layer0.attn_wk", "layer0.attn_wv", "layer0.attn_wo",
                 "layer0.mlp_fc1", "layer0.mlp_fc2"]
        cases = [({}, ["wte", "wpe", "lm_head"]),
                 ({"tie_weights": True}, ["wte", "wpe"]),
                 ({"position": "sinusoidal"}, ["wte", "lm_head"]),
                 ({"position": "none", "tie_weights": True, "norm": "layernorm"}, ["wte"])]
        for fields, drawn in cases:
            with self.subTest(**fields):
                _, state = start(DOCS, Config(n_embd=8, n_head=2, block_size=8, **fields))
                want = self.draws(state.config, drawn + layer)
                got = {n: [[p.data for p in row] for row in m] for n, m in state.params.items()}
                for name, matrix in got.items():
                    if name.endswith((".g", ".b")):
                        self.assertEqual(matrix, [[1.0 if name.endswith(".g") else 0.0] * 8])
                    else:
                        self.assertEqual(matrix, want[name], name)
                self.assertEqual(sorted(n for n in got if not n.endswith((".g", ".b"))),
                                 sorted(want))

    def test_counts(self):
        v, e, t, layers = 27, 16, 16, 2
        base = 2 * v * e + t * e + layers * 12 * e * e
        cases = {(): base, (("tie_weights", True),): base - v * e,
                 (("position", "sinusoidal"),): base - t * e, (("position", "none"),): base - t * e,
                 (("norm", "layernorm"),): base + 2 * e * (1 + 2 * layers)}
        for fields, want in cases.items():
            config = Config(n_layer=layers, **dict(fields))
            self.assertEqual(sum(r * c for _, r, c in param_shapes(config)), want, fields)
            self.assertEqual(len(flatten(init_params(config, random.Random(0)))), want)

    def test_num_params_line_reflects_the_variant(self):
        result = train(BUNDLED_NAMES, "--steps", "1", "--num-samples", "1", "--tie-weights",
                       "--position", "none", "--norm", "layernorm")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"num params: {4192 - 432 - 256 + 2 * 16 * 3}", result.stdout)


class GradcheckTest(unittest.TestCase):
    def test_every_variant_and_the_combination_pass_finite_differences(self):
        for fields in VARIANTS + [dict(COMBINATION, batch_size=3)]:
            with self.subTest(**fields):
                worst = check(Config(n_embd=4, n_head=2, block_size=4, **fields))
                self.assertLess(max(worst.values()), 1e-6)

    def test_command_takes_the_switches(self):
        result = run("-m", "microgpt", "gradcheck", "--norm", "layernorm", "--activation", "gelu",
                     "--n-embd", "4", "--block-size", "3")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("layer0.ln_mlp.g", result.stdout)
        self.assertIn("ok: worst", result.stdout)


class BatchAndSplitTest(unittest.TestCase):
    def test_split_sizes(self):
        docs = [f"d{i}" for i in range(10)]
        for f, held in ((0.25, 2), (0.35, 4), (0.01, 1), (0.15, 2), (0.5, 5), (0.94, 9)):
            with self.subTest(f=f):  # max(1, round(F * 10)): round(2.5) = 2, round(3.5) = 4
                self.assertEqual(split_run(docs, Config(val_fraction=f)), (docs[:10 - held], docs[10 - held:]))
        with self.assertRaisesRegex(ConfigError, "leaves none to train on"):
            split_run(docs, Config(val_fraction=0.96))

    def test_held_out_documents_are_the_last_after_the_shuffle_and_never_trained_on(self):
        docs = [f"{a}{b}" for a in "abcdefg" for b in "xyz"]  # 21 documents
        config = Config(n_embd=8, n_head=2, block_size=4, val_fraction=0.2, batch_size=5, steps=9)
        examples, state = start(docs, config)
        order = list(docs)
        random.Random(config.seed).shuffle(order)
        encode = state.tokenizer.encode_document
        self.assertEqual(examples, [encode(d) for d in order[:17]])  # round(4.2) = 4 held out
        self.assertEqual(held_out_examples(docs, state.tokenizer, state.config),
                         [encode(d) for d in order[17:]])

    def test_a_step_is_the_mean_of_documents_s_times_b_plus_b(self):
        config = Config(n_embd=8, n_head=2, block_size=6, batch_size=3, steps=4)
        examples, state = start(DOCS[:5], config)
        for step in range(4):
            params = copy.deepcopy(state.params)  # before this step's update
            want = sum(document_loss(examples[(step * 3 + b) % 5], params, state.config).data
                       for b in range(3)) / 3
            self.assertAlmostEqual(train_step(state, examples), want, delta=1e-12)

    def test_evaluating_changes_no_training_number(self):
        config = Config(n_embd=8, n_head=2, block_size=6, val_fraction=0.25, steps=6)
        runs = []
        for evaluate in (False, True):
            examples, state = start(DOCS, config)
            held = held_out_examples(DOCS, state.tokenizer, state.config)
            for _ in range(6):
                train_step(state, examples)
                if evaluate:
                    loss = held_out_loss(state, held)
                    self.assertTrue(all(p.grad == 0.0 for p in flatten(state.params)))
            runs.append((state.losses, state.m, state.v, state.rng.random(),
                         [p.data for p in flatten(state.params)]))
        self.assertEqual(runs[0], runs[1])
        want = sum(document_loss(ids, state.params, state.config).data for ids in held) / len(held)
        self.assertAlmostEqual(loss, want, delta=1e-12)

    def test_held_out_lines_every_k_steps_and_after_the_last(self):
        result = train(BUNDLED_NAMES, "--steps", "7", "--num-samples", "1", "--val-fraction", "0.1",
                       "--eval-every", "3")
        self.assertEqual(result.returncode, 0, result.stderr)
        held = [l for l in result.stdout.splitlines() if l.startswith("held-out")]
        self.assertEqual([l.split("|")[0].split()[-1] for l in held], ["3", "6", "7"])
        self.assertIn("num held out: 516", result.stdout)
        self.assertEqual(result.stderr.count("mean over the first 100 of the 516"), 1)
        self.assertEqual(len([l for l in result.stdout.splitlines() if l.startswith("step")]), 7)


class CombinationRunTest(unittest.TestCase):
    def test_trains_saves_resumes_bit_identically_samples_and_traces(self):
        flags = ("--steps", "12", "--num-samples", "4", *COMBINATION_FLAGS)
        with tempfile.TemporaryDirectory() as folder:
            whole = train(BUNDLED_NAMES, *flags, "--out", "whole.json", cwd=folder)
            self.assertEqual(whole.returncode, 0, whole.stderr)
            [(first, status, _)], resumed = interrupted_then_resumed(BUNDLED_NAMES, (7,), folder, *flags)
            self.assertEqual(status, 130)
            self.assertEqual(merged([first], resumed), numbers(whole.stdout))
            held = lambda text: [l for l in text.splitlines() if l.startswith("held-out")]
            self.assertEqual(held(first) + held(resumed), held(whole.stdout))  # 10, and 12
            sampled = run("-m", "microgpt.sample", "whole.json", "--num-samples", "4", cwd=folder)
            self.assertEqual(sampled.returncode, 0, sampled.stderr)
            self.assertEqual([l.split("  (")[0] for l in sampled.stdout.splitlines()],
                             [l for l in numbers(whole.stdout) if l.startswith("sample")])
            inspected = run("-m", "microgpt", "inspect", "whole.json", "emma", cwd=folder)
            self.assertEqual(inspected.returncode, 0, inspected.stderr)
            self.assertIn("layer 0, head 3", inspected.stdout)

    def test_every_variant_saves_resumes_bit_identically_and_traces(self):
        schedules = [{"schedule": "cosine", "warmup": 2}, {"schedule": "noam", "warmup": 2},
                     {"schedule": "constant"}, {"batch_size": 2}, {"val_fraction": 0.25}]
        folder = Path(tempfile.mkdtemp())
        for fields in VARIANTS + schedules:
            with self.subTest(**fields):
                config = Config(n_embd=8, n_head=2, block_size=6, steps=6, **fields)
                state, whole = resumed_and_whole(DOCS, config, folder)
                assert_same_run(self, state, whole)
                positions = trace(state.params, state.config, state.tokenizer, "liam")
                for head in positions[-1].layers[0]:
                    self.assertAlmostEqual(sum(head.attn_weights), 1.0, delta=1e-12)

    def test_trace_without_the_scale(self):
        examples, state = start(DOCS, Config(n_embd=8, n_head=2, attention_scale=False))
        head = trace(state.params, state.config, state.tokenizer, "ava")[2].layers[0][1]
        q_k = [sum(a * b for a, b in zip(head.q_h, k)) for k in head.k_h]  # no 1/sqrt(head_dim)
        for a, b in zip(head.attn_logits, q_k):
            self.assertAlmostEqual(a, b, delta=1e-12)


class MistakesTest(unittest.TestCase):
    def test_bad_switches_are_one_line_errors(self):
        cases = [(["--norm", "batchnorm"], "invalid choice"),
                 (["--label-smoothing", "1.5"], "--label-smoothing: must be at most 1"),
                 (["--val-fraction", "1"], "--val-fraction: must be below 1"),
                 (["--schedule", "noam"], "noam schedule needs warmup"),
                 (["--warmup", "-1"], "--warmup"),
                 (["--batch-size", "0"], "--batch-size"),
                 (["--eval-every", "0"], "--eval-every")]
        for flags, pattern in cases:
            with self.subTest(flags=flags):
                assert_one_line_error(self, train(BUNDLED_NAMES, "--steps", "1", *flags), pattern)

    def test_a_split_that_leaves_nothing_to_train_on(self):
        path = Path(tempfile.mkdtemp()) / "two.txt"
        path.write_text("ann\nbob\n")
        assert_one_line_error(self, train(path, "--val-fraction", "0.8"),
                              "holds out 2 of the 2 documents and leaves none to train on")


class CompareTest(unittest.TestCase):
    def test_table_and_chart(self):
        svg_path = Path(tempfile.mkdtemp()) / "compare.svg"
        result = run("-m", "microgpt", "compare", BUNDLED_NAMES, "--steps", "4", "--n-embd", "8",
                     "--n-head", "2", "--val-fraction", "0.01", "--num-samples", "2",
                     "--variant", "gelu: --activation gelu", "--variant", "tied: --tie-weights",
                     "--svg", svg_path)
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = result.stdout.splitlines()
        self.assertEqual(rows[0].split()[:5], ["variant", "params", "loss", "held-out", "ms/step"])
        self.assertEqual([r.split()[0] for r in rows[1:4]], ["baseline", "gelu", "tied"])
        self.assertEqual([int(r.split()[1]) for r in rows[1:4]], [1328, 1328, 1328 - 27 * 8])
        picture = svg_path.read_text()
        self.assertTrue(all(name in picture for name in ("baseline", "gelu", "tied")))
        self.assertIn("run 3 of 3 (tied)", result.stderr)
        # the baseline's figures are those of the same run of the train command
        same = numbers(train(BUNDLED_NAMES, "--steps", "4", "--n-embd", "8", "--n-head", "2",
                             "--val-fraction", "0.01", "--num-samples", "2").stdout)
        losses = [float(l.split()[-1]) for l in same if l.startswith("step")]
        self.assertAlmostEqual(float(rows[1].split()[2]), sum(losses) / 4, delta=1e-4)
        self.assertEqual(rows[1].split("  ")[-1].split(", "),
                         [l.split(": ")[1] for l in same if l.startswith("sample")])

    def test_held_out_is_the_plain_nll_for_every_run_and_smoothing_has_its_own_column(self):
        flags = ("--steps", "20", "--n-embd", "8", "--n-head", "2", "--val-fraction", "0.02")
        result = run("-m", "microgpt", "compare", BUNDLED_NAMES, *flags, "--num-samples", "1",
                     "--variant", "smooth: --label-smoothing 0.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = [r.split() for r in result.stdout.splitlines()]
        head = rows[0]
        smooth = rows[2]
        self.assertEqual(head[3:5], ["held-out", "smoothed"])
        # the smoothed column is what train prints under --label-smoothing (the loss it trains on)
        printed = [l for l in train(BUNDLED_NAMES, *flags, "--label-smoothing", "0.1").stdout
                   .splitlines() if l.startswith("held-out")][-1]
        self.assertEqual(smooth[4], printed.split()[-1])
        self.assertLess(float(smooth[3]), float(smooth[4]))  # the NLL, without the spread share
        self.assertEqual(rows[1][4], "-")  # the baseline does not smooth

    def test_a_split_in_one_run_only(self):
        result = run("-m", "microgpt", "compare", BUNDLED_NAMES, "--steps", "3", "--n-embd", "8",
                     "--n-head", "2", "--num-samples", "1",
                     "--variant", "split: --val-fraction 0.1", "--variant", "longer: --steps 5")
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = [r.split() for r in result.stdout.splitlines()]
        self.assertEqual(rows[0][3], "held-out")
        self.assertEqual([r[3] for r in rows[1:4]][::2], ["-", "-"])  # baseline, longer: no split
        float(rows[2][3])
        self.assertIn("mean of the last min(50, steps) steps", result.stdout)

    def test_a_diverged_run_is_marked_not_ranked_and_names_may_hold_colons(self):
        result = run("-m", "microgpt", "compare", BUNDLED_NAMES, "--steps", "3", "--n-embd", "8",
                     "--n-head", "2", "--num-samples", "1", "--tokenizer", "bpe",
                     "--vocab-size", "40", "--variant", "lr 1:1e300: --lr 1e300",
                     "--variant", "char: --tokenizer char")  # its own tokenizer wins
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = {r.split("  ")[0].strip(): r for r in result.stdout.splitlines()[1:4]}
        self.assertEqual(sorted(rows), ["baseline", "char", "lr 1:1e300"])
        # the baseline is named by the shared flags that change it
        self.assertIn("(baseline: the reference's recipe with --n-embd 8 --n-head 2 --tokenizer "
                      "bpe --vocab-size 40, which every run shares)", result.stdout)
        self.assertRegex(rows["lr 1:1e300"], r"^lr 1:1e300 +\d+  diverged  at step \d+ ")
        self.assertNotRegex(rows["lr 1:1e300"], r"\d\.\d{4}")  # no loss to compare
        self.assertEqual(int(rows["char"].split()[1]), 1328)  # 27 characters, as without BPE
        self.assertEqual(parse_variant("ratio 1:2: --lr 0.1"), ("ratio 1:2", {"lr": 0.1}))

    def test_variant_text(self):
        self.assertEqual(parse_variant(" post LN : --norm-placement post --no-residual"),
                         ("post LN", {"norm_placement": "post", "residual": False}))

    def test_bad_variant_is_one_line_naming_it(self):
        for text, pattern in (("gelu --activation gelu", "'gelu --activation gelu': expected NAME"),
                              ("two\nlines: --lr 0.1", "has a control character .* one line"),
                              ("x: --activation tanh", "'x: --activation tanh'.*invalid choice"),
                              ("x: --n-embd 10", "x: --n-embd \\(10\\) must be divisible"),
                              # found only once the run's vocabulary or size is worked out:
                              # still before the baseline trains
                              ("b: --tokenizer bpe --vocab-size 5", "b: --vocab-size: .* at least 27"),
                              ("big: --batch-size 1000000000", "big: this model needs about")):
            with self.subTest(text=text):
                assert_one_line_error(self, run("-m", "microgpt", "compare", BUNDLED_NAMES,
                                                "--variant", text), pattern)


if __name__ == "__main__":
    unittest.main()
