"""The long-range experiment: the recall task's documents exactly as defined,
the measurements against hand-worked graphs and expectations, and the
command's tables, files and mistakes."""
import random
import re
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.config import Config
from microgpt.fused import cross_entropy
from microgpt.instruments.reach import (depth_and_edges, edge_count, input_gradient_norms, longest_path, read,
                            recall_accuracy)
from microgpt.instruments.recall import recall_document, recall_documents, recall_text
from microgpt.architectures.catalog import plan
from microgpt.training import start_planned
from microgpt.value import Value
from tests.support import assert_one_line_error, run

LINE = re.compile(r"[a-h][0-9]*=[a-h]")


def longrange(*args, **kw):
    return run("-m", "microgpt", "longrange", *args, **kw)


class RecallTaskTest(unittest.TestCase):
    def test_documents_are_key_gap_digits_equals_key(self):
        rng = random.Random(7)
        for gap in (0, 1, 5, 40):
            for doc in recall_documents(gap, 50, rng):
                self.assertRegex(doc, LINE)
                self.assertEqual(len(doc), gap + 3)
                self.assertEqual(doc[0], doc[-1])
                self.assertEqual(doc[-2], "=")

    def test_the_draws_are_choice_of_key_then_each_digit(self):
        rng = random.Random(3)
        key = rng.choice("abcdefgh")
        digits = "".join(rng.choice("0123456789") for _ in range(6))
        self.assertEqual(recall_document(6, random.Random(3)), f"{key}{digits}={key}")

    def test_keys_and_digits_are_uniform(self):
        docs = recall_documents(10, 4000, random.Random(0))
        keys = [d[0] for d in docs]
        digits = "".join(d[1:-2] for d in docs)
        self.assertEqual(sorted(set(keys)), list("abcdefgh"))
        for k in "abcdefgh":
            self.assertAlmostEqual(keys.count(k) / len(keys), 1 / 8, delta=0.02)
        for c in "0123456789":
            self.assertAlmostEqual(digits.count(c) / len(digits), 1 / 10, delta=0.01)

    def test_write_makes_the_file_the_library_makes(self):
        with tempfile.TemporaryDirectory() as folder:
            result = longrange("--write", "r.txt", "--gap", "4", "--count", "200", "--seed", "5",
                               cwd=folder)
            self.assertEqual(result.returncode, 0, result.stderr)
            text = (Path(folder) / "r.txt").read_text()
            self.assertEqual(text, recall_text(4, 200, 5))
            self.assertEqual(text.splitlines(), recall_documents(4, 200, random.Random(5)))
            trained = run("-m", "microgpt.train", "r.txt", "--steps", "2", "--num-samples", "1",
                          "--model", "gru", cwd=folder)
            self.assertEqual(trained.returncode, 0, trained.stderr)
            self.assertIn("vocab size: 20", trained.stdout)  # 8 keys, 10 digits, "=", BOS


