"""A flag is used or refused, never accepted and then ignored: a flag a
command cannot honour, one that does not apply in the mode asked for, and
an option given twice (or a repeatable one given the same value twice)
each end in one line, status 2, before any work."""
import os
import tempfile
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import BUNDLED_NAMES, assert_one_line_error, run

M = ("-m", "microgpt")


class FlagsUsedTest(unittest.TestCase):
    def refused(self, args, pattern):
        with tempfile.TemporaryDirectory() as folder:
            result = run(*args, cwd=folder, timeout=60)
            assert_one_line_error(self, result, pattern)
            self.assertEqual(os.listdir(folder), [], "nothing written")

    def test_a_flag_the_command_cannot_honour(self):
        for args, pattern in (
                ((*M, "seq2seq", "--task", "copy", "--model", "lstm"),
                 "--model lstm does not apply to the encoder-decoder"),
                ((*M, "seq2seq", "--task", "copy", "--model", "seq2seq"), "--model seq2seq does not apply"),
                ((*M, "classify", BUNDLED_NAMES, "surnames.txt", "--model", "lstm"),
                 "--model lstm does not apply to the classifier"),
                ((*M, "compare", "--steps", "2", "--eval-every", "1"), "--eval-every 1 does not apply"),
                ((*M, "compare", "--steps", "2", "--variant", "x: --eval-every 1"), "--eval-every does not apply"),
                ((*M, "inspect", "emma", "--train-steps", "2", "--eval-every", "1"),
                 "--eval-every 1 does not apply to inspect"),
                (("-m", "microgpt.train", "--steps", "2", "--eval-every", "1"),
                 r"--eval-every 1 prints the held-out loss: it needs a held-out split"),
                ((*M, "seq2seq", "--task", "copy", "--val-fraction", "0", "--eval-every", "1"),
                 r"--eval-every 1 .* needs a held-out split")):
            with self.subTest(args=args[1:]):
                self.refused(args, pattern)

    def test_a_flag_that_does_not_apply_in_the_mode_asked_for(self):
        for args, pattern in (
                ((*M, "longrange", "--write", "r.txt", "--gaps", "2,4"), "--gaps does not apply with --write"),
                ((*M, "longrange", "--write", "r.txt", "--models", "gpt"), "--models does not apply with --write"),
                ((*M, "longrange", "--write", "r.txt", "--svg", "x.svg"), "--svg does not apply with --write"),
                ((*M, "longrange", "--write", "r.txt", "--eval-docs", "5"), "--eval-docs does not apply"),
                ((*M, "longrange", "--count", "5"), "--count go with --write"),
                ((*M, "size", "--untied", "--tie-weights"), "--untied goes with --preset"),
                ((*M, "size", "--preset", "gpt2", "--n-embd", "8"), "--n-embd does not apply with --preset"),
                ((*M, "size", "--preset", "gpt2", "--tie-weights"), "--tie-weights does not apply"),
                ((*M, "bench", "--reference-python", "python3"), "--reference-python goes with --reference"),
                ((*M, "bench", "--block-sizes", "4,8", "--full"), "--full does not apply with --block-sizes"),
                (("-m", "microgpt.sample", "m.json", "--temperature", "0", "--top-k", "3"),
                 "--top-k does not apply with --temperature 0")):
            with self.subTest(args=args[1:]):
                self.refused(args, pattern)

    def test_an_option_given_twice(self):
        for args, pattern in (
                (("-m", "microgpt.train", "--steps", "2", "--steps", "3"), "--steps given twice"),
                (("-m", "microgpt.train", "--tie-weights", "--tie-weights"), "--tie-weights given twice"),
                ((*M, "classify", "c.json", "--text", "a", "--text", "b"), "--text given twice"),
                ((*M, "classify", "c.json", "--eval", "a.txt", "--eval", "b.txt"), "--eval given twice"),
                ((*M, "inspect", "m.json", "--ablate", "0.1", "--ablate", "0.1"),
                 "--ablate given twice with the same value"),
                ((*M, "explore", "m.json", "--html", "p.html", "--text", "emma", "--text", "emma"),
                 "--text given twice with the same value"),
                ((*M, "compare", "--variant", "a: --lr 0.1 --lr 0.2"), "--lr given twice"),
                ((*M, "scale", "--keys", "4", "--keys", "5"), "--keys given twice")):
            with self.subTest(args=args[1:]):
                self.refused(args, pattern)

    def test_a_repeatable_option_with_distinct_values_is_used(self):
        with tempfile.TemporaryDirectory() as folder:
            made = run("-m", "microgpt.train", BUNDLED_NAMES, "--steps", "2", "--n-embd", "8",
                       "--n-head", "2", "--num-samples", "1", "--out", "m.json", cwd=folder)
            self.assertEqual(made.returncode, 0, made.stderr)
            result = run(*M, "inspect", "m.json", "--ablate", "0.0", "--ablate", "0.1", cwd=folder)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertRegex(result.stdout, r"0\.0")
            self.assertRegex(result.stdout, r"0\.1")


if __name__ == "__main__":
    unittest.main()
