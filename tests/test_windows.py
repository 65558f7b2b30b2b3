"""Long documents and subword tokens in training: sliding windows (--stride),
BPE through train, checkpoint, sample, inspect and resume, and generation
that slides its context past the block (--max-tokens)."""
import random
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microgpt.plumbing import checkpoint
from microgpt.config import Config
from microgpt.generate import argmax, sample
from microgpt.model import gpt
from microgpt.data import make_examples, windows
from microgpt.architectures.catalog import start
from microgpt.training import train_step
from tests.support import ROOT, assert_one_line_error, numbers, run, steps_of, train

DIAGNOSES = ROOT / "microgpt" / "bundled" / "diagnoses.txt"


def plain_windows(ids, size, stride):
    """The rule, written out: starts 0, S, 2S, ... while a window fits; then a
    last window ending at the end if the end was not reached."""
    if len(ids) <= size:
        return [ids]
    out, start_at = [], 0
    while start_at + size <= len(ids):
        out.append(ids[start_at:start_at + size])
        start_at += stride
    if start_at - stride + size != len(ids):  # the last window did not end at the end
        out.append(ids[len(ids) - size:])
    return out


class WindowsTest(unittest.TestCase):
    def test_windows_follow_the_rule(self):
        rng = random.Random(7)
        for _ in range(500):
            n, size, stride = rng.randint(1, 60), rng.randint(2, 20), rng.randint(1, 25)
            ids = list(range(n))
            with self.subTest(n=n, size=size, stride=stride):
                self.assertEqual(windows(ids, size, stride), plain_windows(ids, size, stride))

    def test_every_window_is_block_size_plus_one_and_order_is_kept(self):
        docs = ["a" * 40, "b", "c" * 17, "d" * 5]
        config = Config(block_size=8, stride=4)
        examples_, state = start(docs, config)
        tok = state.tokenizer
        # rebuilt from the shuffled documents, document by document
        rng = random.Random(config.seed)
        shuffled = list(docs)
        rng.shuffle(shuffled)
        want = [w for doc in shuffled for w in plain_windows(tok.encode_document(doc), 9, 4)]
        self.assertEqual(examples_, want)

    def test_without_stride_nothing_changes(self):
        docs = ["emma", "olivia", "ava"]
        ex, state = start(docs, Config())
        order = list(docs)
        random.Random(42).shuffle(order)
        self.assertEqual(ex, [state.tokenizer.encode_document(d) for d in order])

    def test_train_reports_documents_and_examples(self):
        path = Path(tempfile.mkdtemp()) / "long.txt"
        path.write_text("the quick brown fox jumps over the lazy dog\nhello world\n", encoding="utf-8")
        result = train(path, "--steps", "2", "--block-size", "8", "--stride", "4",
                       "--n-embd", "8", "--n-head", "2", "--num-samples", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("num docs: 2", result.stdout)
        # 45 tokens: windows at 0, 4, ..., 36 (10; the last ends at 45); 13 tokens: at 0 and 4
        self.assertIn("num examples: 12 ", result.stdout)
        plain = train(path, "--steps", "1", "--block-size", "8", "--num-samples", "1")
        self.assertIn("--stride", plain.stderr)  # the truncation note points to it

    def test_a_stride_past_the_block_and_a_held_out_split_are_explained(self):
        path = Path(tempfile.mkdtemp()) / "long.txt"
        path.write_text("the quick brown fox jumps over the lazy dog\nhello world\n" * 3,
                        encoding="utf-8")
        tiny = ("--steps", "1", "--block-size", "8", "--n-embd", "8", "--n-head", "2",
                "--num-samples", "1")
        for stride, gaps in ((8, False), (9, True)):
            with self.subTest(stride=stride):
                result = train(path, *tiny, "--stride", str(stride))
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual("never predicted" in result.stderr, gaps, result.stderr)
        result = train(path, *tiny, "--stride", "4", "--val-fraction", "0.2")
        self.assertEqual(result.returncode, 0, result.stderr)
        # one document held out (round(1.2)): its windows are counted, 2 of a short one, 10 of a long
        held = [l for l in result.stdout.splitlines() if l.startswith("num held out:")]
        self.assertRegex(held[0], r"^num held out: (2|10) \(windows of the last documents ")


class BpeTrainingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = Path(tempfile.mkdtemp())
        cls.data = cls.folder / "notes.txt"
        lines = DIAGNOSES.read_text(encoding="utf-8").splitlines()[:300]
        cls.data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cls.flags = ("--tokenizer", "bpe", "--vocab-size", "120", "--block-size", "12",
                     "--stride", "6", "--n-embd", "8", "--n-head", "2", "--num-samples", "3")

    def test_train_save_resume_sample_inspect(self):
        model = self.folder / "m.json"
        whole = train(self.data, "--steps", "8", *self.flags, cwd=self.folder)
        self.assertEqual(whole.returncode, 0, whole.stderr)
        self.assertIn("vocab size: 120", whole.stdout)
        first = train(self.data, "--steps", "8", *self.flags, "--out", model, cwd=self.folder)
        self.assertEqual(numbers(first.stdout), numbers(whole.stdout))
        state = checkpoint.load(model)
        self.assertEqual(len(state.tokenizer.merges), 120 - 1 - len(state.tokenizer.chars))
        sampled = run("-m", "microgpt.sample", model, "--num-samples", "3", "--max-tokens", "30")
        self.assertEqual(sampled.returncode, 0, sampled.stderr)
        seen = run("-m", "microgpt", "inspect", model, "Cholera")
        self.assertEqual(seen.returncode, 0, seen.stderr)
        labels = seen.stdout.splitlines()[3].split()
        self.assertEqual("".join(labels[1:]), "Cholera")  # heatmap labels are the tokens' text
        self.assertLess(len(labels) - 1, len("Cholera"))    # fewer tokens than characters

    def test_resume_is_bit_identical(self):
        model = self.folder / "r.json"
        whole = train(self.data, "--steps", "6", *self.flags, cwd=self.folder)
        part = train(self.data, "--steps", "6", *self.flags, "--out", model, cwd=self.folder)
        self.assertEqual(part.returncode, 0, part.stderr)
        state = checkpoint.load(model)
        self.assertEqual(state.step, 6)
        # the checkpoint's merges tokenize the data as the whole run did
        ex, fresh = start(self.data.read_text(encoding="utf-8").split("\n")[:-1],
                          Config(tokenizer="bpe", bpe_vocab_size=120, block_size=12, stride=6,
                                 n_embd=8, n_head=2, steps=6))
        self.assertEqual(fresh.tokenizer.merges, state.tokenizer.merges)
        for _ in range(6):
            train_step(fresh, ex)
        self.assertEqual(fresh.losses, state.losses)
        self.assertEqual(numbers(whole.stdout)[3:9], [f"step {i + 1:4d} / {6:4d} | loss {l:.4f}"
                                                      for i, l in enumerate(state.losses)])

    def test_resume_with_the_flags_of_a_vocabulary_that_stopped_short(self):
        path, model = self.folder / "few.txt", self.folder / "few.json"
        path.write_text("abab cd\nab\n", encoding="utf-8")  # a+b, then no pair occurs twice
        flags = ("--tokenizer", "bpe", "--vocab-size", "100", "--num-samples", "1")
        first = train(path, "--steps", "2", *flags, "--out", model)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(checkpoint.load(model).config.vocab_size, 7)
        again = train(path, "--steps", "4", *flags, "--resume", model)  # the same flags
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(steps_of(again.stdout), [3, 4])
        assert_one_line_error(self, train(path, "--steps", "6", *flags[:2], "--vocab-size", "6",
                                          "--resume", model), "--vocab-size 6 differs")

    def test_mistakes(self):
        cases = [((), "--tokenizer bpe needs a --vocab-size"),
                 (("--vocab-size", "50"), "--vocab-size needs --tokenizer bpe"),
                 (("--tokenizer", "bpe", "--vocab-size", "5"), "--vocab-size"),
                 (("--stride", "0"), "--stride")]
        for flags, pattern in cases:
            flags = flags if flags else ("--tokenizer", "bpe")
            with self.subTest(flags=flags):
                assert_one_line_error(self, train(self.data, "--steps", "1", *flags), pattern)


class SlidingGenerationTest(unittest.TestCase):
    def test_greedy_sample_past_the_block_reads_the_last_block_size_tokens(self):
        ex, state = start(["abcab", "bcabca", "cabcabc"], Config(block_size=4, n_embd=8, n_head=2,
                                                                 steps=20, lr=0.05))
        for _ in range(20):
            train_step(state, ex)
        config, tok = state.config, state.tokenizer
        text = sample(state.params, config, tok, random.Random(0), temperature=0, max_tokens=12)
        # independently: every next token from a fresh cache over (at most) the last 4 tokens
        tokens = [tok.bos]
        while len(tokens) - 1 < 12:
            keys, values = [[] for _ in range(config.n_layer)], [[] for _ in range(config.n_layer)]
            for pos, t in enumerate(tokens[-config.block_size:]):
                logits = gpt(t, pos, keys, values, state.params, config)
            nxt = argmax([l.data for l in logits])
            if nxt == tok.bos:
                break
            tokens.append(nxt)
        self.assertEqual(text, tok.decode(tokens[1:]))
        short = sample(state.params, config, tok, random.Random(0), temperature=0)
        self.assertEqual(short, text[:len(short)])
        self.assertLessEqual(len(short), config.block_size)


if __name__ == "__main__":
    unittest.main()
