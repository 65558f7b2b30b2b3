"""Checkpoints: save, Ctrl-C, resume bit-identical; the sample command; bad input."""
import json
import os
import random
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.plumbing import checkpoint
from microgpt.config import Config
from microgpt.architectures.catalog import start
from microgpt.training import train_step
from tests.support import (BUNDLED_NAMES, GOLDEN, NAMES, assert_one_line_error, assert_same_run,
                           interrupted_at, numbers, run, train)

SEED = 20261123  # the interrupt steps are drawn from this: a failure can be rerun exactly


def interrupted_then_resumed(data, stops, folder, *flags):
    """Run training with --out, SIGINT it once step stops[0] is printed; resume
    it, SIGINT it again at each later stop; then resume it to the end.

    Returns ([(stdout, exit status, stderr) of each interrupted run], stdout of the last run).
    """
    out = Path(folder) / "model.json"
    parts = []
    for k, stop_after in enumerate(stops):
        start = ("--resume", out) if k else ("--out", out)
        stdout, err, status = interrupted_at(stop_after, "-m", "microgpt.train", data, *start, *flags,
                                             cwd=folder)
        parts.append((stdout, status, err))
    resumed = train(data, "--resume", out, *flags, cwd=folder)
    assert resumed.returncode == 0, resumed.stderr
    return parts, resumed.stdout


def merged(interrupted, resumed):
    """The figures of a run interrupted (once or more: the stdouts) followed by
    those of its last resumption."""
    header = numbers(interrupted[0])[:3]
    steps = [l for text in interrupted for l in numbers(text) if l.startswith("step")]
    return header + steps + [l for l in numbers(resumed) if l.startswith(("step", "sample"))]


class ResumeTest(unittest.TestCase):
    def test_interrupt_and_resume_equals_uninterrupted_run(self):
        # stopped at the first step, then the resumed run stopped again: the signal lands at
        # least 200 steps before the end, so a fast engine (PyPy runs a step in about a
        # millisecond) cannot finish the run before it arrives
        flags = ("--steps", "300", "--num-samples", "5")
        stops = (1, random.Random(SEED).randint(3, 100))  # past the 1 or 2 steps the first saved
        with tempfile.TemporaryDirectory() as folder:
            whole = numbers(train(BUNDLED_NAMES, *flags, cwd=folder).stdout)
            parts, resumed = interrupted_then_resumed(BUNDLED_NAMES, stops, folder, *flags)
            for stop_after, (_, status, err) in zip(stops, parts):
                with self.subTest(stop_after=stop_after):
                    self.assertEqual(status, 130)
                    self.assertIn("model.json", err)
                    self.assertNotIn("Traceback", err)
            self.assertEqual(merged([out for out, _, _ in parts], resumed), whole)

    @unittest.skipUnless(NAMES.is_file() and GOLDEN.is_file(), "needs ../shared (reference data)")
    def test_interrupted_default_run_still_prints_the_golden_numbers(self):
        # one run stopped twice: in the first half, and once resumed, in the second
        want = numbers(GOLDEN.read_text(encoding="utf-8"))
        rng = random.Random(SEED)
        stops = (rng.randint(1, 499), rng.randint(500, 999))
        with tempfile.TemporaryDirectory() as folder:
            parts, resumed = interrupted_then_resumed(NAMES, stops, folder)
        self.assertEqual([status for _, status, _ in parts], [130, 130])
        self.assertEqual(merged([out for out, _, _ in parts], resumed), want)

    def test_save_load_round_trip_is_exact(self):
        docs, state = start(["emma", "olivia", "ava", "isabella"], Config(steps=5, n_embd=8, n_head=2))
        for _ in range(3):
            train_step(state, docs)
        path = Path(tempfile.mkdtemp()) / "m.json"
        checkpoint.save(state, path)
        back = checkpoint.load(path)
        assert_same_run(self, back, state)
        self.assertEqual(back.rng.random(), state.rng.random())
        self.assertEqual(sorted(os.listdir(path.parent)), ["m.json"])  # no temporary left


class SampleCommandTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp()
        cls.model = Path(cls.folder) / "model.json"
        result = train(BUNDLED_NAMES, "--steps", "60", "--num-samples", "5", "--out", cls.model)
        assert result.returncode == 0, result.stderr
        cls.train_samples = [l for l in numbers(result.stdout) if l.startswith("sample")]

    def sample(self, *flags):
        return run("-m", "microgpt.sample", self.model, *flags, cwd=self.folder)

    def texts(self, result):
        self.assertEqual(result.returncode, 0, result.stderr)
        return [line.split(": ", 1)[1].split("  (")[0] for line in result.stdout.splitlines()]

    def test_continues_the_training_runs_samples(self):
        result = self.sample("--num-samples", "5", "--data", BUNDLED_NAMES)
        got = [line.split("  (")[0] for line in result.stdout.splitlines()]
        self.assertEqual(got, self.train_samples)
        self.assertTrue(all(line.endswith(("(new)", "(in training data)"))
                            for line in result.stdout.splitlines()))

    def test_prefix(self):
        texts = self.texts(self.sample("--prefix", "em", "--seed", "3", "--num-samples", "8"))
        self.assertEqual(len(texts), 8)
        self.assertTrue(all(t.startswith("em") for t in texts), texts)

    def test_seed_top_k_top_p_and_greedy(self):
        a = self.texts(self.sample("--seed", "7", "--num-samples", "6"))
        self.assertEqual(a, self.texts(self.sample("--seed", "7", "--num-samples", "6")))
        greedy = self.texts(self.sample("--temperature", "0", "--num-samples", "3"))
        self.assertEqual(len(set(greedy)), 1)
        self.assertEqual(self.texts(self.sample("--top-k", "1", "--seed", "1", "--num-samples", "3")),
                         greedy)
        self.assertEqual(self.texts(self.sample("--top-p", "1e-9", "--seed", "2", "--num-samples", "3")),
                         greedy)
        self.assertEqual(len(self.texts(self.sample("--top-k", "3", "--top-p", "0.8", "--seed", "5"))), 20)


class BadCheckpointTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):  # a good checkpoint, which the tests read and never change
        cls._folder = tempfile.TemporaryDirectory()
        cls.good = Path(cls._folder.name) / "good.json"
        result = train(BUNDLED_NAMES, "--steps", "2", "--num-samples", "1", "--out", cls.good)
        assert result.returncode == 0, result.stderr

    @classmethod
    def tearDownClass(cls):
        cls._folder.cleanup()

    def test_resume_may_change_only_what_moves_no_training_number(self):
        _, state = start(["emma", "ava"], Config(steps=4, n_embd=8, n_head=2))
        for given in ({"eval_every": 5}, {"temperature": 1.0, "num_samples": 3}, {"steps": 9}):
            checkpoint.check_resume(state, given, "m.json", "d.txt", state.data_sha256)
        with self.assertRaisesRegex(checkpoint.CheckpointError,
                                    "--no-residual differs from the checkpoint's --residual;"):
            checkpoint.check_resume(state, {"residual": False}, "m.json", "d.txt", state.data_sha256)

    def test_bad_files(self):
        folder = Path(tempfile.mkdtemp())
        text = self.good.read_text(encoding="utf-8")
        obj = json.loads(text)
        newer = dict(obj, version=99)
        broken = json.loads(text)
        broken["params"]["wte"][0] = broken["params"]["wte"][0][:3]
        cases = {
            "missing.json": (None, "no such file"),
            "empty.json": ("", "empty file"),
            "truncated.json": (text[: len(text) // 2], "not valid JSON"),
            "garbage.json": ("\x00\x01not json", "not valid JSON"),
            "other.json": (json.dumps({"hello": "world"}), "not a valid checkpoint"),
            "list.json": ("[1, 2, 3]", "not a valid checkpoint"),
            "newer.json": (json.dumps(newer), "version 99 is newer"),
            "shape.json": (json.dumps(broken), "wte"),
        }
        for name, (content, pattern) in cases.items():
            if content is not None:
                (folder / name).write_text(content, encoding="utf-8")
            for command in (("-m", "microgpt.sample", name), ("-m", "microgpt.train", "--resume", name)):
                with self.subTest(file=name, command=command[1]):
                    assert_one_line_error(self, run(*command, cwd=folder), pattern)

    def test_resume_refuses_other_data_and_other_settings(self):
        folder, model = Path(tempfile.mkdtemp()), self.good
        (folder / "other.txt").write_text("\n".join(["anna", "bob", "carl"]) + "\n", encoding="utf-8")
        assert_one_line_error(self, train(folder / "other.txt", "--resume", model),
                                   "not the data file")
        assert_one_line_error(self, train(BUNDLED_NAMES, "--resume", model, "--n-embd", "8",
                                         "--n-head", "2"), "differs from the checkpoint")

    def test_bad_sampling_flags(self):
        model = self.good
        cases = [
            (["--prefix", "Zoë"], "--prefix has characters not in the vocabulary: 'Z' 'ë'"),
            (["--prefix", "a" * 16], "shorter than the block"),
            (["--top-k", "0"], "--top-k"),
            (["--top-p", "0"], "--top-p"),
            (["--top-p", "1.5"], "--top-p: must be at most 1"),
            (["--temperature", "-1"], "--temperature"),
            (["--num-samples", "x"], "whole number"),
        ]
        for flags, pattern in cases:
            with self.subTest(flags=flags):
                assert_one_line_error(self, run("-m", "microgpt.sample", model, *flags), pattern)


if __name__ == "__main__":
    unittest.main()
