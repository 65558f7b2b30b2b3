"""What the commands say about themselves agrees with what they do:
`python -m microgpt` lists them, every --help ends with the exit statuses,
gradcheck's --help shows the model it builds and only the flags that change
a gradient, the docs' flag table lists every sample flag, an empty sample
looks the same everywhere, counts of one are singular, and the examples end
in one line on a file they cannot read."""
import re
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import microgpt.__main__
from microgpt.plumbing import cli
from tests.support import BUNDLED_NAMES, ROOT, assert_one_line_error, help_of, run, train

COMMANDS = tuple(name for name, _, _ in microgpt.__main__.COMMANDS)
TINY = ("--n-embd", "8", "--n-head", "2")


def flat(text):
    return " ".join(text.split())


class HelpTest(unittest.TestCase):
    def test_the_package_lists_its_commands(self):
        result = run("-m", "microgpt")
        self.assertEqual(result.returncode, 0, result.stderr)
        listed = re.findall(r"python -m microgpt (\w+) ", result.stdout)
        self.assertEqual(tuple(listed), COMMANDS)

    def test_every_help_ends_with_the_exit_statuses(self):
        for command in COMMANDS:
            with self.subTest(command=command):
                result = help_of(command)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertTrue(flat(result.stdout).endswith(flat(cli.EXIT_STATUSES)),
                                result.stdout[-300:])

    def test_gradcheck_help_shows_its_model_and_only_the_flags_that_change_a_gradient(self):
        text = flat(help_of("gradcheck").stdout)
        for flag, default in (("--n-embd", 8), ("--n-head", 2), ("--block-size", 8)):
            self.assertRegex(text, rf"{flag} \w+ [^-]*\(default {default}\)")
        for flag in ("--steps", "--lr", "--schedule", "--warmup", "--val-fraction", "--eval-every"):
            self.assertNotIn(flag + " ", text)
            assert_one_line_error(self, run("-m", "microgpt", "gradcheck", flag, "1"),
                                  "unrecognized arguments")
        self.assertIn("--label-smoothing", text)
        self.assertIn("--batch-size", text)

    def test_the_docs_sample_table_lists_every_sample_flag(self):
        flags = set(re.findall(r"^ +(--[a-z-]+)", run("-m", "microgpt.sample", "--help").stdout,
                               re.MULTILINE))
        table = (ROOT / "docs" / "training.md").read_text(encoding="utf-8")
        table = table[table.index("`python -m microgpt.sample model.json` flags:"):]
        table = table[:table.index("\n\n", table.index("| flag |"))]
        self.assertEqual(set(re.findall(r"`(--[a-z-]+)", table)), flags - {"--help"})


class OutputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.folder = Path(cls._tmp.name)
        cls.data = cls.folder / "few.txt"
        cls.data.write_bytes(BUNDLED_NAMES.read_bytes()[:3000])

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_params_prints_on_stdout_after_num_params(self):
        result = train(self.data, "--steps", "1", *TINY, "--params", "--num-samples", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(lines[2].startswith("num params"))
        self.assertIn("wte", "\n".join(lines[3:6]))
        self.assertNotIn("wte", result.stderr)

    def test_an_empty_sample_looks_the_same_in_every_command(self):
        """At temperature 100 the first draw is BOS about once in 27 samples."""
        model = self.folder / "hot.json"
        trained = train(self.data, "--steps", "1", *TINY, "--temperature", "100",
                        "--num-samples", "200", "--out", model)
        sampled = run("-m", "microgpt.sample", model, "--seed", "1", "--temperature", "100",
                      "--num-samples", "200")
        for result in (trained, sampled):
            self.assertEqual(result.returncode, 0, result.stderr)
            samples = [re.sub(r"  \((new|in training data)\)$", "", l.split(":", 1)[1][1:])
                       for l in result.stdout.splitlines() if l.startswith("sample")]
            self.assertEqual(len(samples), 200)
            self.assertIn("(empty)", samples)
            self.assertNotIn("", samples)

    def test_one_step_is_singular(self):
        result = train(self.data, "--steps", "1", *TINY, "--num-samples", "1")
        self.assertRegex(result.stderr, r"trained 1 step in ")

    def test_the_examples_end_in_one_line_on_a_missing_file(self):
        missing = self.folder / "missing.txt"
        for example in ("own_dataset.py", "naive_gpt.py", "attention_emma.py"):
            with self.subTest(example=example):
                assert_one_line_error(self, run(ROOT / "examples" / example, missing),
                                      rf"^{example}: error: .*missing.txt: (?i:no such file)")


if __name__ == "__main__":
    unittest.main()
