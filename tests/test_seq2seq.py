"""The encoder-decoder checked against independent implementations (PyTorch
written from the paper's equations, finite differences), its data, and its
commands as a learner runs them (seq2seq, inspect), every mistake one line."""
import itertools
import json
import os
import random
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import pairs
from microgpt.attention import no_mask, sequence_attention
from microgpt.config import TASKS, Config, ConfigError
from microgpt.instruments.finite_differences import DOCS, check
from microgpt.params import flatten, param_shapes
from microgpt.plumbing import checkpoint
from microgpt.architectures.transformer import seq2seq_loss
from microgpt.instruments.three_kinds import trace_seq2seq
from microgpt.plumbing.memory import cycle_collector_off
from microgpt.plumbing.terminal import heatmap_key
from microgpt.training import batch_loss, start_planned, train_step
from microgpt.value import Value
from tests.support import ROOT, assert_one_line_error, assert_same_run, interrupted, run

try:
    import torch
    from tests import torch_seq2seq
except ImportError:  # optional: the PyTorch comparisons are skipped without it
    torch = None

TINY = ["--steps", "6", "--n-embd", "8", "--n-head", "2"]
PAIRS = "emma\tamme\nava\tava\nmia\taim\nzoe\teoz\nliam\tmail\nnoah\thaon\nivy\tyvi\nlily\tylil\n"


def tiny(**kw):
    """A fresh tiny encoder-decoder on DOCS reversed: (examples, state)."""
    config = Config(**{"n_embd": 8, "n_head": 2, "block_size": 8, **kw})
    return start_planned(pairs.plan(pairs.task_pairs("reverse", DOCS), config))


