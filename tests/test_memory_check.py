"""A run too big for this machine is refused at once, in one line, by every
command and by the library's entry points in a REPL, from one estimate per
kind of model (catalog.step_edges), checked against the graph a step really
makes; and so are a command's own large lists (longrange's documents,
scale's rows, a data file's documents)."""
import os
import random
import sys
import tempfile
import unittest
from pathlib import Path

if not __package__:  # run as a file, python tests/test_x.py: import from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import BUNDLED_NAMES, ROOT, assert_one_line_error, run

HUGE = ("--n-embd", "4096", "--n-layer", "8")
NEEDS = r"needs about .* of memory .*; this machine has"


def capped(limit):
    """preexec_fn for a child whose address space is capped at limit bytes."""
    def cap():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return cap


class RefusedAtOnceTest(unittest.TestCase):
    def test_every_command_refuses_a_model_too_big(self):
        with tempfile.TemporaryDirectory() as folder:
            rng = random.Random(0)
            with open(Path(folder) / "long.txt", "w", encoding="utf-8") as f:
                for _ in range(3):  # 3,000 characters a side: attention's T x T graph
                    side = "".join(rng.choice("abc") for _ in range(3000))
                    f.write(f"{side}\t{side[::-1]}\n")
            for args in (("-m", "microgpt", "seq2seq", "--task", "copy", *HUGE, "--steps", "2"),
                         ("-m", "microgpt", "seq2seq", "long.txt", "--steps", "2"),
                         ("-m", "microgpt.train", BUNDLED_NAMES, *HUGE),
                         ("-m", "microgpt", "classify", BUNDLED_NAMES, "surnames.txt", *HUGE),
                         ("-m", "microgpt", "inspect", "emma", "--train-steps", "2", *HUGE),
                         ("-m", "microgpt", "compare", "--steps", "2", "--variant", "big: --n-embd 4096"
                                                                                   " --n-layer 8"),
                         ("-m", "microgpt", "gradcheck", *HUGE),
                         ("-m", "microgpt", "longrange", "--n-embd", "100000")):
                with self.subTest(args=args[1:5]):
                    assert_one_line_error(self, run(*args, cwd=folder, timeout=60), NEEDS)

    def test_a_commands_own_lists_are_refused_before_they_are_made(self):
        with tempfile.TemporaryDirectory() as folder:
            for args in (("-m", "microgpt", "longrange", "--eval-docs", "100000000"),
                         ("-m", "microgpt", "longrange", "--train-docs", "300000000", "--steps", "1"),
                         ("-m", "microgpt", "scale", "--keys", "30000000"),
                         ("-m", "microgpt", "longrange", "--write", "r.txt", "--count", "3000000000",
                          "--gap", "0")):
                with self.subTest(args=args[2:]):
                    assert_one_line_error(self, run(*args, cwd=folder, timeout=60),
                                          r"would need about .* of memory|more than microgpt reads")
                    self.assertEqual(os.listdir(folder), [])

    @unittest.skipUnless(sys.platform.startswith("linux"), "needs RLIMIT_AS")
    def test_a_data_file_whose_documents_would_not_fit(self):
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / "many.txt"
            data.write_bytes(b"ab\n" * 20_000_000)  # 60 MB: 20 million documents
            import subprocess
            env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
            result = subprocess.run([sys.executable, "-m", "microgpt.train", str(data)], env=env,
                                    capture_output=True, text=True, timeout=120,
                                    preexec_fn=capped(1_500_000_000))
            assert_one_line_error(self, result, r"many.txt: its 20,000,001 lines would need about")


class LibraryTest(unittest.TestCase):
    """The library refuses as the commands do: its Plan is checked as it is
    made (training.check_size, which microgpt/__init__.py sets)."""

    def test_the_entry_points_refuse_before_drawing_a_weight(self):
        from microgpt.architectures import bert, catalog, pairs
        from microgpt.config import Config, ConfigError
        from microgpt.training import start
        docs = ["emma", "olivia", "ava"]
        big = Config(n_embd=4096, n_layer=8)
        for name, call in (("training.start", lambda: start(docs, big)),
                           ("catalog.start", lambda: catalog.start(docs, big)),
                           ("catalog.plan, lstm", lambda: catalog.plan(docs, Config(model="lstm",
                                                                                    n_embd=200_000))),
                           ("bert.plan", lambda: bert.plan([docs, ["zoe"]], Config(
                               model="classifier", causal_mask=False, n_embd=4096, n_layer=8))),
                           ("pairs.plan", lambda: pairs.plan([("emma", "amme")], Config(
                               model="seq2seq", n_embd=4096, n_layer=8)))):
            with self.subTest(entry=name), self.assertRaisesRegex(ConfigError, NEEDS):
                call()

    @unittest.skipUnless(sys.platform.startswith("linux"), "needs RLIMIT_AS")
    def test_in_a_repl_under_a_memory_cap(self):
        import subprocess
        code = ("from microgpt.training import start\nfrom microgpt.config import Config\n"
                "start(['emma', 'olivia'], Config(n_embd=1024, n_layer=4))\n")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                text=True, timeout=120, preexec_fn=capped(3_000_000_000))
        self.assertIn("microgpt.config.ConfigError: this model needs about", result.stderr)
        self.assertNotIn("MemoryError", result.stderr)


class EstimateTest(unittest.TestCase):
    """Each kind of model's estimate against the graph one step of it makes."""

    def test_the_classifier_and_the_encoder_decoder(self):
        from microgpt.architectures import bert, catalog, transformer
        from microgpt.config import Config
        from microgpt.params import init_params
        from microgpt.data import longest
        from microgpt.value import recording
        cases = []
        for fields, S in (({}, 8), ({"n_embd": 32}, 16), ({"block_size": 64}, 64)):
            config = Config(model="classifier", n_class=2, causal_mask=False,
                            **{"block_size": 16, **fields})
            cases.append((config, bert.classifier_loss, ([26] + [i % 26 for i in range(S - 1)], 1)))
        for fields, S in (({}, 5), ({"n_embd": 32, "n_layer": 2}, 12), ({"block_size": 64}, 40)):
            config = Config(model="seq2seq", **{"block_size": 16, **fields})
            ids = [i % 26 for i in range(S - 1)]
            cases.append((config, transformer.seq2seq_loss, ([26] + ids, [26] + ids[::-1] + [26])))
        for config, loss, example in cases:
            params = init_params(config, random.Random(1))
            with recording() as tape:
                loss(example, params, config)
            edges = sum(len(node._children) for node in tape)
            with self.subTest(model=config.model, n_embd=config.n_embd, T=longest([example])):
                self.assertLess(abs(catalog.step_edges(config, longest([example])) / edges - 1), 0.2)


if __name__ == "__main__":
    unittest.main()
