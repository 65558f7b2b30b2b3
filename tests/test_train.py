"""The train command: the golden reference run, other settings against the
naive one-file implementation, the bundled data, and every user mistake."""
import os
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import GOLDEN, NAIVE, NAMES, ROOT, assert_one_line_error, numbers, run, train


@unittest.skipUnless(NAMES.is_file() and GOLDEN.is_file(), "needs ../shared (reference data)")
class GoldenRunTest(unittest.TestCase):
    def test_default_run_prints_the_reference_numbers(self):
        """All 1000 losses and 20 samples of the reference run, digit for digit."""
        result = train(NAMES)
        self.assertEqual(result.returncode, 0, result.stderr)
        got, want = numbers(result.stdout), numbers(GOLDEN.read_text(encoding="utf-8"))
        self.assertEqual(len(want), 3 + 1000 + 20)
        self.assertEqual(got, want)
        # one line of ours after the reference's: the mean of the last 100 step lines' losses
        losses = [float(line.split()[-1]) for line in want if line.startswith("step")][-100:]
        last = result.stdout.splitlines()[-1]
        self.assertRegex(last, r"^mean loss of the last 100 steps: \d\.\d{4}$")
        self.assertAlmostEqual(float(last.split()[-1]), sum(losses) / 100, delta=1.1e-4)


class SameAsNaiveTest(unittest.TestCase):
    """Flags the golden file does not cover, checked against examples/naive_gpt.py,
    which follows the reference op for op (but is slow: keep runs short)."""

    def compare(self, path, *flags):
        want = run(NAIVE, path, *flags)
        self.assertEqual(want.returncode, 0, want.stderr)
        got = train(path, *flags)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(numbers(got.stdout), numbers(want.stdout))

    def test_two_layers_three_heads_short_block(self):
        data = ROOT / "data" / "names.txt"
        self.compare(data, "--steps", "12", "--n-layer", "2", "--n-embd", "12", "--n-head", "3",
                     "--block-size", "4", "--lr", "0.03", "--seed", "3", "--num-samples", "5",
                     "--temperature", "0.8")

    def test_a_graph_deeper_than_the_recursion_limit(self):
        # the naive file's recursive sort went past Python's 1000 calls here (RecursionError)
        data = ROOT / "data" / "names.txt"
        self.compare(data, "--steps", "1", "--n-layer", "2", "--n-embd", "64", "--block-size", "2",
                     "--num-samples", "1")

    def test_capitals_digits_underscores(self):
        path = Path(tempfile.mkdtemp()) / "handles.txt"
        path.write_text("\n".join(["Ada_Lovelace", "alan_turing42", "Grace_H", "x_1", "Z9",
                                   "  linus_T  ", "", "guido_v_R", "KEN_7", "dennis_R"]) + "\n",
                        encoding="utf-8")
        self.compare(path, "--steps", "15", "--n-embd", "8", "--n-head", "2", "--block-size", "8",
                     "--seed", "1234", "--num-samples", "6", "--temperature", "1.3")


class BundledDataTest(unittest.TestCase):
    def test_fresh_clone_runs_on_bundled_names(self):
        """From a folder with no names.txt, the bundled one is used and said so."""
        with tempfile.TemporaryDirectory() as folder:
            result = train("names.txt", "--steps", "3", "--num-samples", "3", cwd=folder)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("bundled", result.stderr)
        lines = numbers(result.stdout)
        self.assertEqual(lines[0], "num docs: 5163")
        self.assertEqual(len(lines), 3 + 3 + 3)

    def test_greedy_sampling_at_temperature_zero(self):
        result = train(ROOT / "data" / "names.txt", "--steps", "5", "--num-samples", "3",
                       "--temperature", "0")
        self.assertEqual(result.returncode, 0, result.stderr)
        samples = [line.split(":", 1)[1] for line in numbers(result.stdout) if line.startswith("sample")]
        self.assertEqual(len(set(samples)), 1)  # no randomness: every sample the same

    def test_truncation_is_reported_once(self):
        result = train(ROOT / "data" / "names.txt", "--steps", "1", "--num-samples", "1",
                       "--block-size", "6")
        self.assertEqual(result.returncode, 0, result.stderr)
        notes = [l for l in result.stderr.splitlines() if "truncated" in l]
        self.assertEqual(len(notes), 1)
        self.assertRegex(notes[0], r"\d+ of 5163 documents")


