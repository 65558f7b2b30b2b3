"""BERT's recipe: the masking rule written again from the paper's words and
counted over many documents, the run's random stream replayed by hand,
the classifier started from the encoder (its weights, its new rows and
head drawn in the documented order), resumes bit-identical, inspect on a
MASK, and every mistake one line. (The loss against PyTorch and finite
differences: tests/test_encoder.py.)"""
import random
import tempfile
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.architectures import bert, mlm
from microgpt.config import Config
from microgpt.plumbing import checkpoint
from microgpt.plumbing.corpus import find_bundled, load_docs
from microgpt.tokenizer import Tokenizer
from microgpt.training import start_planned, train_step
from tests.support import assert_one_line_error, interrupted, run, train

MLM = Config(model="mlm", causal_mask=False, n_embd=8, n_head=2, block_size=10, steps=6)


def bert_rule(ids, rng, vocab_size):
    """The rule as the module docstring says it, written again: shuffle
    positions 1..T-1, take the first max(1, round(0.15 n)); for each, 80%
    MASK, else half kept, half a random token other than BOS."""
    order = list(range(1, len(ids)))
    rng.shuffle(order)
    chosen = order[:max(1, round(0.15 * len(order)))]
    out = list(ids)
    for pos in chosen:
        if rng.random() < 0.8:
            out[pos] = vocab_size
        elif not rng.random() < 0.5:
            out[pos] = rng.randrange(vocab_size - 1)
    return out, [(pos, ids[pos]) for pos in sorted(chosen)]


class MaskingTest(unittest.TestCase):
    def test_the_rule_as_written(self):
        tok = Tokenizer.from_docs(load_docs(find_bundled("medical_words.txt")))
        for seed in range(3):
            mine, theirs = random.Random(seed), random.Random(seed)
            for word in load_docs(find_bundled("medical_words.txt"))[:300]:
                ids = ([tok.bos] + tok.encode(word))[:12]
                self.assertEqual(mlm.mask(ids, mine, tok.vocab_size),
                                 bert_rule(ids, theirs, tok.vocab_size))

    def test_counts_and_shares_over_many_documents(self):
        """15% of each document's positions (at least one, never BOS); of the
        chosen, about 80% MASK, 10% random, 10% kept."""
        rng, vocab = random.Random(0), 30
        masked = kept = other = 0
        for n in range(1, 40):
            for _ in range(400):
                ids = [vocab - 1] + [rng.randrange(vocab - 1) for _ in range(n)]
                out, chosen = mlm.mask(ids, rng, vocab)
                self.assertEqual(len(chosen), max(1, round(0.15 * n)))
                self.assertEqual(out[0], vocab - 1)
                self.assertTrue(all(out[p] == ids[p] for p in range(len(ids))
                                    if p not in dict(chosen)))
                for pos, original in chosen:
                    masked += out[pos] == vocab
                    kept += out[pos] == original
                    other += out[pos] not in (vocab, original)
                    self.assertNotEqual(out[pos], vocab - 1)  # never BOS
        total = masked + kept + other
        self.assertAlmostEqual(masked / total, 0.8, delta=0.01)
        # a random token is the original one time in vocab - 1
        self.assertAlmostEqual(other / total, 0.1 * (1 - 1 / (vocab - 1)), delta=0.01)
        self.assertAlmostEqual(kept / total, 0.1 + 0.1 / (vocab - 1), delta=0.01)


class RunTest(unittest.TestCase):
    def test_the_random_stream_shuffle_masks_weights(self):
        docs = load_docs(find_bundled("names.txt"))[:50]
        examples, state = start_planned(mlm.plan(docs, MLM))
        rng = random.Random(MLM.seed)
        order = list(docs)
        rng.shuffle(order)
        tok = Tokenizer.from_docs(docs)
        want = [bert_rule(([tok.bos] + tok.encode(d))[:10], rng, tok.vocab_size) for d in order]
        self.assertEqual(examples, want)                       # no split: every document
        self.assertEqual(state.params["wte"][0][0].data, rng.gauss(0, 0.08))  # the weights next
        self.assertEqual(list(state.params)[:4], ["wte", "wte_mask", "wpe", "lm_head"])

    def test_the_classifier_starts_from_the_encoder(self):
        words = ["fever", "rash", "cough", "otitis", "angina"]
        names = ["emma", "zoë", "ava", "liam"]                  # ë: a new character
        pretraining, encoder = start_planned(mlm.plan(words + ["emma", "ava"], MLM))
        for _ in range(3):
            train_step(encoder, pretraining)
        examples, state, new = mlm.classifier_from(encoder, [names, words], {"seed": 4,
                                                                              "val_fraction": 0.25})
        self.assertEqual(new, ["l", "z", "ë"])                  # sorted by code point
        self.assertEqual(list(state.params)[:3], ["wte", "wpe", "cls_head"])
        self.assertNotIn("wte_mask", state.params)
        data = lambda m: [[p.data for p in row] for row in m]
        n = len(encoder.tokenizer.chars)
        rng = random.Random(4)
        rng.shuffle(bert.labelled([names, words]))               # the pairs' shuffle first
        new_rows = [[rng.gauss(0, 0.08) for _ in range(8)] for _ in new]
        head = [[rng.gauss(0, 0.08) for _ in range(8)] for _ in range(2)]
        self.assertEqual(data(state.params["wte"]),
                         data(encoder.params["wte"])[:n] + new_rows + data(encoder.params["wte"])[n:])
        self.assertEqual(data(state.params["cls_head"]), head)
        for name in ("wpe", "layer0.attn_wq", "layer0.mlp_fc2"):
            self.assertEqual(data(state.params[name]), data(encoder.params[name]))
        self.assertEqual((state.config.model, state.config.n_class, state.step), ("classifier", 2, 0))
        self.assertEqual(len(examples), 7)                        # 9 pairs, round(2.25) held out


class CommandsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.folder = Path(cls._tmp.name)
        cls.names = cls.folder / "names.txt"
        cls.names.write_text("\n".join(load_docs(find_bundled("names.txt"))[:60]) + "\n",
                             encoding="utf-8")
        cls.words = cls.folder / "words.txt"
        cls.words.write_text("\n".join(load_docs(find_bundled("medical_words.txt"))[:60]) + "\n",
                             encoding="utf-8")
        cls.encoder = cls.folder / "enc.json"
        made = run("-m", "microgpt", "mlm", cls.names, cls.words, "--steps", "4", "--n-embd", "8",
                   "--n-head", "2", "--out", cls.encoder)
        assert made.returncode == 0, made.stderr

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_the_recipe_from_the_command_line(self):
        result = run("-m", "microgpt", "classify", self.names, self.words, "--init", self.encoder,
                     "--steps", "3")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("starting from the weights of", result.stderr)
        self.assertRegex(result.stdout, r"held-out accuracy: \d+\.\d% \(\d+ of 12\)")
        self.assertIn("confusion matrix", result.stdout)

    def test_stopped_and_resumed_is_bit_identical(self):
        for command, args in (("mlm", [self.names, self.words, "--n-embd", "8", "--n-head", "2"]),
                              ("classify", [self.names, self.words, "--init", self.encoder])):
            with self.subTest(command=command):
                whole, half = self.folder / f"{command}_whole.json", self.folder / f"{command}_half.json"
                straight = run("-m", "microgpt", command, *args, "--steps", "6", "--out", whole)
                self.assertEqual(straight.returncode, 0, straight.stderr)
                first, err, status = interrupted(command, [*args, "--steps", "6", "--out", half],
                                                 self.folder, 3)
                self.assertEqual(status, 130, err)
                resumed = run("-m", "microgpt", command, "--resume", half)
                self.assertEqual(resumed.returncode, 0, resumed.stderr)
                self.assertEqual(whole.read_text(encoding="utf-8"), half.read_text(encoding="utf-8"))
                steps = lambda out: [l for l in out.splitlines() if l.startswith(("step", "held-out"))]
                self.assertEqual(steps(first) + steps(resumed.stdout), steps(straight.stdout))
                self.assertEqual(checkpoint.load(half).init_name,
                                 str(self.encoder) if command == "classify" else "")

    def test_inspect_shows_what_a_masked_position_attends_to(self):
        result = run("-m", "microgpt", "inspect", self.encoder, "emm[MASK]")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"\n *MASK +\S")              # the MASK query's row
        self.assertRegex(result.stdout, r"\n  at 4 MASK: \S+ \d\.\d\d")  # its fill-in guesses

    def test_mistakes_are_one_line(self):
        gpt = self.folder / "gpt.json"
        train(self.names, "--steps", "1", "--num-samples", "1", "--out", gpt)
        cases = [
            (run("-m", "microgpt", "mlm", self.names, "--causal-mask", "on"),
             r"sees the whole document: --causal-mask off"),
            (run("-m", "microgpt", "mlm", self.names, "--tokenizer", "bpe"), r"does not apply"),
            (run("-m", "microgpt", "mlm", "--resume", gpt), r"holds a gpt model, not a masked"),
            (run("-m", "microgpt.sample", self.encoder), r"is a masked language model's checkpoint, .*\(python -m microgpt inspect .*MASK"),
            (train(self.names, "--resume", self.encoder),
             r"is a masked language model's checkpoint, .*\(python -m microgpt mlm --resume"),
            (train(self.names, "--model", "mlm"), r"fill in masked characters: python -m microgpt mlm"),
            (run("-m", "microgpt", "classify", self.names, self.words, "--init", self.encoder,
                 "--n-layer", "2"), r"--n-layer 2 would change the model of"),
            (run("-m", "microgpt", "inspect", self.encoder, "em[MASK]#"), r"not in the vocabulary: '#'"),
        ]
        for result, pattern in cases:
            with self.subTest(pattern=pattern):
                assert_one_line_error(self, result, pattern)


if __name__ == "__main__":
    unittest.main()
