"""Every refusal comes before any work, no input is cut without a word,
long work shows its progress, and an interrupted experiment shows what
finished."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import BUNDLED_NAMES, ROOT, assert_one_line_error, rest_of, run


class RefusedBeforeWorkTest(unittest.TestCase):
    def test_inspect_refuses_a_model_without_attention_before_training_it(self):
        for args in (("--model", "gru"), ("--model", "lstm", "--n-embd", "8"),
                     ("--model", "rnn", "--stream")):
            with self.subTest(args=args):
                started = time.perf_counter()
                result = run("-m", "microgpt", "inspect", "emma", "--train-steps", "100000", *args,
                             timeout=60)
                assert_one_line_error(self, result, r"is an? \w+ model: it has no attention to show")
                self.assertLess(time.perf_counter() - started, 30)

    def test_classify_refuses_a_text_longer_than_its_block_and_says_when_it_cuts(self):
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            names = BUNDLED_NAMES.read_text(encoding="utf-8").splitlines()
            (folder / "short.txt").write_text("\n".join(names[:60]) + "\n", encoding="utf-8")
            (folder / "long.txt").write_text("\n".join(n * 4 for n in names[60:120]) + "\n",
                                             encoding="utf-8")
            made = run("-m", "microgpt", "classify", "short.txt", "long.txt", "--steps", "2",
                       "--n-embd", "8", "--n-head", "2", "--out", "c.json", cwd=folder)
            self.assertEqual(made.returncode, 0, made.stderr)
            self.assertRegex(made.stderr, r"note: \d+ of 120 documents are longer than the block "
                                          r"\(block size 16, BOS included\) and are read cut")
            assert_one_line_error(self, run("-m", "microgpt", "classify", "c.json", "--text",
                                            "a" * 16, cwd=folder),
                                  r"--text has 16 characters; the classifier reads at most 15")
            scored = run("-m", "microgpt", "classify", "c.json", "--eval", "short.txt", "long.txt",
                         cwd=folder)
            self.assertEqual(scored.returncode, 0, scored.stderr)
            self.assertRegex(scored.stderr, r"note: \d+ of 120 documents are longer than the block")
            both = run("-m", "microgpt", "classify", "c.json", "--text", "emma", "--eval",
                       "short.txt", "missing.txt", cwd=folder)  # nothing shown before the refusal
            assert_one_line_error(self, both, r"missing.txt: no such file")
            self.assertEqual(both.stdout, "")

    def test_seq2seq_checks_text_and_eval_before_showing_either(self):
        with tempfile.TemporaryDirectory() as folder:
            made = run("-m", "microgpt", "seq2seq", "--task", "copy", BUNDLED_NAMES, "--steps", "2",
                       "--n-embd", "8", "--n-head", "2", "--out", "s.json", cwd=folder)
            self.assertEqual(made.returncode, 0, made.stderr)
            for args, pattern in ((("--text", "emma", "--eval", "missing.txt"), "no such file"),
                                  (("--text", "e" * 40, "--eval", str(BUNDLED_NAMES)), "too long")):
                with self.subTest(args=args):
                    result = run("-m", "microgpt", "seq2seq", "s.json", *args, cwd=folder)
                    assert_one_line_error(self, result, pattern)
                    self.assertEqual(result.stdout, "")


class LongWorkTest(unittest.TestCase):
    def test_bpe_reports_each_merge_and_keeps_what_it_encoded(self):
        from microgpt.variants.bpe import BPETokenizer, learn_merges
        docs = BUNDLED_NAMES.read_text(encoding="utf-8").splitlines()[:500]
        seen = []
        tok = BPETokenizer.learn(docs, 60, each=lambda done, total: seen.append((done, total)))
        merges = len(tok.merges)
        self.assertEqual(seen, [(n, 60 - len(tok.chars) - 1) for n in range(1, merges + 1)])
        fresh = BPETokenizer(tok.chars, tok.merges)  # nothing cached: each word encoded anew
        self.assertEqual([tok.encode(doc) for doc in docs], [fresh.encode(doc) for doc in docs])
        self.assertEqual(learn_merges(docs, tok.chars, merges), tok.merges)

    def test_progress_lines_only_for_work_that_takes_a_while(self):
        import io
        from contextlib import redirect_stderr
        from microgpt.plumbing import progress
        quick = io.StringIO()
        with redirect_stderr(quick):
            each = progress.reporter("prog", "learning")
            for n in range(1, 4):
                each(n, 3)
        self.assertEqual(quick.getvalue(), "")
        slow = io.StringIO()
        with redirect_stderr(slow):
            each = progress.reporter("prog", "learning")
            each(1, 3)
            time.sleep(3.1)
            each(2, 3)
            each(3, 3)
        self.assertRegex(slow.getvalue(), r"^prog: learning: step 2 / 3, about .* left\n"
                                          r"prog: learning: step 3 / 3, about .* left\n$")


class LongrangeInterruptedTest(unittest.TestCase):
    """Ctrl-C in longrange's third run: the two that finished are printed and
    drawn, the others shown as not done; status 130."""

    def test_the_finished_runs_are_shown(self):
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
            proc = subprocess.Popen([sys.executable, "-m", "microgpt", "longrange", "--gaps", "2,4",
                                     "--models", "gpt,lstm", "--steps", "40", "--eval-docs", "20",
                                     "--n-embd", "8", "--svg", "l.svg"],
                                    cwd=folder, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            first = []
            for line in proc.stderr:  # a progress line from the third run: (gpt, gap 4)
                first.append(line)
                if "gpt, gap 4" in line:
                    proc.send_signal(signal.SIGINT)
                    break
            out, err = rest_of(proc, timeout=300)
            err = "".join(first) + err
            self.assertEqual(proc.returncode, 130, err)
            self.assertNotIn("Traceback", err)
            self.assertRegex(err, r"interrupted after 2 runs of 4")
            self.assertRegex(out, r"(?m)^gpt +\d\.\d\d +- *$")
            self.assertRegex(out, r"(?m)^lstm +\d\.\d\d +- *$")
            self.assertIn("longest path", out)
            self.assertIn("held-out accuracy after", (Path(folder) / "l.svg").read_text(encoding="utf-8"))


class ScaleInterruptedTest(unittest.TestCase):
    def test_the_widths_measured_are_kept_and_drawn(self):
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
            proc = subprocess.Popen([sys.executable, "-m", "microgpt", "scale", "--d-k",
                                     "4,100000", "--trials", "50", "--svg", "s.svg"], cwd=folder,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            first = []
            for line in proc.stdout:  # the first width's line: the second is under way
                first.append(line)
                if line.split()[:1] == ["4"]:
                    proc.send_signal(signal.SIGINT)
                    break
            out, err = rest_of(proc, timeout=300)
            self.assertEqual(proc.returncode, 130, err)
            self.assertNotIn("Traceback", err)
            self.assertIn("interrupted after 1 width of 2", err)
            self.assertRegex("".join(first) + out, r"(?m)^ +4 +\d")
            self.assertIn("mean softmax entropy", (Path(folder) / "s.svg").read_text(encoding="utf-8"))


if __name__ == "__main__":
    unittest.main()