class AgainstTorchTest(unittest.TestCase):
    @unittest.skipUnless(torch, "PyTorch is not installed")
    def test_cross_attention_is_softmax_of_q_k_over_keys_of_another_sequence(self):
        rng = random.Random(1)
        rows = lambda n: [[Value(rng.gauss(0, 1)) for _ in range(6)] for _ in range(n)]
        Q, K, V = rows(3), rows(5), rows(5)          # 3 queries, 5 keys and values: another sequence
        trace = []
        out = sequence_attention(Q, K, V, 2, no_mask, trace)
        t = lambda m: torch.tensor([[x.data for x in r] for r in m], dtype=torch.float64)
        for h in range(2):
            sl = slice(3 * h, 3 * h + 3)
            A = torch.softmax(t(Q)[:, sl] @ t(K)[:, sl].T / 3 ** 0.5, dim=-1)   # (3, 5)
            expected = A @ t(V)[:, sl]
            got = [[x.data for x in row[sl]] for row in out]
            self.assertTrue(torch.allclose(torch.tensor(got, dtype=torch.float64), expected,
                                           atol=1e-12, rtol=0))
            weights = [[w.data for w in row] for row in trace[h][4]]
            self.assertTrue(torch.allclose(torch.tensor(weights, dtype=torch.float64), A,
                                           atol=1e-12, rtol=0))

    @unittest.skipUnless(torch, "PyTorch is not installed")
    def test_loss_and_every_gradient_match_pytorch(self):
        for kw in ({}, {"n_layer": 2}):
            with self.subTest(**kw):
                examples, state = tiny(**kw)
                params = flatten(state.params)
                for example in examples[:3]:
                    loss = seq2seq_loss(example, state.params, state.config)
                    loss.backward()
                    W = torch_seq2seq.weights(state.params)
                    expected = torch_seq2seq.loss(W, example, state.config.n_layer, 2)
                    expected.backward()
                    self.assertAlmostEqual(loss.data, expected.item(), places=12)
                    theirs = [g for name in state.params for g in W[name].grad.flatten().tolist()]
                    self.assertEqual(len(theirs), len(params))
                    self.assertLess(max(abs(p.grad - g) for p, g in zip(params, theirs)), 1e-12)
                    for p in params:
                        p.grad = 0.0


    @unittest.skipUnless(torch, "PyTorch is not installed")
    def test_the_pytorch_example_trains_and_scores(self):
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "w.txt").write_text("emma\nava\nmia\nzoe\nliam\nnoah\nivy\nlily\nanna\n")
            r = run(ROOT / "examples" / "seq2seq_in_pytorch.py", "--words", "w.txt", "--steps", "5",
                    "--n-embd", "8", cwd=d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^reverse: exact match \d+\.\d% of the first 1 held out")


class FiniteDifferencesTest(unittest.TestCase):
    def test_every_gradient_matches_finite_differences(self):
        worst = check(Config(n_embd=4, n_head=2, block_size=8, model="seq2seq", vocab_size=12))
        self.assertIn("dec0.cross_wk", worst)
        self.assertLess(max(worst.values()), 1e-6, worst)

    def test_gradcheck_accepts_the_seq2seq_model(self):
        r = run("-m", "microgpt", "gradcheck", "--model", "seq2seq", "--n-embd", "4")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("dec0.cross_wv", r.stdout)


class ModelTest(unittest.TestCase):
    def test_the_weights_are_drawn_in_the_documented_order(self):
        examples, state = tiny()
        config = state.config
        rng = random.Random(config.seed)
        rng.shuffle(pairs.task_pairs("reverse", DOCS))            # first the shuffle of the pairs
        names = [n for n, _, _ in param_shapes(config)]
        self.assertEqual(names[:4], ["wte", "enc_wpe", "dec_wpe", "lm_head"])
        self.assertEqual(names[4:10], [f"enc0.{m}" for m in ("attn_wq", "attn_wk", "attn_wv",
                                                             "attn_wo", "mlp_fc1", "mlp_fc2")])
        self.assertEqual(names[10:], [f"dec0.{m}" for m in (
            "attn_wq", "attn_wk", "attn_wv", "attn_wo", "cross_wq", "cross_wk", "cross_wv",
            "cross_wo", "mlp_fc1", "mlp_fc2")])
        drawn = [rng.gauss(0, 0.08) for _ in flatten(state.params)]   # then every weight, row by row
        self.assertEqual([p.data for p in flatten(state.params)], drawn)

    def test_an_example_reads_the_source_and_predicts_the_target_then_bos(self):
        _, state = tiny()
        tok = state.tokenizer
        self.assertEqual(pairs.examples_of([("em", "me")], tok),
                         [([tok.bos] + tok.encode("em"), [tok.bos] + tok.encode("me") + [tok.bos])])

    def test_the_loss_depends_on_the_source_through_cross_attention_only(self):
        examples, state = tiny()
        src, tgt = examples[0]
        other = (src[:1] + src[1:][::-1], tgt)
        one = seq2seq_loss(examples[0], state.params, state.config).data
        self.assertNotEqual(one, seq2seq_loss(other, state.params, state.config).data)
        for row in state.params["dec0.cross_wv"]:   # no value passes from the encoder
            for w in row:
                w.data = 0.0
        self.assertEqual(seq2seq_loss(examples[0], state.params, state.config).data,
                         seq2seq_loss(other, state.params, state.config).data)

    def test_batch_loss_is_the_mean_of_its_pairs(self):
        examples, state = tiny(batch_size=2)
        both = batch_loss(examples, 0, state.params, state.config, state.loss).data
        each = [seq2seq_loss(e, state.params, state.config).data for e in examples[:2]]
        self.assertAlmostEqual(both, sum(each) / 2, places=14)

    def test_settings_the_encoder_decoder_lacks_are_refused(self):
        for kw in ({"norm": "layernorm"}, {"tie_weights": True}, {"position": "none"},
                   {"task": "shout"}):
            with self.subTest(**kw), self.assertRaises(ConfigError):
                tiny(**kw)
        with self.assertRaisesRegex(ConfigError, "block-size 4"):
            tiny(block_size=4)


class AntiDiagonalTest(unittest.TestCase):
    def test_a_trained_reverser_reads_the_source_backwards(self):
        """Trained to reverse short words over "abcd" (one head, n_embd 8,
        1500 steps: seconds), the output's i-th character reads source
        position len - i: the cross-attention's anti-diagonal."""
        words = ["".join(w) for n in (3, 4, 5) for w in itertools.product("abcd", repeat=n)]
        random.Random(0).shuffle(words)
        config = Config(n_embd=8, n_head=1, steps=1500, lr=0.02, block_size=6)
        examples, state = start_planned(pairs.plan(pairs.task_pairs("reverse", words[:300]), config))
        with cycle_collector_off():
            while state.step < config.steps:
                train_step(state, examples)
        for word in ("abcd", "dcab", "bdca", "abc", "dcbad"):
            src, tgt, written, maps = trace_seq2seq(state.params, state.config, state.tokenizer, word)
            self.assertEqual(written, list(word[::-1]) + ["END"])
            cross = maps["cross"][0][0]                           # (output + END, BOS + source)
            reads = [max(range(len(row)), key=row.__getitem__) for row in cross[:len(word)]]
            self.assertEqual(reads, [len(word) - i for i in range(len(word))], word)


class DataTest(unittest.TestCase):
    def test_tasks(self):
        self.assertEqual(tuple(pairs.TASKS), TASKS)            # the flag's choices are the tasks
        self.assertEqual(pairs.task_pairs("reverse", ["emma"]), [("emma", "amme")])
        self.assertEqual(pairs.task_pairs("sort", ["emma"]), [("emma", "aemm")])
        self.assertEqual(pairs.task_pairs("copy", ["emma"]), [("emma", "emma")])

    def test_pairs_and_their_mistakes_by_line(self):
        self.assertEqual(pairs.read_pairs("a b\tb a\r\n\n  \nc\td\n"), [("a b", "b a"), ("c", "d")])
        for text, message in (("a\tb\n\nc d\n", "line 3: expected source<TAB>target, one tab \\(found 0\\)"),
                              ("a\tb\tc\n", "line 1: .* one tab \\(found 2\\)"),
                              ("a\tb\n\tb\n", "line 2: the source is empty"),
                              ("a\t\n", "line 1: the target is empty"),
                              ("\n\n", "no pairs")):
            with self.subTest(text=text), self.assertRaisesRegex(pairs.BadPairs, message):
                pairs.read_pairs(text, "p.txt")

    def test_scores(self):
        rows = [("ab", "ba", "ba"), ("abc", "cba", "cbx"), ("ab", "ba", "b")]
        self.assertEqual(pairs.score(rows), (1 / 3, (1 + 2 / 3 + 1 / 2) / 3))


def seq2seq(*args, **kw):
    return run("-m", "microgpt", "seq2seq", *args, **kw)


class CommandTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        (self.dir / "pairs.txt").write_text(PAIRS)
        (self.dir / "words.txt").write_text("emma\nava\nmia\nzoe\nliam\nnoah\nivy\nlily\nanna\n")

    def test_trains_on_pairs_and_scores_the_held_out_ones(self):
        r = seq2seq("pairs.txt", *TINY, "--val-fraction", "0.25", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("num train: 6, num held out: 2", r.stdout)
        self.assertEqual(sum(line.startswith("step ") for line in r.stdout.splitlines()), 6)
        self.assertRegex(r.stdout, r"greedy decoding, held out: exact match \d+\.\d% \(\d of 2\), "
                                   r"per-character \d+\.\d%")
        shown = r.stdout.split("source -> output (target):\n")[1].splitlines()
        self.assertEqual(len(shown), 2)
        self.assertRegex(shown[0], r"^  \w+ -> \w* \(\w+\)")

    def test_interrupt_and_resume_is_bit_identical(self):
        args = ["--task", "reverse", "words.txt", "--n-embd", "8", "--n-head", "2", "--steps", "120"]
        whole = seq2seq(*args, cwd=self.dir)
        first, err, status = interrupted("seq2seq", [*args, "--out", "m.json"], self.dir, 10)
        self.assertEqual(status, 130, err)
        self.assertIn("saved to m.json", err)
        resumed = seq2seq("--resume", "m.json", cwd=self.dir)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        steps = lambda out: [l for l in out.splitlines() if l.startswith("step ")]
        self.assertEqual(steps(first) + steps(resumed.stdout), steps(whole.stdout))
        tail = lambda out: out.split("step  120 /  120")[1]
        self.assertEqual(tail(resumed.stdout), tail(whole.stdout))
        self.assertEqual(json.loads((self.dir / "m.json").read_text())["config"]["task"], "reverse")

    def test_a_run_is_the_same_whatever_the_hash_seed(self):
        # str hashes change with PYTHONHASHSEED: a set or dict of words or
        # characters that decided an order would change the run, not its seed
        runs = []
        for hash_seed in ("1", "2"):
            with mock.patch.dict(os.environ, PYTHONHASHSEED=hash_seed):
                r = seq2seq("--task", "reverse", "words.txt", *TINY, "--out", f"h{hash_seed}.json",
                            cwd=self.dir)
            self.assertEqual(r.returncode, 0, r.stderr)
            runs.append((r.stdout, checkpoint.load(self.dir / f"h{hash_seed}.json")))
        self.assertEqual(runs[0][0], runs[1][0])                        # the losses, the scores
        assert_same_run(self, runs[0][1], runs[1][1])  # the vocabulary, the weights, Adam's moments

    def test_text_draws_the_cross_attention_and_eval_scores(self):
        seq2seq("--task", "reverse", "words.txt", *TINY, "--out", "m.json", cwd=self.dir)
        r = seq2seq("m.json", "--text", "emma", "--svg", "x.svg", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertRegex(lines[0], r"^emma -> [a-z]*$")
        header = lines[3].split()
        self.assertEqual(header, ["BOS", "e", "m", "m", "a"])            # columns: the source
        written = len(lines[0].split(" -> ")[1])
        rows = lines[4:lines.index("", 4)]
        self.assertEqual(len(rows), min(written + 1, 6))                 # one row per character written
        self.assertEqual(lines[-2:], heatmap_key("cross"))              # then the key
        self.assertIn("cross-attention, layer 0, head 1", (self.dir / "x.svg").read_text())
        r = seq2seq("m.json", "--eval", "words.txt", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"accuracy on words.txt: exact match \d+\.\d% \(\d of 9\)")
        r = run(ROOT / "examples" / "cross_attention_diagonal.py", "m.json", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^\d+ of \d+ output characters \(\d+\.\d%\) weigh source")

    def test_inspect_draws_the_three_kinds_of_attention(self):
        seq2seq("pairs.txt", *TINY, "--n-layer", "2", "--out", "m.json", cwd=self.dir)
        r = run("-m", "microgpt", "inspect", "m.json", "emma", "--layer", "1", "--head", "0",
                "--svg", "m.svg", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        titles = [l for l in r.stdout.splitlines() if l.startswith("layer ")]
        self.assertEqual([t.split(",")[2].split(":")[0].strip() for t in titles],
                         ["encoder self-attention", "decoder self-attention", "cross-attention"])
        self.assertTrue(all(t.startswith("layer 1, head 0") for t in titles))
        for kind in ("encoder", "decoder", "cross"):                      # each kind's key, once
            self.assertEqual(r.stdout.count("\n".join("  " + l for l in heatmap_key(kind))), 1)
        self.assertIn("look for: each row (a character written) sums to 1 over the source", r.stdout)
        self.assertIn("Q from the decoder, K and V from the encoder's output", r.stdout)
        blocks = r.stdout.split("\n\n")
        encoder = next(b for b in blocks if "encoder self-attention" in b)
        decoder = next(b for b in blocks if "decoder self-attention" in b)
        self.assertNotIn("·", encoder)                                   # full: no mask
        self.assertIn("·", decoder)                                      # the triangle
        self.assertEqual(len(encoder.splitlines()), 2 + 5)               # title, header, BOS e m m a
        self.assertEqual((self.dir / "m.svg").read_text().count("<text") > 20, True)

    def test_mistakes_are_one_line_errors(self):
        (self.dir / "bad.txt").write_text("emma\tamme\nava ava\n")
        (self.dir / "empty.txt").write_text("\n")
        seq2seq("pairs.txt", *TINY, "--out", "m.json", cwd=self.dir)
        run("-m", "microgpt", "classify", "pairs.txt", "words.txt", *TINY, "--out", "c.json",
            cwd=self.dir)
        cases = [
            ([], "give a file of source<TAB>target lines, or --task"),
            (["bad.txt"], "bad.txt, line 2: expected source<TAB>target"),
            (["empty.txt"], "no pairs"),
            (["--task", "reverse", "empty.txt"], "no documents"),
            (["nope.txt"], "no such file"),
            (["--task", "shout"], "invalid choice"),
            (["pairs.txt", "--block-size", "3"], "block-size 3"),
            (["pairs.txt", "--norm", "layernorm"], "does not apply to the encoder-decoder"),
            (["pairs.txt", "--val-fraction", "0.99"], "leaves none to train on"),
            (["pairs.txt", "--svg", "x.svg"], "--svg draws the cross-attention of --text"),
            (["m.json", "--text", "QQ"], "not in the vocabulary"),
            (["m.json", "--text", "emmaemmaemma"], "too long"),
            (["m.json", "pairs.txt", "--text", "emma"], "unrecognized arguments: pairs.txt"),
            (["m.json", "--text", "emma", "--steps", "3"], "take no training flags"),
            (["m.json", "--eval", "bad.txt"], "line 2"),
            (["c.json", "--text", "emma"], "classifier's checkpoint, not an encoder-decoder's"),
            (["--resume", "c.json"], "not an encoder-decoder's"),
            (["--resume", "m.json"], "is finished"),
            (["--resume", "m.json", "--steps", "9", "--lr", "0.5"], "differs from the checkpoint"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                assert_one_line_error(self, seq2seq(*args, cwd=self.dir), pattern)
        for cmd in (["-m", "microgpt.sample", "m.json"], ["-m", "microgpt.train", "--resume", "m.json"],
                    ["-m", "microgpt", "classify", "m.json", "--text", "emma"]):
            with self.subTest(cmd=cmd):
                assert_one_line_error(self, run(*cmd, cwd=self.dir), "seq2seq")


if __name__ == "__main__":
    unittest.main()