class MeasurementsTest(unittest.TestCase):
    def test_longest_path_and_edges_of_a_small_graph(self):
        a, b = Value(2.0), Value(3.0)
        c = a * b          # depth 1 from a
        d = c + b          # 2
        e = d * a + c      # d*a: 3; + c: 4
        self.assertEqual(longest_path(e, [a]), 4)
        self.assertEqual(longest_path(e, [b]), 4)
        self.assertIsNone(longest_path(c, [Value(1.0)]))
        self.assertEqual(edge_count(e), 8)

    def fresh(self, model, gap=6):
        docs = recall_documents(gap, 60, random.Random(0))
        _, state = start_planned(plan(docs, Config(model=model, n_embd=8, block_size=gap + 4)))
        return state, docs

    def test_read_gives_the_logits_the_loss_uses(self):
        for model in ("gpt", "lstm"):
            state, docs = self.fresh(model)
            ids = state.tokenizer.encode_document(docs[0])
            logits, inputs = read(state.params, state.config, ids[:-1])
            self.assertEqual(len(inputs), len(ids) - 1)
            loss = state.loss(ids, state.params, state.config)
            mine = sum(cross_entropy(z, t).data for z, t in zip(logits, ids[1:]))
            self.assertAlmostEqual(loss.data, mine / len(logits), delta=1e-12)

    def test_gradient_falls_off_geometrically_for_recurrence_not_attention(self):
        for model in ("gpt", "rnn", "gru", "lstm"):
            state, docs = self.fresh(model, gap=12)
            ids = [state.tokenizer.bos] + state.tokenizer.encode(docs[0])
            norms = input_gradient_norms(state.params, state.config, ids)
            self.assertEqual(len(norms), len(ids) - 1)
            key, near = norms[1], norms[-2]  # the key, 12 positions back; the digit one back
            with self.subTest(model=model):
                if model == "gpt":
                    self.assertGreater(key, 0.1 * near)
                else:
                    self.assertLess(key, 1e-2 * near)

    def test_depth_grows_with_length_for_recurrence_only(self):
        for model in ("gpt", "gru"):
            depths = []
            for gap in (2, 10):
                state, docs = self.fresh(model, gap)
                ids = state.tokenizer.encode_document(docs[0])
                depths.append(depth_and_edges(state.params, state.config, ids)[0])
            with self.subTest(model=model):
                if model == "gpt":
                    self.assertEqual(depths[0], depths[1])
                else:
                    self.assertGreater(depths[1], depths[0] + 8 * 8)

    def test_accuracy_counts_the_prediction_after_the_equals_sign(self):
        state, docs = self.fresh("rnn")
        for row in state.params["lm_head"]:  # logits are all equal: argmax is token 0, "0"
            for p in row:
                p.data = 0.0
        self.assertEqual(recall_accuracy(state.params, state.config, state.tokenizer, docs), 0.0)
        state.params["lm_head"][state.tokenizer.encode("c")[0]][0].data = 1e-3
        state.params["wte"] = [[Value(1.0)] * 8 for _ in state.params["wte"]]  # h[0] > 0 always
        expected = sum(d[0] == "c" for d in docs) / len(docs)
        self.assertEqual(recall_accuracy(state.params, state.config, state.tokenizer, docs), expected)


class CommandTest(unittest.TestCase):
    def test_a_tiny_run_prints_the_three_tables_and_draws_them(self):
        with tempfile.TemporaryDirectory() as folder:
            result = longrange("--gaps", "1,3", "--models", "gpt,rnn", "--steps", "2",
                               "--n-embd", "4", "--train-docs", "40", "--eval-docs", "8",
                               "--svg", "lr.svg", cwd=folder)
            self.assertEqual(result.returncode, 0, result.stderr)
            out = result.stdout
            self.assertIn("held-out accuracy of the prediction after '='", out)
            self.assertRegex(out, r"\ngpt +\d\.\d\d +\d\.\d\d\n")
            self.assertRegex(out, r"\n4 \(key\) +[\d.e+-]+ +[\d.e+-]+\n")  # gap 3: the key 4 back
            self.assertRegex(out, r"\n7 +\d+ / [\d,]+ +\d+ / [\d,]+")     # T = 3 + 4
            self.assertIn("step 2 / 2", result.stderr)
            svg = (Path(folder) / "lr.svg").read_text()
            self.assertEqual(svg.count("<polyline"), 6)  # 3 charts, a line per model

    def test_mistakes_are_one_line_errors(self):
        cases = [(["--models", "gpt,transformer"], "unknown model 'transformer'"),
                 (["--models", "gpt,gpt"], "named twice"),
                 (["--gaps", "2,x"], "argument --gaps: expected whole numbers"),
                 (["--gaps", "0,2"], "at least 1"),
                 (["--gaps", "40", "--block-size", "16"], "gap 40 does not fit --block-size 16"),
                 (["--gap", "4"], "--gap and --count go with --write"),
                 (["--steps", "0"], "--steps"),
                 (["--n-embd", "6"], "gpt at gap 2: --n-embd \\(6\\) must be divisible by --n-head"),
                 (["--train-docs", "1", "--models", "rnn"], "rnn at gap 2: the held-out documents")]
        for args, pattern in cases:
            with self.subTest(args=args):
                assert_one_line_error(self, longrange(*args), pattern)


if __name__ == "__main__":
    unittest.main()