class EndOfRunTest(unittest.TestCase):
    """What train prints when it ends: the reference's lines, then the mean loss."""

    def mean_line(self, result, n):
        """Checks the last line is the mean of the last n step lines' losses."""
        self.assertEqual(result.returncode, 0, result.stderr)
        losses = [float(line.split()[-1]) for line in result.stdout.splitlines()
                  if line.startswith("step ")]
        last = result.stdout.splitlines()[-1]
        self.assertRegex(last, rf"^mean loss of the last {n} steps?: \d+\.\d{{4}}$")
        self.assertAlmostEqual(float(last.split()[-1]), sum(losses[-n:]) / n, delta=1.1e-4)

    def test_mean_of_every_step_when_fewer_than_100(self):
        result = train(ROOT / "data" / "names.txt", "--steps", "7", "--num-samples", "2",
                       "--n-embd", "8", "--n-head", "2")
        self.mean_line(result, 7)
        self.assertEqual(len(numbers(result.stdout)), 3 + 7 + 2)  # the reference's lines intact

    def test_mean_of_the_last_100_steps(self):
        result = train(ROOT / "data" / "names.txt", "--steps", "130", "--num-samples", "1",
                       "--n-embd", "4", "--n-head", "1", "--block-size", "4")
        self.mean_line(result, 100)

    def test_no_samples_no_inference_header(self):
        result = train(ROOT / "data" / "names.txt", "--steps", "3", "--num-samples", "0",
                       "--n-embd", "8", "--n-head", "2")
        self.mean_line(result, 3)
        self.assertNotIn("inference", result.stdout)
        self.assertFalse([l for l in result.stdout.splitlines() if l.startswith("sample")])
        self.assertEqual(len([l for l in result.stdout.splitlines() if l.startswith("step")]), 3)


class BadInputTest(unittest.TestCase):
    """Each user mistake: exit status 2, one line on stderr, no traceback."""

    def test_bad_files(self):
        folder = Path(tempfile.mkdtemp())
        (folder / "empty.txt").write_text("", encoding="utf-8")
        (folder / "blank.txt").write_text("\n   \n\t\n", encoding="utf-8")
        (folder / "latin1.txt").write_bytes("emma\nzo\xeb\n".encode("latin-1"))
        cases = {
            "missing.txt": "no such file",
            str(folder): "is a directory",
            "empty.txt": "no documents",
            "blank.txt": "no documents",
            "latin1.txt": r"not UTF-8.*0xeb at line 2, column 3",
        }
        for name, pattern in cases.items():
            with self.subTest(file=name):
                assert_one_line_error(self, train(name, "--steps", "1", cwd=folder), pattern)

    @unittest.skipIf(hasattr(os, "geteuid") and os.geteuid() == 0, "root can read any file")
    def test_unreadable_file(self):
        path = Path(tempfile.mkdtemp()) / "secret.txt"
        path.write_text("emma\n", encoding="utf-8")
        path.chmod(0)
        assert_one_line_error(self, train(path), "permission denied")

    def test_bad_flags(self):
        data = str(ROOT / "data" / "names.txt")
        cases = [
            (["--n-embd", "10", "--n-head", "4"], "divisible"),
            (["--steps", "0"], "--steps: must be at least 1"),
            (["--steps", "-5"], "--steps"),
            (["--block-size", "0"], "--block-size"),
            (["--n-embd", "0"], "--n-embd"),
            (["--n-head", "0"], "--n-head"),
            (["--n-layer", "0"], "--n-layer"),
            (["--num-samples", "-1"], "--num-samples"),
            (["--steps", "ten"], "expected a whole number, got 'ten'"),
            (["--lr", "fast"], "expected a number"),
            (["--lr", "0"], "--lr"),
            (["--lr", "nan"], "finite"),
            (["--temperature", "-0.5"], "--temperature"),
            (["--epochs", "3"], "unrecognized arguments: --epochs"),
        ]
        for flags, pattern in cases:
            with self.subTest(flags=flags):
                assert_one_line_error(self, train(data, *flags), pattern)


if __name__ == "__main__":
    unittest.main()
