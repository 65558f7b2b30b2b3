"""A new learner's mistakes with the newer switches, each refused in one line
before any work (or given what was asked for), never a traceback."""
import os
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import BUNDLED_NAMES, assert_one_line_error, run


class OtherRoomsTest(unittest.TestCase):
    """The classifier and the encoder-decoder are in --model's choices (the
    run flags are shared) but do not learn from a file of documents."""

    def test_train_inspect_compare_refuse_them(self):
        for model, command in (("seq2seq", "microgpt seq2seq"), ("classifier", "microgpt classify")):
            for args in (("-m", "microgpt.train", BUNDLED_NAMES, "--steps", "2", "--model", model),
                         ("-m", "microgpt", "inspect", "emma", "--train-steps", "2", "--model", model,
                          "--data", BUNDLED_NAMES),
                         ("-m", "microgpt", "compare", BUNDLED_NAMES, "--steps", "2",
                          "--variant", f"x: --model {model}")):
                with self.subTest(model=model, command=args[1]):
                    assert_one_line_error(self, run(*args),
                                          rf"--model {model} is not a language model .*{command}")


class BundledNameTest(unittest.TestCase):
    """`names.txt` read from the bundled copy (none in this folder): an
    output written under that name would be read as the data next time."""

    def test_an_output_named_as_the_data_is_refused(self):
        with tempfile.TemporaryDirectory() as folder:
            for args in (("-m", "microgpt.train", "names.txt", "--steps", "2", "--plot-lr", "names.txt"),
                         ("-m", "microgpt.train", "--steps", "2", "--plot", "names.txt"),
                         ("-m", "microgpt.train", "names.txt", "--steps", "2", "--out", "names.txt"),
                         ("-m", "microgpt", "compare", "names.txt", "--steps", "2", "--svg", "names.txt"),
                         ("-m", "microgpt", "inspect", "emma", "--train-steps", "2", "--svg", "names.txt")):
                with self.subTest(args=args[1:]):
                    assert_one_line_error(self, run(*args, cwd=folder),
                                          r"names.txt: is the data \(names.txt\)")
                    self.assertEqual(os.listdir(folder), [])


class InspectTwoModelsTest(unittest.TestCase):
    """inspect A.json B.json TEXT takes --stream as one checkpoint does;
    --data with a checkpoint and a TEXT would go unused: refused."""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.gpt, cls.whole = (Path(cls.folder.name) / name for name in ("gpt.json", "whole.json"))
        for path, mask in ((cls.gpt, "on"), (cls.whole, "off")):  # whole: reads all at once
            made = run("-m", "microgpt.train", BUNDLED_NAMES, "--steps", "2", "--n-embd", "8",
                       "--causal-mask", mask, "--num-samples", "1", "--out", path)
            assert made.returncode == 0, made.stderr

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def test_stream_for_each_model(self):
        one = run("-m", "microgpt", "inspect", self.gpt, "emma", "--stream")
        two = run("-m", "microgpt", "inspect", self.gpt, self.gpt, "emma", "--stream")
        self.assertEqual(two.returncode, 0, two.stderr)
        stream = one.stdout[one.stdout.index("the size (RMS)"):].strip()
        self.assertEqual(two.stdout.count(stream), 2)

    def test_stream_refused_for_a_model_without_it(self):
        assert_one_line_error(self, run("-m", "microgpt", "inspect", self.gpt, self.whole, "emma",
                                        "--stream"), r"whole.json .* reads the whole sequence")

    def test_data_without_train_steps(self):
        assert_one_line_error(self, run("-m", "microgpt", "inspect", self.gpt, "emma", "--data",
                                        "surnames.txt"), r"--data goes with --train-steps")


class HugeListsTest(unittest.TestCase):
    """A huge number in a list flag is refused at once by the memory check,
    not after minutes of drawing weights or writing documents (or timed out)."""

    def test_refused_at_once(self):
        huge = "99999999999999999999"
        for args, pattern in ((("microgpt", "bench", "--block-sizes", f"16,{huge}"), "memory"),
                              (("microgpt", "longrange", "--gaps", f"2,{huge}"), f"at gap {huge}: .*memory"),
                              (("microgpt", "longrange", "--write", "r.txt", "--gap", huge),
                               "more than microgpt reads")):
            with self.subTest(args=args), tempfile.TemporaryDirectory() as folder:
                assert_one_line_error(self, run("-m", *args, cwd=folder, timeout=60), pattern)
                self.assertEqual(os.listdir(folder), [])

    def test_bench_says_when_a_block_is_longer_than_the_lines(self):
        result = run("-m", "microgpt", "bench", "--block-sizes", "4,310", "--steps", "1", timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("note: the longest document is 301 positions: at block size 310",
                      result.stderr)


class CompareInterruptedTest(unittest.TestCase):
    """Ctrl-C in compare's second run: the finished baseline's row and curve
    are shown, not lost; status 130."""

    def test_the_finished_runs_are_shown(self):
        import signal
        import subprocess
        import sys
        from tests.support import ROOT
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
            # Ctrl-C's default, as in a terminal: a job the shell started with & ignores SIGINT,
            # and so does compare then (cli.run leaves an ignored signal ignored)
            proc = subprocess.Popen([sys.executable, "-m", "microgpt", "compare", str(BUNDLED_NAMES),
                                     "--steps", "30", "--variant", "slow: --steps 100000",
                                     "--svg", "c.svg"], cwd=folder, env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
            for line in proc.stderr:  # progress lines: the second run has begun
                if "run 2 of 2 (slow): step" in line:
                    proc.send_signal(signal.SIGINT)
                    break
            out, err = proc.communicate(timeout=120)
            self.assertEqual(proc.returncode, 130, err)
            self.assertNotIn("Traceback", err)
            self.assertIn("interrupted in run 2 of 2 (slow); shown: the 1 run finished", err)
            self.assertRegex(out, r"\nbaseline +\d+ +\d\.\d{4}")
            self.assertNotIn("slow ", out)
            self.assertIn("baseline", (Path(folder) / "c.svg").read_text(encoding="utf-8"))


class SizeEstimateTest(unittest.TestCase):
    """The memory check's edge count against the graph a step really makes:
    a recurrent model's grows as T (no attention), so a long gap is not
    refused at terabytes it would never use."""

    def test_the_estimate_follows_the_graph(self):
        import random
        from microgpt.architectures import recurrent
        from microgpt.config import Config
        from microgpt.model import document_loss
        from microgpt.params import init_params
        from microgpt.plumbing.memory import step_edges
        from microgpt.value import recording
        for fields, T in (({}, 16), ({"block_size": 64}, 64), ({"model": "rnn"}, 16),
                          ({"model": "gru", "n_embd": 32}, 12), ({"model": "lstm"}, 40)):
            config = Config(**{"block_size": max(T, 16), **fields})
            params = init_params(config, random.Random(1))
            ids = [26] + [i % 26 for i in range(T - 1)] + [26]
            loss = recurrent.document_loss if config.model != "gpt" else document_loss
            with recording() as tape:
                loss(ids, params, config)
            edges = sum(len(node._children) for node in tape)
            with self.subTest(**fields):
                self.assertLess(abs(step_edges(config, T) / edges - 1), 0.1)
        self.assertEqual(step_edges(Config(model="rnn", block_size=400), 400),
                         100 * step_edges(Config(model="rnn", block_size=400), 4))  # linear in T


if __name__ == "__main__":
    unittest.main()
