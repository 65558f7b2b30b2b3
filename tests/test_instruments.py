"""The instruments for a learner's questions: the attention scale measured
against the closed form, parameter counts against the formula and GPT-2's
published size, what each head attends to and what ablating it costs against
the tests' own forward pass on plain floats (float_gpt.py)."""
import math
import random
import re
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.instruments.dot_products import measure
from microgpt.config import Config
from microgpt.params import param_count
from tests import float_gpt
from tests.support import assert_one_line_error, run


class ScaleTest(unittest.TestCase):
    def test_the_spread_of_q_dot_k_is_sqrt_d_k(self):
        trials, keys = 400, 8
        for d_k in (1, 16, 256):
            std, _ = measure(d_k, keys, trials, random.Random(d_k))
            # a sample standard deviation of N draws errs by about std / sqrt(2N)
            tolerance = 4 * math.sqrt(d_k) / math.sqrt(2 * trials * keys)
            self.assertAlmostEqual(std, math.sqrt(d_k), delta=tolerance)

    def test_the_entropies_follow_the_closed_forms(self):
        n = 8
        rows = {d_k: measure(d_k, n, 300, random.Random(d_k))[1] for d_k in (4, 64, 1024)}
        # 1/d_k: logits of variance 1/d_k; for small variance s2 the softmax entropy is
        # log n - s2 * (n - 1) / (2 n) to first order
        s2 = 1 / 1024
        self.assertAlmostEqual(rows[1024]["1/d_k"], math.log(n) - s2 * (n - 1) / (2 * n), delta=2e-4)
        # 1/sqrt(d_k): the logits have unit variance at every width, so the entropy does not move
        scaled = [h["1/sqrt(d_k)"] for h in rows.values()]
        self.assertLess(max(scaled) - min(scaled), 0.1)
        # no scale: the spread grows as sqrt(d_k) and the softmax saturates
        self.assertGreater(rows[4]["none"], rows[64]["none"])
        self.assertGreater(rows[64]["none"], rows[1024]["none"])
        self.assertLess(rows[1024]["none"], 0.2)

    def test_command_prints_the_table_and_refuses_mistakes_in_one_line(self):
        result = run("-m", "microgpt", "scale", "--d-k", "4,64", "--trials", "20")
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = [line.split() for line in result.stdout.splitlines() if line.strip()[:1].isdigit()
                and not line.startswith("20 rows")]
        self.assertEqual([r[0] for r in rows], ["4", "64"])
        self.assertEqual([r[2] for r in rows], ["2.000", "8.000"])
        assert_one_line_error(self, run("-m", "microgpt", "scale", "--d-k", "4,x"), "--d-k")
        assert_one_line_error(self, run("-m", "microgpt", "scale", "--d-k", "0"), "from 1")


class SizeTest(unittest.TestCase):
    def test_counts_against_the_formula(self):
        for config in (Config(), Config(n_layer=3, n_embd=32, n_head=2, vocab_size=50),
                       Config(n_layer=2, block_size=7, tie_weights=True)):
            v, e, b, layers = config.vocab_size, config.n_embd, config.block_size, config.n_layer
            heads = 1 if config.tie_weights else 2  # wte and lm_head, or wte alone
            with self.subTest(config=config):
                # embeddings; per layer q, k, v, o (e x e each) and the MLP's 4e x e twice
                self.assertEqual(param_count(config), heads * v * e + b * e + layers * 12 * e * e)

    def test_gpt2_is_its_published_size(self):
        result = run("-m", "microgpt", "size", "--preset", "gpt2")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("total                      124439808", result.stdout)  # GPT-2's 124M, biases in
        # the biases are 12 layers x (3 + 1 + 4 + 1) x 768; the rest is what size printed before
        self.assertIn("of which 82,944 are the linear layers' biases", result.stdout)
        self.assertIn("124,356,864 without them", result.stdout)
        self.assertIn("163,037,184 untied", result.stdout)
        untied = run("-m", "microgpt", "size", "--preset", "gpt2", "--untied")
        self.assertIn("total                      163037184", untied.stdout)

    def test_the_default_table_and_mistakes(self):
        result = run("-m", "microgpt", "size")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("total                        4192", result.stdout)
        assert_one_line_error(self, run("-m", "microgpt", "size", "--n-embd", "10"),
                              "divisible by --n-head")
        assert_one_line_error(self, run("-m", "microgpt", "size", "--preset", "gpt5"), "--preset")


class HeadsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):  # trained once: the tests read the model and change nothing of it
        from microgpt.architectures.catalog import start
        from microgpt.training import train_step
        cls.docs = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper"]
        examples, cls.state = start(cls.docs, Config(n_layer=2, steps=30))
        for _ in range(30):
            train_step(cls.state, examples)
        cls.floats = float_gpt.floats(cls.state.params)

    def test_patterns_are_the_mean_shares_of_every_row_from_position_2(self):
        from microgpt.instruments.heads import patterns
        s = self.state
        table = patterns(s.params, s.config, s.tokenizer, self.docs)
        rows = {}
        for doc in self.docs:  # each shorter than the block: read whole, [BOS] + its characters
            for p in float_gpt.forward(s.tokenizer.encode_document(doc)[:-1], self.floats, s.config)[2:]:
                for key, row in p.attention.items():
                    rows.setdefault(key, []).append(row)
        for key, rs in rows.items():
            share = lambda f: sum(f(r) for r in rs) / len(rs)
            with self.subTest(head=key):
                self.assertEqual(table[key]["rows"], len(rs))
                self.assertAlmostEqual(table[key]["BOS"], share(lambda r: r[0]), delta=1e-12)
                self.assertAlmostEqual(table[key]["previous"], share(lambda r: r[-2]), delta=1e-12)
                self.assertAlmostEqual(table[key]["self"], share(lambda r: r[-1]), delta=1e-12)
                self.assertAlmostEqual(table[key]["far back"], share(lambda r: sum(r[1:-2])), delta=1e-12)
                self.assertAlmostEqual(table[key]["uniform"], share(lambda r: math.log(len(r))), delta=1e-12)

    def test_ablating_a_head_is_a_forward_pass_with_its_output_zeroed(self):
        from microgpt.instruments.heads import ablate
        from microgpt.model import document_loss
        s = self.state
        for silenced in ([(0, 1)], [(1, 3), (0, 0)]):
            ablated = ablate(s.params, s.config, silenced)
            for doc in self.docs[:3]:
                ids = s.tokenizer.encode_document(doc)
                want = float_gpt.loss(ids, self.floats, s.config, silenced)
                with self.subTest(silenced=silenced, doc=doc):
                    self.assertAlmostEqual(document_loss(ids, ablated, s.config).data, want, delta=1e-12)
                    intact = float_gpt.loss(ids, self.floats, s.config)
                    self.assertNotAlmostEqual(want, intact, places=6)  # the head mattered a little
        self.assertAlmostEqual(document_loss(ids, s.params, s.config).data, intact, delta=1e-12)


class InspectHeadsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = Path(tempfile.mkdtemp())
        result = run("-m", "microgpt.train", "names.txt", "--steps", "30", "--val-fraction", "0.1",
                     "--out", cls.folder / "m.json")
        assert result.returncode == 0, result.stderr

    def inspect(self, *args):
        return run("-m", "microgpt", "inspect", self.folder / "m.json", *args)

    def test_heads_table_and_ablation(self):
        result = self.inspect("--heads", "--ablate", "0.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = [line.split() for line in result.stdout.splitlines() if line[:2] in ("0.",)]
        self.assertEqual([r[0] for r in rows], ["0.0", "0.1", "0.2", "0.3"])
        for r in rows:  # four shares of every row's weight: they add up to 1
            self.assertAlmostEqual(sum(map(float, r[1:5])), 1.0, delta=3e-3)
        intact = float(re.search(r"intact (\d\.\d+)", result.stdout).group(1))
        without = re.search(r"without head 0\.1: (\d\.\d+) \(([-+]\d\.\d+)\)", result.stdout)
        self.assertAlmostEqual(float(without.group(1)) - intact, float(without.group(2)), delta=2e-4)

    def test_heatmaps_name_each_heads_spread_and_entropy(self):
        result = self.inspect("emma")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.count("logit spread"), 4)
        # a uniform row over 1..5 keys: the mean of log 1 .. log 5
        self.assertIn(f"a uniform row's {sum(math.log(n) for n in range(1, 6)) / 5:.2f}", result.stdout)

    def test_mistakes(self):
        for args, pattern in ((("emma", "--heads"), "no TEXT"), (("--ablate", "0.9"), "0.0 to 0.3"),
                              (("--ablate", "x"), "LAYER.HEAD")):
            with self.subTest(args=args):
                assert_one_line_error(self, self.inspect(*args), pattern)


class ScheduleNoteTest(unittest.TestCase):
    def test_a_schedule_that_peaks_far_below_lr_says_so(self):
        noam = ("names.txt", "--schedule", "noam", "--warmup", "100", "--steps", "100")
        note = run("-m", "microgpt.train", *noam).stderr
        # 0.01 * 16 ** -0.5 * 100 ** -0.5 = 0.00025, at step 100
        self.assertIn("the noam schedule peaks at a learning rate of 0.00025, under a tenth of "
                      "--lr 0.01", note)
        self.assertIn("peaks at a learning rate of 0.025, under a tenth of --lr 1: it multiplies "
                      "--lr by n_embd ** -0.5 * W ** -0.5 = 0.025",
                      run("-m", "microgpt.train", *noam, "--lr", "1").stderr)
        # a run that ends in its warmup tops out where it ends: 0.01 * 0.25 * 2 * 100 ** -1.5
        short = run("-m", "microgpt.train", *noam[:-1], "2").stderr
        self.assertIn("the warmup (100 steps) is longer than the run (2): the learning rate only "
                      "climbs, to 5e-06, under a tenth of --lr 0.01", short)
        self.assertNotIn("peaks at", short)
        self.assertIn("only climbs, to 0.0005,",  # linear: 0.01 * 5 / 100
                      run("-m", "microgpt.train", "names.txt", "--warmup", "100", "--steps", "5").stderr)
        self.assertNotIn("peaks at", run("-m", "microgpt.train", "names.txt", "--steps", "2").stderr)


if __name__ == "__main__":
    unittest.main()
