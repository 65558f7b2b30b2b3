"""A new learner's mistakes with the newer switches, each refused in one line
before any work (or given what was asked for), never a traceback."""
import os
import tempfile
import unittest
from pathlib import Path

from tests.support import BUNDLED_NAMES, assert_one_line_error, run


class OtherRoomsTest(unittest.TestCase):
    """The classifier and the encoder-decoder are in --model's choices (the
    run flags are shared) but do not learn from a file of documents."""

    def test_train_inspect_compare_refuse_them(self):
        for model, command in (("seq2seq", "microgpt.seq2seq"), ("classifier", "microgpt.classify")):
            for args in (("-m", "microgpt.train", BUNDLED_NAMES, "--steps", "2", "--model", model),
                         ("-m", "microgpt.inspect", "emma", "--train-steps", "2", "--model", model,
                          "--data", BUNDLED_NAMES),
                         ("-m", "microgpt.compare", BUNDLED_NAMES, "--steps", "2",
                          "--variant", f"x: --model {model}")):
                with self.subTest(model=model, command=args[1]):
                    assert_one_line_error(self, run(*args),
                                          rf"--model {model} is not a language model .*{command}")


if __name__ == "__main__":
    unittest.main()
