"""Every command a message suggests works on the checkpoint it names: each
command given each kind of checkpoint (a GPT, an LSTM, a classifier, an
encoder-decoder), to use or to train further, and every hint its refusal
gives is run as written (its TEXT a text the model can read)."""
import re
import shlex
import shutil
import tempfile
import sys
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import BUNDLED_NAMES, run

SMALL = ("--steps", "3", "--n-embd", "8", "--n-head", "2")
HINT = re.compile(r"\((python -m microgpt[^()]*?)(?: uses it)?\)$")


class HintsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.made = Path(cls._tmp.name) / "made"
        cls.made.mkdir()
        text = BUNDLED_NAMES.read_text(encoding="utf-8").splitlines()
        (cls.made / "names.txt").write_text("\n".join(text[:200]) + "\n", encoding="utf-8")
        (cls.made / "others.txt").write_text("\n".join(text[200:400]) + "\n", encoding="utf-8")
        for args in (("-m", "microgpt.train", "names.txt", *SMALL, "--num-samples", "1", "--out", "gpt.json"),
                     ("-m", "microgpt.train", "names.txt", "--model", "lstm", "--steps", "3",
                      "--n-embd", "8", "--num-samples", "1", "--out", "lstm.json"),
                     ("-m", "microgpt", "classify", "names.txt", "others.txt", *SMALL, "--out", "cls.json"),
                     ("-m", "microgpt", "seq2seq", "--task", "copy", "names.txt", *SMALL,
                      "--out", "s2s.json")):
            made = run(*args, cwd=cls.made)
            assert made.returncode == 0, made.stderr

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def fresh(self):
        """A folder with the data and the checkpoints as made (a hint that
        trains changes its checkpoint)."""
        folder = Path(self._tmp.name) / "run"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(self.made, folder)
        return folder

    def test_every_hint_runs(self):
        asks = []
        for model in ("gpt.json", "lstm.json", "cls.json", "s2s.json"):
            asks += [("-m", "microgpt.train", "--resume", model),
                     ("-m", "microgpt.sample", model),
                     ("-m", "microgpt", "classify", "--resume", model),
                     ("-m", "microgpt", "classify", model, "--text", "emma"),
                     ("-m", "microgpt", "seq2seq", "--resume", model),
                     ("-m", "microgpt", "seq2seq", model, "--text", "emma")]
        hints = 0
        for ask in asks:
            result = run(*ask, cwd=self.fresh())
            if result.returncode == 0:
                continue
            message = result.stderr.strip()
            hint = HINT.search(message)
            with self.subTest(ask=" ".join(ask[1:]), message=message):
                self.assertIsNotNone(hint, "a refusal of a checkpoint names what works on it")
                words = shlex.split(hint.group(1).replace("TEXT", "emma"))
                self.assertEqual(words[:2], ["python", "-m"])
                answer = run(*words[1:], cwd=self.fresh())
                self.assertEqual(answer.returncode, 0, f"{hint.group(1)}: {answer.stderr}")
                hints += 1
        self.assertGreaterEqual(hints, 16)


if __name__ == "__main__":
    unittest.main()
