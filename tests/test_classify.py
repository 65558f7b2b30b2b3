"""The commands of masks and the encoder as a learner runs them: classify
(training, --text, --eval, resume, every listed mistake), train --pad-to and
--causal-mask off, inspect on a classifier."""
import json
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.plumbing import recipes
from tests.support import assert_one_line_error, interrupted, run, train

TINY = ["--steps", "6", "--n-embd", "8", "--n-head", "2", "--block-size", "8"]
NAMES = "emma\nava\nmia\nzoe\nolivia\nliam\nnoah\nivy\nlily\nanna\n"
WORDS = "fever\ncough\nrash\nflu\nasthma\nmigraine\nangina\ncolic\nacne\ngout\n"


def classify(*args, **kw):
    return run("-m", "microgpt", "classify", *args, **kw)


class ClassifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):  # the classifier the tests of a saved one read, trained once
        cls.trained = Path(tempfile.mkdtemp())
        (cls.trained / "names.txt").write_text(NAMES)
        (cls.trained / "words.txt").write_text(WORDS)
        made = classify("names.txt", "words.txt", *TINY, "--out", "m.json", cwd=cls.trained)
        assert made.returncode == 0, made.stderr

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        (self.dir / "names.txt").write_text(NAMES)
        (self.dir / "words.txt").write_text(WORDS)

    def saved_classifier(self):
        """m.json in this test's folder: the classifier trained once for the class."""
        shutil.copy(self.trained / "m.json", self.dir / "m.json")

    def test_trains_and_prints_accuracy_confusion_and_examples(self):
        r = classify("names.txt", "words.txt", *TINY, "--val-fraction", "0.2", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertIn("classes: names (10), words (10)", out)
        self.assertIn("num train: 16, num held out: 4", out)
        self.assertEqual(sum(line.startswith("step ") for line in out.splitlines()), 6)
        self.assertRegex(out, r"held-out accuracy: \d+\.\d% \(\d of 4\)")
        self.assertIn("confusion matrix (rows: true class, columns: predicted):", out)
        rows = out.split("true \\ predicted")[1].splitlines()[1:3]
        self.assertEqual(sum(int(n) for row in rows for n in row.split()[1:]), 4)
        self.assertEqual(len(out.split("some held-out documents:")[1].strip().splitlines()), 4)

    def test_interrupt_and_resume_is_bit_identical(self):
        args = ["names.txt", "words.txt", *TINY[2:], "--steps", "200"]
        whole = classify(*args, cwd=self.dir)
        first, err, status = interrupted("classify", [*args, "--out", "m.json"], self.dir, 10)
        self.assertEqual(status, 130, err)
        self.assertIn("saved to m.json", err)
        resumed = classify("--resume", "m.json", cwd=self.dir)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        steps = lambda out: [l for l in out.splitlines() if l.startswith("step ")]
        self.assertEqual(steps(first) + steps(resumed.stdout), steps(whole.stdout))
        tail = lambda out: out.split("step  200 /  200")[1]
        self.assertEqual(tail(resumed.stdout), tail(whole.stdout))
        self.assertEqual(json.loads((self.dir / "m.json").read_text())["classes"], ["names", "words"])

    def test_text_and_eval_use_a_saved_classifier(self):
        self.saved_classifier()
        r = classify("m.json", "--text", "fever", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        probs = [float(line.split()[1]) for line in r.stdout.splitlines()[1:]]
        self.assertEqual(len(probs), 2)
        self.assertAlmostEqual(sum(probs), 1.0, places=3)
        (self.dir / "more").mkdir()
        (self.dir / "more" / "words.txt").write_text("flu\nrash\n")
        r = classify("m.json", "--eval", "more/words.txt", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"accuracy on more/words.txt: \d+\.\d% \(\d of 2\)")

    def test_inspect_draws_full_matrices_and_the_classes(self):
        self.saved_classifier()
        r = run("-m", "microgpt", "inspect", "m.json", "flu", "--svg", "m.svg", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("no causal mask", r.stdout)
        self.assertNotIn("·", r.stdout)                          # no masked cell: no triangle
        self.assertIn("class probabilities", r.stdout)
        self.assertNotIn("#e8e8e8", (self.dir / "m.svg").read_text())   # no grey cell either

    def test_mistakes_are_one_line_errors(self):
        (self.dir / "empty.txt").write_text("\n")
        (self.dir / "sub").mkdir()
        (self.dir / "sub" / "names.txt").write_text("x\n")
        self.saved_classifier()
        train("names.txt", *TINY, "--out", "gpt.json", cwd=self.dir)
        cases = [
            (["names.txt"], "at least two files"),
            (["names.txt", "empty.txt"], "no documents"),
            (["names.txt", "names.txt"], "given twice"),
            (["names.txt", "./names.txt"], "given twice"),
            (["names.txt", "sub/names.txt"], "both name the class 'names'"),
            (["names.txt", "nope.txt"], "no such file"),
            (["names.txt", "words.txt", "--tokenizer", "bpe", "--vocab-size", "9"], "does not apply"),
            (["names.txt", "words.txt", "--pad-to", "99"], "--pad-to must be"),
            (["names.txt", "words.txt", "--no-padding-mask"], "needs --pad-to"),
            (["m.json", "--text", "QQ"], "characters not in the classifier's vocabulary: 'Q'"),
            (["m.json", "words.txt", "--text", "flu"], "one checkpoint"),
            (["gpt.json", "--text", "flu"], "not a classifier's"),
            (["m.json", "--eval", "empty.txt"], "no documents"),
            (["m.json", "--eval", "sub/names.txt"], "not in the classifier's vocabulary"),
            (["--resume", "gpt.json"], "not a classifier's"),
            (["--resume", "m.json", "names.txt", "words.txt"], "is finished"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                assert_one_line_error(self, classify(*args, cwd=self.dir), pattern)
        for cmd in (["-m", "microgpt.sample", "m.json"], ["-m", "microgpt.train", "--resume", "m.json"]):
            assert_one_line_error(self, run(*cmd, cwd=self.dir), "classif")


class TrainMasksTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        (self.dir / "names.txt").write_text(NAMES)

    def losses(self, *args):
        r = train("names.txt", *TINY, "--num-samples", "2", *args, cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [l for l in r.stdout.splitlines() if l.startswith("step ")]

    def test_pad_to_with_the_mask_prints_the_unpadded_run_without_it_differs(self):
        for mask in ([], ["--causal-mask", "off"]):
            plain = self.losses(*mask)
            self.assertEqual(self.losses(*mask, "--pad-to", "7"), plain)
            self.assertEqual(self.losses(*mask, "--pad-to", "8"), plain)
        # plain: the run with --causal-mask off, from the loop's last turn
        seven = self.losses("--causal-mask", "off", "--pad-to", "7", "--no-padding-mask")
        eight = self.losses("--causal-mask", "off", "--pad-to", "8", "--no-padding-mask")
        self.assertNotEqual(seven, plain)
        self.assertNotEqual(eight, seven)

    def test_causal_mask_off_is_saved_and_resumed_and_samples(self):
        r = train("names.txt", *TINY, "--causal-mask", "off", "--out", "m.json", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(json.loads((self.dir / "m.json").read_text())["config"]["causal_mask"])
        self.assertEqual(len([l for l in r.stdout.splitlines() if l.startswith("sample")]), 20)
        r = train("--resume", "m.json", "--steps", "8", "--causal-mask", "on", cwd=self.dir)
        assert_one_line_error(self, r, "--causal-mask on differs from the checkpoint's --causal-mask off")
        self.assertEqual(run("-m", "microgpt.sample", "m.json", "--num-samples", "2",
                             cwd=self.dir).returncode, 0)

    def test_flag_mistakes(self):
        assert_one_line_error(self, train("names.txt", "--causal-mask", "maybe", cwd=self.dir),
                              "expected on or off")
        assert_one_line_error(self, train("names.txt", "--no-padding-mask", cwd=self.dir),
                              "needs --pad-to")
        assert_one_line_error(self, train("names.txt", "--pad-to", "17", cwd=self.dir),
                              "--pad-to must be from 0 to --block-size")

    def test_compare_takes_the_masks_as_variants(self):
        self.assertEqual(recipes.parse_variant("no mask: --causal-mask off --pad-to 9 --no-padding-mask"),
                         ("no mask", {"causal_mask": False, "pad_to": 9, "padding_mask": False}))


if __name__ == "__main__":
    unittest.main()
